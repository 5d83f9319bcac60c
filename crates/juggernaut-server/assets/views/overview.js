// Juggernaut dashboard: the overview. Goals with progress bars and the progress/deadline chart,
// a form to add a goal (with its metric source and target), queue counts by state, workers,
// spend today, and each loop's idle reason.

import { api } from '../api.js';
import { h, link, badge, page, section, table, usd, time } from '../dom.js';
import { progressChart } from '../charts.js';
import { targetFields } from './target.js';

const STATES = ['pending', 'ready', 'running', 'verifying', 'awaiting_external', 'waiting_approval',
  'completed', 'failed', 'dead', 'cancelled', 'blocked'];

export function progressOf(g) {
  if (!g.target || g.current === null || g.current === undefined) return null;
  if (g.target.target <= 0) return 1;
  return Math.min(1, Math.max(0, g.current / g.target.target));
}

function goalForm(ctx) {
  const out = h('p', { class: 'error', role: 'alert' });
  const target = targetFields('goal-target');
  const field = (id, label, attrs = {}, hint) => h('div', { class: 'field' },
    h('label', { for: id }, label),
    h(attrs.tag ?? 'input', { id, name: id, ...attrs, tag: null }),
    hint ? h('small', { id: `${id}-hint` }, hint) : null);
  const form = h('form', { class: 'goal-form', 'aria-label': 'Add a goal' },
    field('goal-title', 'Title', { required: true, maxlength: 500 }),
    field('goal-description', 'Description', { tag: 'textarea', rows: 2 }),
    field('goal-tags', 'Tags', { 'aria-describedby': 'goal-tags-hint' }, 'Comma separated; playbooks match on them.'),
    field('goal-deadline', 'Deadline', { type: 'datetime-local' }),
    field('goal-budget', 'Budget (USD)', { type: 'number', min: 0, step: '0.01' }),
    target.node,
    h('div', { class: 'form-end' }, h('button', { type: 'submit' }, 'Add goal'), out));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const v = (id) => form.querySelector(`#${id}`).value.trim();
    const body = {
      title: v('goal-title'),
      description: v('goal-description'),
      tags: v('goal-tags').split(',').map((t) => t.trim()).filter(Boolean),
    };
    if (v('goal-deadline')) body.deadline = new Date(v('goal-deadline')).toISOString();
    if (v('goal-budget')) body.budget_usd = Number(v('goal-budget'));
    out.textContent = '';
    try {
      const t = target.read();
      if (t) body.target = t;
    } catch (err) {
      out.textContent = `Could not add the goal: ${err.message}`;
      return;
    }
    try {
      const g = await api('/api/goals', { method: 'POST', body });
      form.reset();
      for (const el of form.querySelectorAll('input, textarea')) el.defaultValue = '';
      form.querySelector('#goal-target-src').value = '';
      ctx.announce(`Goal ${g.id} added: ${g.title}`);
      await ctx.refresh();
    } catch (err) {
      out.textContent = `Could not add the goal: ${err.message ?? err}`;
    }
  });
  return h('details', { id: 'add-goal', class: 'card' }, h('summary', {}, 'Add a goal'), form);
}

export async function render(ctx) {
  const [status, goals] = await Promise.all([api('/api/status'), api('/api/goals?limit=100')]);
  const counts = status.tasks ?? {};
  const active = goals.items.filter((g) => g.status === 'active');
  const spend = status.spend_today;
  const idle = status.workers.flatMap((w) => Object.entries(w.idle ?? {}).map(([loop, why]) => [w.registration.id, loop, String(why)]));
  return page('Overview', null,
    h('div', { class: 'grid' },
      section('Queue',
        h('ul', { class: 'counts', 'data-testid': 'queue-counts' }, STATES.map((st) => h('li', {},
          badge(st), h('strong', {}, String(counts[st] ?? 0)))))),
      section('Spend today',
        h('p', { class: 'big', 'data-testid': 'spend-today' }, usd(spend.settled_usd + spend.reserved_usd) +
          (status.day_budget_usd == null ? '' : ` of ${usd(status.day_budget_usd)}`)),
        h('p', {}, `${usd(spend.settled_usd)} settled, ${usd(spend.reserved_usd)} held; ${spend.calls} call(s); ` +
          (status.day_budget_usd == null ? 'no day budget set. ' : 'against the day budget ([budgets] day_usd). ') +
          'Each goal\'s spend against its budget is on its page.')),
      section('Workers',
        h('p', { class: 'big' }, String(status.workers.filter((w) => w.state === 'active').length)),
        h('p', {}, `active of ${status.workers.length}; leader: ${status.leader?.holder ?? 'none'}. `, link('/workers', 'All workers')))),
    section('Goals',
      goals.items.length === 0 ? h('p', { class: 'empty' }, 'No goals yet: add one below.') : progressChart(active.length ? active : goals.items, progressOf),
      table('Goals', ['Goal', 'Status', 'Progress', 'Deadline', 'Plan'], goals.items.map((g) => {
        const p = progressOf(g);
        return [
          link(`/goals/${g.id}`, `#${g.id} ${g.title}`),
          badge(g.status),
          p === null ? h('span', { class: 'muted' }, g.target ? 'no reading yet' : 'no target')
            : h('progress', { max: 100, value: Math.round(p * 100), 'aria-label': `${g.title} progress` }, `${Math.round(p * 100)}%`),
          time(g.deadline),
          g.plan_error ? h('span', { class: 'error' }, g.plan_error) : g.plan_version ? `v${g.plan_version}` : 'none yet',
        ];
      }), 'No goals yet.'),
      goalForm(ctx)),
    section('Why loops are idle',
      table('Idle reasons', ['Worker', 'Loop', 'Reason'], idle, 'No worker has reported.')));
}
