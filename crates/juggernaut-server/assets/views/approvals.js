// Juggernaut dashboard: the approvals inbox. Each waiting task with its risk score, band and the
// factors that make it up (from `waiting.assessment`), approve (reason optional) or reject
// (reason required). Tasks decided here stay listed below with their live status.

import { api } from '../api.js';
import { h, link, badge, page, section, time, json } from '../dom.js';

/** Decided in this tab: task id → decision (kept while the tab lives). */
const decided = new Map();

function assessment(w) {
  const a = w?.assessment;
  if (!a) return h('p', {}, `Risk: ${w?.risk ?? 'unknown'} (no score recorded)`);
  return h('div', { class: 'risk' },
    h('p', {}, h('strong', {}, `Risk score ${a.score}`), ' ', badge(a.level)),
    h('ul', { class: 'factors', 'aria-label': 'What makes up the score' }, a.factors.map((f) => h('li', {},
      h('span', { class: 'points' }, `+${f.points}`), ` ${f.factor}: ${f.why}`))),
    a.tools?.length ? h('p', {}, `Tools: ${a.tools.join(', ')}`) : null);
}

function card(t, ctx) {
  const reasonId = `reason-${t.id}`;
  const out = h('p', { class: 'error', role: 'alert' });
  const reason = h('input', { id: reasonId, name: reasonId, type: 'text', maxlength: 2000 });
  const decide = (verb) => {
    const b = h('button', { type: 'button', class: verb === 'reject' ? 'danger' : '', 'data-testid': `${verb}-${t.id}` },
      verb === 'approve' ? 'Approve' : 'Reject');
    b.addEventListener('click', async () => {
      const text = reason.value.trim();
      if (verb === 'reject' && !text) {
        out.textContent = 'Say why you reject it.';
        reason.focus();
        return;
      }
      b.disabled = true;
      try {
        await api(`/api/approvals/${t.id}/${verb}`, { method: 'POST', body: { reason: text } });
        decided.set(t.id, verb === 'approve' ? 'approved' : 'rejected');
        reason.value = '';
        ctx.announce(`Task ${t.id} ${decided.get(t.id)}`);
        await ctx.refresh();
      } catch (e) {
        out.textContent = String(e.message ?? e);
        b.disabled = false;
      }
    });
    return b;
  };
  return h('article', { class: 'card approval', 'data-testid': `approval-${t.id}`, 'aria-labelledby': `ap-${t.id}` },
    h('h3', { id: `ap-${t.id}` }, link(`/tasks/${t.id}`, `#${t.id} ${t.title}`)),
    h('p', { class: 'meta' }, `${t.kind} · waiting since `, time(t.updated_at), t.goal_id ? [' · goal ', link(`/goals/${t.goal_id}`, `#${t.goal_id}`)] : null),
    h('p', {}, t.waiting?.reason ?? ''),
    assessment(t.waiting),
    h('details', { id: `input-${t.id}` }, h('summary', {}, 'Input'), json(t.input)),
    h('div', { class: 'decide' },
      h('label', { for: reasonId }, 'Reason'),
      reason,
      decide('approve'),
      decide('reject')),
    out);
}

export async function render(ctx) {
  const page1 = await api('/api/approvals?limit=100');
  const recent = await Promise.all([...decided.keys()].map((id) => api(`/api/tasks/${id}`).then((d) => d.task).catch(() => null)));
  return page('Approvals', 'Tasks the policy holds until a person decides. Approving lets the task run within what was scored.',
    h('div', { class: 'approvals', 'data-testid': 'approvals' },
      page1.items.length ? page1.items.map((t) => card(t, ctx)) : h('p', { class: 'empty' }, 'Nothing waits for approval.')),
    recent.some(Boolean) ? section('Decided here',
      h('ul', { class: 'decided' }, recent.filter(Boolean).map((t) => h('li', { 'data-testid': `decided-${t.id}` },
        link(`/tasks/${t.id}`, `#${t.id} ${t.title}`), ` ${decided.get(t.id)}, now `, badge(t.status))))) : null);
}
