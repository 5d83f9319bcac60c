// Juggernaut dashboard: learnings, what terminal tasks taught (deduplicated, counted). Filter by
// kind, outcome and tag, retired ones too if asked; edit one's summary and tags (later captures
// keep a person's edit); retire one (no prompt shows it again) or bring it back.

import { api } from '../api.js';
import { h, link, badge, page, time, actionButton } from '../dom.js';

/** The filters, kept while the tab lives. */
const filters = { kind: '', outcome: '', tag: '', all: false, before: '' };

function filterForm(ctx) {
  const input = (id, label) => h('div', { class: 'field' }, h('label', { for: `learn-${id}` }, label),
    h('input', { id: `learn-${id}`, name: id, value: filters[id], autocomplete: 'off' }));
  const outcome = h('select', { id: 'learn-outcome', name: 'outcome' },
    ['', 'succeeded', 'failed', 'dead', 'cancelled'].map((o) => h('option', { value: o, selected: o === filters.outcome }, o || 'Any')));
  const all = h('input', { id: 'learn-all', name: 'all', type: 'checkbox', checked: filters.all });
  const form = h('form', { class: 'filters', 'aria-label': 'Filter the learnings' },
    input('kind', 'Kind'),
    h('div', { class: 'field' }, h('label', { for: 'learn-outcome' }, 'Outcome'), outcome),
    input('tag', 'Tag'),
    h('div', { class: 'field check' }, all, h('label', { for: 'learn-all' }, 'Include retired')),
    h('button', { type: 'submit' }, 'Filter'));
  // A checkbox is not kept across a live re-render, so it (and the select) applies at once.
  for (const el of [outcome, all]) {
    el.addEventListener('change', () => {
      filters.outcome = outcome.value;
      filters.all = all.checked;
      filters.before = '';
      ctx.refresh();
    });
  }
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    filters.kind = form.querySelector('#learn-kind').value.trim();
    filters.tag = form.querySelector('#learn-tag').value.trim();
    filters.outcome = outcome.value;
    filters.all = all.checked;
    filters.before = '';
    ctx.refresh();
  });
  return form;
}

function editor(l, ctx, out) {
  const sid = `learn-summary-${l.id}`;
  const tid = `learn-tags-${l.id}`;
  const form = h('form', { class: 'learning-edit', 'aria-label': `Edit learning ${l.id}` },
    h('label', { for: sid }, 'Summary'),
    h('textarea', { id: sid, name: 'summary', rows: 3, maxlength: 2000 }, l.summary),
    h('label', { for: tid }, 'Tags (comma separated)'),
    h('input', { id: tid, name: 'tags', value: l.tags.join(', ') }),
    h('button', { type: 'submit', 'data-testid': `save-learning-${l.id}` }, 'Save'));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    out.textContent = '';
    const summary = form.querySelector(`#${sid}`).value.trim();
    const tags = form.querySelector(`#${tid}`).value.split(',').map((t) => t.trim()).filter(Boolean);
    const body = {};
    if (summary !== l.summary) body.summary = summary;
    if (tags.join(',') !== l.tags.join(',')) body.tags = tags;
    if (Object.keys(body).length === 0) { out.textContent = 'Nothing changed.'; return; }
    try {
      await api(`/api/learnings/${l.id}`, { method: 'PATCH', body });
      ctx.announce(`Learning ${l.id} saved`);
      await ctx.refresh();
    } catch (err) {
      out.textContent = `Could not save: ${err.message ?? err}`;
    }
  });
  return h('details', { id: `learn-edit-${l.id}` }, h('summary', {}, 'Edit summary and tags'), form);
}

function card(l, ctx) {
  const out = h('p', { class: 'error', role: 'alert' });
  const retire = (retired) => actionButton(retired ? 'Retire' : 'Bring back', async () => {
    await api(`/api/learnings/${l.id}/retire`, { method: 'POST', body: { retired } });
    ctx.announce(`Learning ${l.id} ${retired ? 'retired' : 'brought back'}`);
    await ctx.refresh();
  }, { out, cls: 'secondary', testid: `${retired ? 'retire' : 'unretire'}-learning-${l.id}` });
  return h('article', { class: 'card learning', 'data-testid': `learning-${l.id}`, 'aria-labelledby': `learn-h-${l.id}` },
    h('h3', { id: `learn-h-${l.id}` }, `#${l.id} ${l.title}`),
    h('p', { class: 'meta' }, badge(l.outcome), ` ${l.kind} · seen ${l.count}× · last `, time(l.last_seen),
      l.last_task ? [' · task ', link(`/tasks/${l.last_task}`, `#${l.last_task}`)] : null,
      l.goal_id ? [' · goal ', link(`/goals/${l.goal_id}`, `#${l.goal_id}`)] : null,
      l.retired_at ? [' · retired by ', l.retired_by ?? '?', ' '] : null, l.retired_at ? time(l.retired_at) : null),
    h('p', { 'data-testid': `learning-summary-${l.id}` }, l.summary),
    l.error ? h('pre', { class: 'error' }, l.error) : null,
    h('p', { class: 'muted' }, `Tags: ${l.tags.join(', ') || 'none'} · tools: ${l.tools.join(', ') || 'none'}`,
      l.edited_at ? [` · edited by ${l.edited_by ?? '?'} `, time(l.edited_at)] : null),
    h('div', { class: 'actions' }, retire(!l.retired_at)),
    editor(l, ctx, out),
    out);
}

export async function render(ctx) {
  const q = new URLSearchParams({ limit: '50' });
  for (const k of ['kind', 'outcome', 'tag', 'before']) if (filters[k]) q.set(k, filters[k]);
  if (filters.all) q.set('all', 'true');
  const list = await api(`/api/learnings?${q}`);
  return page('Learnings', 'What finished tasks taught, counted each time it is seen again; the most relevant go into the planner\'s and the agent\'s prompts.',
    filterForm(ctx),
    h('div', { class: 'learnings', 'data-testid': 'learnings' },
      list.items.length ? list.items.map((l) => card(l, ctx)) : h('p', { class: 'empty' }, 'No learnings match.')),
    h('div', { class: 'actions' },
      filters.before ? h('button', { type: 'button', class: 'secondary', onclick: () => { filters.before = ''; ctx.refresh(); } }, 'Newest') : null,
      list.next_cursor ? h('button', { type: 'button', class: 'secondary', onclick: () => { filters.before = String(list.next_cursor); ctx.refresh(); } }, 'Older') : null));
}
