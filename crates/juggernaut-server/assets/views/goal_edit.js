// Juggernaut dashboard: the goal page's edit form. It sends `PATCH /api/goals/{id}` with only
// the fields a person changed (title, description, target with its source, deadline, money
// budget, tags); the server checks the result like a new goal, and its refusal shows in the
// form's alert line.

import { api } from '../api.js';
import { h } from '../dom.js';
import { targetFields } from './target.js';

/** An ISO time as a `datetime-local` value in this browser's time zone ('' for none). */
function localInput(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

function field(id, label, attrs = {}, text) {
  return h('div', { class: 'field' },
    h('label', { for: id }, label),
    h(attrs.tag ?? 'input', { id, name: id, ...attrs, tag: null }, text ?? null));
}

/** What differs from goal `g` in the form's values, as a PATCH body. */
function changes(g, v, target) {
  const body = {};
  if (v('title') !== g.title) body.title = v('title');
  if (v('description') !== g.description) body.description = v('description');
  const tags = v('tags').split(',').map((t) => t.trim()).filter(Boolean);
  if (tags.join(',') !== g.tags.join(',')) body.tags = tags;
  if (v('deadline') !== localInput(g.deadline)) body.deadline = v('deadline') ? new Date(v('deadline')).toISOString() : null;
  if (JSON.stringify(target) !== JSON.stringify(g.target ?? null)) body.target = target;
  const was = g.budget?.money_usd ?? null;
  const now = v('budget') === '' ? null : Number(v('budget'));
  if (now !== was) {
    if (now !== null && !(now >= 0)) throw new Error('Budget (USD): give an amount of 0 or more.');
    body.budget_usd = now;
  }
  return body;
}

/** The edit form for goal `g` (active or paused), in a `<details>` kept open across renders. */
export function editForm(g, ctx) {
  const id = (name) => `goal-edit-${name}`;
  const out = h('p', { class: 'error', role: 'alert', 'data-testid': 'goal-edit-error' });
  const target = targetFields(id('target'), g.target);
  const form = h('form', { class: 'goal-form', 'aria-label': 'Edit this goal' },
    field(id('title'), 'Title', { required: true, maxlength: 500, value: g.title }),
    field(id('description'), 'Description', { tag: 'textarea', rows: 2 }, g.description),
    field(id('tags'), 'Tags (comma separated)', { value: g.tags.join(', ') }),
    field(id('deadline'), 'Deadline', { type: 'datetime-local', value: localInput(g.deadline) }),
    field(id('budget'), 'Budget (USD)', { type: 'number', min: 0, step: '0.01', value: g.budget?.money_usd ?? '' }),
    target.node,
    h('div', { class: 'form-end' }, h('button', { type: 'submit' }, 'Save changes'), out));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    out.textContent = '';
    const v = (name) => form.querySelector(`#${id(name)}`).value.trim();
    let body;
    try {
      body = changes(g, v, target.read());
    } catch (err) {
      out.textContent = err.message;
      return;
    }
    if (Object.keys(body).length === 0) {
      out.textContent = 'Nothing changed.';
      return;
    }
    try {
      await api(`/api/goals/${g.id}`, { method: 'PATCH', body });
      ctx.announce(`Goal ${g.id} saved: ${Object.keys(body).join(', ')} changed`);
      await ctx.refresh();
    } catch (err) {
      out.textContent = `Could not save: ${err.message ?? err}`;
    }
  });
  return h('details', { id: 'edit-goal', class: 'card' }, h('summary', {}, 'Edit goal'), form);
}
