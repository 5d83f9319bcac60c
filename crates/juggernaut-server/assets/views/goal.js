// Juggernaut dashboard: one goal. Its plan as a graph (tasks and dependencies, each box in its
// task's current status), its tasks, its metric chart with the forecast (badge, explanation,
// projection to the deadline), its spend against its budget, the pause/resume/cancel and
// "Plan again" actions, and the edit form.

import { api } from '../api.js';
import { h, link, badge, page, section, table, time, usd, actionButton } from '../dom.js';
import { metricChart, planGraph } from '../charts.js';
import { editForm } from './goal_edit.js';

/** Goals a new plan was asked for in this tab: goal id → the plan version then. */
const asked = new Map();

/** The forecast's badge and sentence, or null without one (no target or no deadline). */
function forecastLine(f) {
  if (!f) return null;
  return h('div', { class: 'forecast-line', 'data-testid': 'forecast' },
    h('p', {}, h('strong', {}, 'Forecast '), badge(f.status),
      f.eta ? [' · reaches the target about ', time(f.eta)] : null),
    f.explanation ? h('p', { class: 'muted' }, f.explanation) : null);
}

export async function render(ctx) {
  const [id] = ctx.params;
  const [d, series, tasks] = await Promise.all([
    api(`/api/goals/${id}`),
    api(`/api/goals/${id}/progress?limit=500`),
    api(`/api/tasks?goal=${id}&limit=200`),
  ]);
  const g = d.goal;
  const byId = new Map(tasks.items.map((t) => [t.id, t]));
  const plan = d.plan;
  const nodeOf = (pt) => {
    const i = plan.graph.tasks.indexOf(pt);
    const suffix = `:${pt.key}`;
    const t = tasks.items.find((x) => x.dedupe_key && x.dedupe_key.startsWith(`goal:${g.id}:`) && x.dedupe_key.endsWith(suffix))
      ?? byId.get(plan.task_ids[i]);
    return t ? { status: t.status, href: `#/tasks/${t.id}` } : null;
  };
  const out = h('p', { class: 'error', role: 'alert' });
  const act = (verb, label) => actionButton(label, async () => {
    await api(`/api/goals/${id}/${verb}`, { method: 'POST', body: {} });
    ctx.announce(`Goal ${id}: ${verb} done`);
    await ctx.refresh();
  }, { out, cls: 'secondary' });
  const budget = g.budget?.money_usd;
  const spent = d.spend.settled_usd + d.spend.reserved_usd;
  const points = [...series].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  return page(`Goal #${g.id}: ${g.title}`, g.description || null,
    h('p', { class: 'meta' }, badge(g.status), ` tags: ${g.tags.join(', ') || 'none'} · owner ${g.owner} · deadline `, time(g.deadline)),
    h('div', { class: 'actions' },
      g.status === 'active' ? act('pause', 'Pause') : null,
      g.status === 'paused' ? act('resume', 'Resume') : null,
      ['active', 'paused'].includes(g.status) ? act('cancel', 'Cancel goal') : null,
      g.status === 'active' ? actionButton('Plan again', async () => {
        await api(`/api/goals/${id}/plan`, { method: 'POST', body: { reason: 'asked from the dashboard' } });
        asked.set(id, g.plan_version);
        ctx.announce(`Goal ${id}: a new plan was asked for`);
        await ctx.refresh();
      }, { out, cls: 'secondary', testid: 'plan-again' }) : null,
      out),
    ['active', 'paused'].includes(g.status) ? editForm(g, ctx) : null,
    asked.has(id) ? h('p', { class: 'notice', 'data-testid': 'plan-asked' }, asked.get(id) === g.plan_version
      ? 'A new plan was asked for: the planner makes it once this goal\'s open tasks have ended.'
      : `A new plan was asked for here; version ${g.plan_version} has been made since.`) : null,
    d.idle ? h('p', { class: 'notice' }, `Idle: ${d.idle}`) : null,
    g.plan_error ? h('p', { class: 'error' }, `Planning failed: ${g.plan_error}`) : null,
    section('Plan',
      plan ? h('p', {}, `Version ${plan.version}, made by ${plan.made_by} `, time(plan.created_at)) : null,
      plan ? h('div', { class: 'scroll-x' }, planGraph(plan.graph.tasks, nodeOf))
        : h('p', { class: 'empty', 'data-testid': 'no-plan' }, 'No plan yet.')),
    h('div', { class: 'grid' },
      section('Progress',
        d.progress === null || d.progress === undefined
          ? h('p', {}, g.target ? 'No reading yet.' : 'This goal has no measurable target.')
          : h('p', {}, h('progress', { max: 100, value: Math.round(d.progress * 100), 'aria-label': 'progress' }),
            ` ${Math.round(d.progress * 100)}% (${g.current} of ${g.target.target} ${g.target.unit})`),
        forecastLine(d.forecast),
        metricChart(points, { target: g.target?.target, deadline: g.deadline, unit: g.target?.unit, forecast: d.forecast })),
      section('Spend',
        h('p', { class: 'big' }, usd(spent)),
        h('p', {}, budget === null || budget === undefined ? 'No money budget.' : `of ${usd(budget)} budget`),
        budget ? h('meter', { min: 0, max: budget, value: Math.min(spent, budget), high: budget * 0.8, 'aria-label': 'spend against budget' }) : null)),
    section('Tasks',
      table('Tasks of this goal', ['Task', 'Kind', 'Status', 'Attempts', 'Updated'], tasks.items.map((t) => [
        link(`/tasks/${t.id}`, `#${t.id} ${t.title}`), t.kind, badge(t.status), `${t.attempts}/${t.max_attempts}`, time(t.updated_at),
      ]), 'No tasks yet.')));
}
