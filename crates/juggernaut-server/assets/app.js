// Juggernaut dashboard: sign-in, hash routes, and live refresh. Each view is a function that
// reads the API and returns a node; an event on the stream re-renders the current view
// (debounced), keeping what a person is typing and where the focus is.

import { api, follow, token, Unauthorized } from './api.js';
import { h, link } from './dom.js';
import * as overview from './views/overview.js';
import * as goal from './views/goal.js';
import * as task from './views/task.js';
import * as approvals from './views/approvals.js';
import * as lists from './views/lists.js';
import * as experiments from './views/experiments.js';
import * as learnings from './views/learnings.js';
import * as reports from './views/reports.js';

const ROUTES = [
  [/^\/?$/, overview.render, 'Overview'],
  [/^\/goals\/(\d+)$/, goal.render, 'Goal'],
  [/^\/tasks\/(\d+)$/, task.render, 'Task'],
  [/^\/approvals$/, approvals.render, 'Approvals'],
  [/^\/dead-letters$/, lists.deadLetters, 'Dead letters'],
  [/^\/workers$/, lists.workers, 'Workers'],
  [/^\/schedules$/, lists.schedules, 'Schedules'],
  [/^\/escalations$/, lists.escalations, 'Escalations'],
  [/^\/audit$/, lists.audit, 'Audit log'],
  [/^\/experiments$/, experiments.list, 'Experiments'],
  [/^\/experiments\/(\d+)$/, experiments.detail, 'Experiment'],
  [/^\/learnings$/, learnings.render, 'Learnings'],
  [/^\/reports$/, reports.list, 'Reports'],
  [/^\/reports\/(\d+)$/, reports.detail, 'Report', { still: true }],
];

const NAV = [['/', 'Overview'], ['/approvals', 'Approvals'], ['/dead-letters', 'Dead letters'],
  ['/workers', 'Workers'], ['/schedules', 'Schedules'], ['/escalations', 'Escalations'],
  ['/experiments', 'Experiments'], ['/learnings', 'Learnings'], ['/reports', 'Reports'],
  ['/audit', 'Audit log']];

const main = document.getElementById('main');
const nav = document.getElementById('nav');
const who = document.getElementById('who');
const live = document.getElementById('live');
const announcer = document.getElementById('announce');

let stream = null;
let timer = null;
let rendering = false;
let again = false;

/** Says something to screen readers (and shows it briefly). */
export function announce(text) {
  announcer.textContent = '';
  announcer.textContent = text;
}

function route() {
  return location.hash.replace(/^#/, '') || '/';
}

function signIn(message) {
  stream?.abort();
  stream = null;
  nav.replaceChildren();
  who.replaceChildren();
  live.textContent = '';
  const input = h('input', { id: 'token', name: 'token', type: 'password', autocomplete: 'off', required: true, spellcheck: 'false' });
  const error = h('p', { class: 'error', role: 'alert' }, message ?? '');
  const form = h('form', { class: 'card signin', 'aria-labelledby': 'signin-h' },
    h('h2', { id: 'signin-h' }, 'Sign in'),
    h('p', {}, 'Paste an API token (', h('code', {}, 'juggernaut token create --name NAME --role viewer'), '). It is kept in this tab only.'),
    h('label', { for: 'token' }, 'API token'),
    input,
    h('button', { type: 'submit' }, 'Sign in'),
    error);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    token.set(input.value.trim());
    try {
      await start();
    } catch (err) {
      token.clear();
      error.textContent = err instanceof Unauthorized ? 'That token is not valid.' : String(err.message ?? err);
    }
  });
  document.title = 'Sign in · Juggernaut';
  main.replaceChildren(form);
  input.focus();
}

async function start() {
  const me = await api('/api/tokens/whoami');
  who.replaceChildren(
    h('span', {}, `${me.name} (${me.role})`),
    h('button', { type: 'button', class: 'link', onclick: () => { token.clear(); signIn('Signed out.'); } }, 'Sign out'));
  nav.replaceChildren(h('ul', {}, NAV.map(([r, label]) => h('li', {}, link(r, label)))));
  connect();
  await render(true);
}

function connect() {
  stream?.abort();
  stream = new AbortController();
  follow({
    signal: stream.signal,
    onEvent: () => schedule(),
    onState: (state) => {
      if (state === 'unauthorized') return signIn('Your token is no longer valid: sign in again.');
      live.textContent = state === 'live' ? '● live' : '○ reconnecting…';
      live.dataset.state = state;
      if (state === 'live') schedule();
    },
  });
}

/** Re-renders the current view after events stop arriving for a moment. */
function schedule() {
  clearTimeout(timer);
  timer = setTimeout(() => render(false), 300);
}

function markNav(path) {
  for (const a of nav.querySelectorAll('a')) {
    const target = a.getAttribute('href').slice(1);
    if (target === path || (target !== '/' && path.startsWith(target))) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
}

/** Renders the route; `fresh` (a navigation) moves focus to the heading. */
async function render(fresh) {
  if (!token.get()) return signIn();
  if (rendering) { again = true; return; }
  rendering = true;
  const path = route();
  const match = ROUTES.map(([re, view, name, opts]) => [path.match(re), view, name, opts]).find(([m]) => m);
  // A page that never changes (a stored report) is drawn on navigation only, not on events.
  if (!fresh && match?.[3]?.still && main.querySelector('.view')) {
    rendering = false;
    return;
  }
  try {
    if (!match) {
      main.replaceChildren(h('section', { class: 'card' }, h('h2', {}, 'Not found'), h('p', {}, 'No such page. '), link('/', 'Back to the overview')));
      return;
    }
    const [m, view, name] = match;
    const node = await view({ params: m.slice(1), refresh: () => render(false), announce });
    if (path !== route()) return;
    document.title = `${name} · Juggernaut`;
    swap(node, fresh);
    markNav(path);
  } catch (err) {
    if (err instanceof Unauthorized) return signIn('Your token is no longer valid: sign in again.');
    const box = h('p', { class: 'error', role: 'alert' }, `Could not load this page: ${err.message ?? err}`);
    main.replaceChildren(box);
  } finally {
    rendering = false;
    if (again) { again = false; schedule(); }
  }
}

/** Replaces the view, keeping typed values, open details and the focused control. */
function swap(node, fresh) {
  const kept = new Map();
  for (const el of main.querySelectorAll('input[id], textarea[id], select[id]')) {
    if (el.type !== 'checkbox' && el.value !== el.defaultValue) kept.set(el.id, el.value);
  }
  const open = new Set([...main.querySelectorAll('details[id][open]')].map((d) => d.id));
  const focused = document.activeElement?.id && main.contains(document.activeElement) ? document.activeElement.id : null;
  main.replaceChildren(node);
  for (const [id, value] of kept) {
    const el = document.getElementById(id);
    if (el) el.value = value;
  }
  for (const id of open) document.getElementById(id)?.setAttribute('open', '');
  if (fresh) main.querySelector('.page-title')?.focus({ preventScroll: false });
  else if (focused) document.getElementById(focused)?.focus({ preventScroll: true });
}

window.addEventListener('hashchange', () => render(true));
if (token.get()) start().catch((err) => signIn(err instanceof Unauthorized ? 'Sign in again.' : String(err.message ?? err)));
else signIn();
