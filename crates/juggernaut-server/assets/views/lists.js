// Juggernaut dashboard: the list views. Dead letters (requeue), workers, schedules,
// escalations (acknowledge) and the audit log (filter by kind, task or actor; older pages).

import { api } from '../api.js';
import { h, link, badge, page, table, time, actionButton } from '../dom.js';

export async function deadLetters(ctx) {
  const list = await api('/api/dead-letters?limit=100');
  const out = h('p', { class: 'error', role: 'alert' });
  return page('Dead letters', 'Tasks out of attempts. Requeue sends one back with fresh attempts.', out,
    table('Dead letters', ['Task', 'Kind', 'Attempts', 'Last error', 'Died', ''], list.items.map((t) => [
      link(`/tasks/${t.id}`, `#${t.id} ${t.title}`), t.kind, `${t.attempts}/${t.max_attempts}`,
      h('span', { class: 'error' }, t.last_error ?? ''), time(t.finished_at),
      actionButton('Requeue', async () => {
        await api(`/api/dead-letters/${t.id}/requeue`, { method: 'POST' });
        ctx.announce(`Task ${t.id} requeued`);
        await ctx.refresh();
      }, { out, testid: `requeue-${t.id}` }),
    ]), 'No dead letters.'));
}

export async function workers() {
  const list = await api('/api/workers');
  return page('Workers', null,
    table('Workers', ['Worker', 'State', 'Roles', 'Kinds', 'Concurrency', 'In flight', 'Heartbeat', 'Idle'], list.map((w) => [
      w.registration.id, badge(w.state), w.registration.roles.join(', '), w.registration.kinds.join(', '),
      String(w.registration.concurrency), w.in_flight.map((id) => link(`/tasks/${id}`, `#${id} `)), time(w.heartbeat_at),
      h('ul', { class: 'idle' }, Object.entries(w.idle ?? {}).map(([k, v]) => h('li', {}, h('strong', {}, k), `: ${v}`))),
    ]), 'No workers registered.'));
}

export async function schedules() {
  const list = await api('/api/schedules');
  return page('Schedules', null,
    table('Schedules', ['Name', 'Cron', 'Kind', 'Title', 'Next fire', 'Last fired', 'Last task'], list.valid.map((sc) => [
      sc.name, h('code', {}, sc.cron), sc.kind, sc.title, time(sc.next_fire_at), time(sc.last_fired_at),
      sc.last_task_id ? link(`/tasks/${sc.last_task_id}`, `#${sc.last_task_id}`) : '—',
    ]), 'No schedules.'),
    list.invalid.length ? h('div', {}, h('h3', {}, 'Schedules that cannot fire'),
      table('Invalid schedules', ['Name', 'Why'], list.invalid.map((b) => [b.name, b.reason]))) : null);
}

export async function escalations(ctx) {
  const list = await api('/api/escalations?limit=100');
  const out = h('p', { class: 'error', role: 'alert' });
  return page('Escalations', 'Things a person should look at. Acknowledging says someone has.', out,
    table('Escalations', ['Level', 'Kind', 'Message', 'About', 'Count', 'Last', 'Acknowledged'], list.items.map((e) => [
      badge(e.level), e.kind, e.message,
      [e.task_id ? link(`/tasks/${e.task_id}`, `task #${e.task_id} `) : null, e.goal_id ? link(`/goals/${e.goal_id}`, `goal #${e.goal_id}`) : null],
      String(e.count), time(e.last_at),
      e.acked_at ? [`by ${e.acked_by} `, time(e.acked_at)] : actionButton('Acknowledge', async () => {
        await api(`/api/escalations/${e.id}/ack`, { method: 'POST', body: { note: '' } });
        ctx.announce(`Escalation ${e.id} acknowledged`);
        await ctx.refresh();
      }, { out, testid: `ack-${e.id}` }),
    ]), 'No escalations.'));
}

/** The audit log's filters, kept while the tab lives. */
const filters = { kind: '', task: '', actor: '', before: '' };

export async function audit(ctx) {
  const q = new URLSearchParams({ limit: '100' });
  for (const [k, v] of Object.entries(filters)) if (v) q.set(k, v);
  const list = await api(`/api/audit?${q}`);
  const field = (id, label) => h('div', { class: 'field' }, h('label', { for: `audit-${id}` }, label),
    h('input', { id: `audit-${id}`, name: id, value: filters[id] }));
  const form = h('form', { class: 'filters', 'aria-label': 'Filter the audit log' },
    field('kind', 'Kinds (comma list)'), field('task', 'Task id'), field('actor', 'Actor'),
    h('button', { type: 'submit' }, 'Filter'));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    for (const k of ['kind', 'task', 'actor']) filters[k] = form.querySelector(`#audit-${k}`).value.trim();
    filters.before = '';
    ctx.refresh();
  });
  return page('Audit log', 'Every change, newest first. The log is append-only.', form,
    table('Audit events', ['Id', 'When', 'Kind', 'Task', 'Goal', 'Change', 'Actor', 'Details'], list.items.map((e) => [
      String(e.id), time(e.at), e.kind, e.task_id ? link(`/tasks/${e.task_id}`, `#${e.task_id}`) : '',
      e.goal_id ? link(`/goals/${e.goal_id}`, `#${e.goal_id}`) : '',
      e.to_status ? [e.from_status ? badge(e.from_status) : null, e.from_status ? ' → ' : null, badge(e.to_status)] : '',
      e.actor, h('code', { class: 'details' }, JSON.stringify(e.data)),
    ]), 'No events match.'),
    h('div', { class: 'actions' },
      filters.before ? h('button', { type: 'button', class: 'secondary', onclick: () => { filters.before = ''; ctx.refresh(); } }, 'Newest') : null,
      list.next_cursor ? h('button', { type: 'button', class: 'secondary', onclick: () => { filters.before = String(list.next_cursor); ctx.refresh(); } }, 'Older') : null));
}
