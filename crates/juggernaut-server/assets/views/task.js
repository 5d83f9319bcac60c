// Juggernaut dashboard: one task. Its state timeline from its audit events, what it waits for,
// its evidence, its tool calls, its cost, and retry/cancel.

import { api } from '../api.js';
import { h, link, badge, page, section, table, time, usd, json, actionButton } from '../dom.js';

const TERMINAL = ['completed', 'failed', 'dead', 'cancelled', 'blocked'];

export async function render(ctx) {
  const [id] = ctx.params;
  const [d, costs] = await Promise.all([api(`/api/tasks/${id}`), api(`/api/costs?task=${id}`).catch(() => null)]);
  const t = d.task;
  const out = h('p', { class: 'error', role: 'alert' });
  const post = (verb, label) => actionButton(label, async () => {
    await api(`/api/tasks/${id}/${verb}`, { method: 'POST', body: {} });
    ctx.announce(`Task ${id}: ${verb} done`);
    await ctx.refresh();
  }, { out, cls: 'secondary' });
  const moves = d.events.filter((e) => e.to_status);
  const toolCost = d.tool_calls.reduce((a, c) => a + (c.cost_usd ?? 0), 0);
  return page(`Task #${t.id}: ${t.title}`, null,
    h('p', { class: 'meta' }, h('span', { 'data-testid': 'task-status' }, badge(t.status)),
      ` ${t.kind} · attempts ${t.attempts}/${t.max_attempts} · priority ${t.priority} · origin ${t.origin}`,
      t.goal_id ? [' · goal ', link(`/goals/${t.goal_id}`, `#${t.goal_id}`)] : null,
      t.parent_id ? [' · parent ', link(`/tasks/${t.parent_id}`, `#${t.parent_id}`)] : null),
    h('div', { class: 'actions' },
      ['failed', 'cancelled', 'dead'].includes(t.status) ? post('retry', 'Retry') : null,
      TERMINAL.includes(t.status) ? null : post('cancel', 'Cancel task'),
      t.status === 'waiting_approval' ? link('/approvals', 'Decide in the approvals inbox') : null,
      out),
    t.waiting ? section('Waiting for', h('p', {}, t.waiting.reason ?? t.waiting.type ?? ''), json(t.waiting)) : null,
    t.last_error ? section('Last error', h('pre', { class: 'error' }, t.last_error)) : null,
    section('Timeline',
      h('ol', { class: 'timeline', 'data-testid': 'timeline' }, moves.map((e) => h('li', {},
        time(e.at), ' ', e.from_status ? badge(e.from_status) : null, e.from_status ? ' → ' : null, badge(e.to_status),
        h('span', { class: 'muted' }, ` ${e.kind} by ${e.actor}`))))),
    h('div', { class: 'grid' },
      section('Evidence', t.evidence.length ? t.evidence.map((e) => json(e)) : h('p', { class: 'empty' }, 'No evidence yet.')),
      section('Cost',
        h('p', { class: 'big' }, costs ? usd(costs.spend.settled_usd + costs.spend.reserved_usd) : '—'),
        h('p', {}, costs ? `${costs.spend.calls} line(s) in the cost ledger (${usd(costs.spend.reserved_usd)} still held); ` : 'The cost ledger could not be read; ',
          `its tool calls report ${usd(toolCost)}.`))),
    section('Tool calls',
      table('Tool calls', ['Call', 'Tool', 'Status', 'Time', 'Arguments', 'Result'], d.tool_calls.map((c) => [
        `#${c.id} (attempt ${c.attempt})`, c.tool, badge(c.status === 'ok' ? 'completed' : 'failed'),
        `${(c.duration_us / 1000).toFixed(1)} ms`, json(c.arguments), h('pre', {}, c.error ?? c.result),
      ]), 'No tool calls.')),
    t.result ? section('Result', json(t.result)) : null,
    section('Input', json(t.input)),
    section('Events',
      table('Events', ['Id', 'When', 'Kind', 'Actor'], d.events.map((e) => [String(e.id), time(e.at), e.kind, e.actor]))));
}
