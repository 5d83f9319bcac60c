// Juggernaut dashboard: DOM helpers. Every piece of server text goes through text nodes or
// attributes set one by one; nothing is ever parsed as HTML.

const SVG_NS = 'http://www.w3.org/2000/svg'; // an XML namespace name, not a URL that is fetched

function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

function apply(el, attrs) {
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  return el;
}

/** An HTML element: `h('button', {type: 'button', onclick}, 'Approve')`. */
export function h(tag, attrs, ...children) {
  return append(apply(document.createElement(tag), attrs), children);
}

/** An SVG element. */
export function s(tag, attrs, ...children) {
  return append(apply(document.createElementNS(SVG_NS, tag), attrs), children);
}

/** A link to a hash route. */
export function link(route, ...children) {
  return h('a', { href: `#${route}` }, ...children);
}

/** A status badge (the status names a CSS class from a closed list). */
const KNOWN = new Set(['pending', 'ready', 'running', 'verifying', 'awaiting_external',
  'waiting_approval', 'completed', 'failed', 'dead', 'cancelled', 'blocked', 'active', 'paused',
  'achieved', 'missed', 'draining', 'lost', 'low', 'medium', 'high', 'info', 'warning',
  'critical', 'concluded', 'stopped', 'met', 'on_track', 'at_risk', 'insufficient_data',
  'succeeded', 'winner', 'no_difference', 'inconclusive']);
export function badge(status) {
  const cls = KNOWN.has(status) ? `badge b-${status}` : 'badge';
  return h('span', { class: cls, 'data-status': status }, String(status).replaceAll('_', ' '));
}

export function time(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  return h('time', { datetime: iso, title: iso }, d.toLocaleString());
}

export function usd(n) {
  return `$${Number(n ?? 0).toFixed(2)}`;
}

/** A table with a caption; `rows` are arrays of cells (nodes or text). */
export function table(caption, head, rows, empty = 'Nothing here.') {
  if (rows.length === 0) return h('p', { class: 'empty' }, empty);
  return h('div', { class: 'table-wrap' },
    h('table', {},
      h('caption', { class: 'sr-only' }, caption),
      h('thead', {}, h('tr', {}, head.map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, rows.map((r) => h('tr', {}, r.map((c) => h('td', {}, c)))))));
}

/** A labelled card section. */
export function section(title, ...children) {
  const id = `s-${title.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
  return h('section', { class: 'card', 'aria-labelledby': id }, h('h2', { id }, title), ...children);
}

/** Pretty JSON as text. */
export function json(value) {
  return h('pre', { class: 'json' }, JSON.stringify(value, null, 2));
}

/** A view's top: its heading (focused on navigation) and an optional line under it. */
export function page(title, lead, ...children) {
  return h('div', { class: 'view' },
    h('h2', { class: 'page-title', tabindex: '-1' }, title),
    lead ? h('p', { class: 'lead' }, lead) : null,
    ...children);
}

/** A button that runs `action`, disabled while it does; errors go to `out` (role=alert). */
export function actionButton(label, action, { out, cls, testid } = {}) {
  const b = h('button', { type: 'button', class: cls, 'data-testid': testid }, label);
  b.addEventListener('click', async () => {
    b.disabled = true;
    try {
      await action();
    } catch (e) {
      if (out) out.textContent = String(e.message ?? e);
      b.disabled = false;
      if (e?.constructor?.name === 'Unauthorized') throw e;
    }
  });
  return b;
}
