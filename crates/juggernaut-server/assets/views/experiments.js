// Juggernaut dashboard: experiments. The list (status, iteration, conclusion) and one
// experiment: its hypothesis, variants with their latest counts and rates, the rates per
// iteration as a chart, the stopping rule with its current numbers, the conclusion with its
// follow-up tasks, the readings with the step tasks that took them, and Stop for a running one.

import { api } from '../api.js';
import { h, link, badge, page, section, table, time, actionButton } from '../dom.js';
import { experimentChart } from '../charts.js';

const rate = (x) => (x === null || x === undefined ? '—' : `${(x * 100).toFixed(2)}%`);

/** The list's status filter, kept while the tab lives. */
let shown = '';

export async function list(ctx) {
  const q = new URLSearchParams({ limit: '100' });
  if (shown) q.set('status', shown);
  const page1 = await api(`/api/experiments?${q}`);
  const select = h('select', { id: 'experiments-status', name: 'status' },
    [['', 'Every status'], ['running', 'Running'], ['concluded', 'Concluded'], ['stopped', 'Stopped']]
      .map(([v, label]) => h('option', { value: v, selected: v === shown }, label)));
  select.addEventListener('change', () => { shown = select.value; ctx.refresh(); });
  return page('Experiments', 'Variants compared on a conversion metric under a stated stopping rule.',
    h('div', { class: 'filters' }, h('div', { class: 'field' }, h('label', { for: 'experiments-status' }, 'Status'), select)),
    table('Experiments', ['Experiment', 'Status', 'Iteration', 'Conclusion', 'Goal', 'Started'], page1.items.map((e) => [
      link(`/experiments/${e.id}`, `#${e.id} ${e.spec.name}`), badge(e.status), String(e.iteration),
      e.conclusion ? [badge(e.conclusion.verdict), e.conclusion.winner ? ` ${e.conclusion.winner}` : null]
        : (e.stop_reason ? `stopped: ${e.stop_reason}` : '—'),
      e.spec.goal_id ? link(`/goals/${e.spec.goal_id}`, `#${e.spec.goal_id}`) : '—', time(e.started_at),
    ]), 'No experiments yet (juggernaut experiment add, or POST /api/experiments).'));
}

/** Each variant's newest point. */
function latest(points) {
  const out = new Map();
  for (const p of points) if (!out.has(p.variant) || out.get(p.variant).iteration < p.iteration) out.set(p.variant, p);
  return out;
}

function rule(e, last) {
  const r = e.spec.rule;
  const k = e.spec.variants.length;
  const need = 1 - r.alpha / Math.max(1, k - 1);
  const deadline = new Date(Date.parse(e.started_at) + e.spec.max_duration_secs * 1000).toISOString();
  return section('Stopping rule',
    h('p', {}, `${r.type === 'bayesian' ? 'Bayesian' : r.type}: a variant wins when it beats the other side with probability at least ` +
      `${need.toFixed(4)} (error rate ${r.alpha} split over ${Math.max(1, k - 1)} treatment(s)) and choosing it is expected to lose less than ${r.max_loss}. ` +
      `Nothing is decided before each variant has ${e.spec.min_sample} trials; undecided at `, time(deadline), ', it ends inconclusive.'),
    h('ul', { 'data-testid': 'experiment-sample' }, e.spec.variants.map((v) => {
      const p = last.get(v.name);
      const trials = p?.trials ?? 0;
      return h('li', {}, h('strong', {}, v.name), ` ${trials} of ${e.spec.min_sample} trials` +
        (trials >= e.spec.min_sample ? ' (enough)' : ''));
    })),
    h('p', { class: 'muted' }, `Iterations every ${e.spec.interval_secs} s; iteration ${e.iteration} started `, time(e.iterated_at)));
}

function variants(e, last) {
  const stats = new Map((e.conclusion?.stats ?? []).map((s) => [s.variant, s]));
  return table('Variants', ['Variant', 'Share', 'Successes', 'Trials', 'Rate', 'P(beats control)', 'Expected loss'],
    e.spec.variants.map((v) => {
      const p = last.get(v.name);
      const st = stats.get(v.name);
      return [h('span', {}, v.name, v.control ? ' (control)' : ''), String(v.weight ?? 1),
        String(p?.successes ?? '—'), String(p?.trials ?? '—'), rate(p && p.trials ? p.successes / p.trials : null),
        st?.p_beats_control == null ? '—' : st.p_beats_control.toFixed(4),
        st ? st.expected_loss.toFixed(5) : '—'];
    }));
}

async function followUps(e) {
  const kinds = [e.spec.rollout?.kind, e.spec.rollback?.kind].filter(Boolean);
  if (!e.conclusion || kinds.length === 0) return [];
  const q = new URLSearchParams({ kind: [...new Set(kinds)].join(','), limit: '200' });
  if (e.spec.goal_id) q.set('goal', String(e.spec.goal_id));
  const tasks = await api(`/api/tasks?${q}`);
  const mine = new RegExp(`^experiment:${e.id}:(rollout|rollback):`);
  return tasks.items.filter((t) => mine.test(t.dedupe_key ?? ''));
}

function conclusion(e, tasks) {
  const c = e.conclusion;
  if (!c) return e.stop_reason ? section('Stopped', h('p', {}, `Stopped `, time(e.ended_at), `: ${e.stop_reason}`)) : null;
  return section('Conclusion',
    h('p', { 'data-testid': 'experiment-verdict' }, badge(c.verdict), c.winner ? ` winner: ${c.winner}` : '',
      c.losers.length ? ` · losers: ${c.losers.join(', ')}` : '', ' · ', time(e.ended_at)),
    h('p', {}, c.reason),
    h('h3', {}, 'Follow-up tasks'),
    tasks.length ? h('ul', { 'data-testid': 'experiment-follow-ups' }, tasks.map((t) => h('li', {},
      link(`/tasks/${t.id}`, `#${t.id} ${t.title}`), ' ', badge(t.status))))
      : h('p', { class: 'empty' }, 'None: the spec has no template for this outcome, or the winner is the control.'));
}

function stopForm(e, ctx) {
  const out = h('p', { class: 'error', role: 'alert' });
  const reason = h('input', { id: `stop-reason-${e.id}`, name: 'reason', maxlength: 2000 });
  return section('Stop it',
    h('div', { class: 'decide' },
      h('label', { for: `stop-reason-${e.id}` }, 'Why stop it'),
      reason,
      actionButton('Stop experiment', async () => {
        if (!reason.value.trim()) throw new Error('Say why you stop it.');
        await api(`/api/experiments/${e.id}/stop`, { method: 'POST', body: { reason: reason.value.trim() } });
        reason.value = '';
        ctx.announce(`Experiment ${e.id} stopped`);
        await ctx.refresh();
      }, { out, cls: 'danger', testid: 'stop-experiment' })),
    out);
}

export async function detail(ctx) {
  const [id] = ctx.params;
  const d = await api(`/api/experiments/${id}`);
  const e = d.experiment;
  const last = latest(d.points);
  const tasks = await followUps(e);
  const names = e.spec.variants.map((v) => v.name);
  return page(`Experiment #${e.id}: ${e.spec.name}`, null,
    h('p', { class: 'meta' }, badge(e.status), ` iteration ${e.iteration} · started by ${e.created_by} `, time(e.started_at),
      e.spec.goal_id ? [' · goal ', link(`/goals/${e.spec.goal_id}`, `#${e.spec.goal_id}`)] : null),
    section('Hypothesis', h('p', { 'data-testid': 'hypothesis' }, e.spec.hypothesis)),
    conclusion(e, tasks),
    e.status === 'running' ? stopForm(e, ctx) : null,
    section('Variants', variants(e, last),
      h('div', { class: 'scroll-x' }, experimentChart(d.points, names) ?? h('p', { class: 'empty' }, 'No readings yet.'))),
    rule(e, last),
    section('Readings',
      table('Readings', ['Iteration', 'Variant', 'Successes', 'Trials', 'Rate', 'Read by', 'At'], d.points.map((p) => [
        String(p.iteration), p.variant, String(p.successes), String(p.trials), rate(p.trials ? p.successes / p.trials : null),
        p.task_id ? link(`/tasks/${p.task_id}`, `#${p.task_id}`) : '—', time(p.at),
      ]), 'No readings yet: the first iteration\'s step tasks read them.')),
    section('Metric', h('p', {}, `On data source `, h('code', {}, e.spec.metric.source), ':'), h('pre', {}, e.spec.metric.query)));
}
