// Juggernaut dashboard: executive reports. The stored ones (newest first), "Make a report now",
// and one report: its HTML page shown in a sandboxed frame (fetched with the token in the
// header, so it is given as `srcdoc`: a link could not carry the token; the frame runs no script
// and keeps this page's Content-Security-Policy) and its Markdown. The sandbox allows only the
// same origin, so that this page can take the report's links: a task link opens the task here
// (the frame itself may not show the dashboard), an outside one opens in a new tab.

import { api, apiText } from '../api.js';
import { h, link, page, section, table, time, usd, actionButton } from '../dom.js';

const period = (r) => [time(r.since), ' to ', time(r.until)];

export async function list(ctx) {
  const page1 = await api('/api/reports?limit=100');
  const out = h('p', { class: 'error', role: 'alert' });
  const make = actionButton('Make a report now', async () => {
    const r = await api('/api/reports', { method: 'POST', body: {} });
    ctx.announce(`Report ${r.id} made`);
    location.hash = `#/reports/${r.id}`;
  }, { out, testid: 'make-report' });
  return page('Reports', 'The executive report: goal progress, work done with its evidence, spend, failures, approvals waiting, experiments and learnings.',
    h('div', { class: 'actions' }, make, h('span', { class: 'muted' }, 'Covers the last 7 days.'), out),
    table('Reports', ['Report', 'Period', 'Done', 'Failures', 'Spend', 'Made'], page1.items.map((r) => [
      link(`/reports/${r.id}`, `#${r.id} ${r.title}`), period(r), String(r.summary?.done ?? '—'),
      String(r.summary?.failures ?? '—'), r.summary?.spend_usd == null ? '—' : usd(r.summary.spend_usd),
      [time(r.created_at), ` by ${r.created_by}`],
    ]), 'No reports yet: make one now, or schedule the report task.'));
}

/** A click on a link in the report's frame: dashboard links here, others in a new tab. */
function follow(e) {
  const a = e.target.closest?.('a[href]');
  if (!a) return;
  e.preventDefault();
  const url = new URL(a.getAttribute('href'), location.href);
  if (url.origin === location.origin && url.hash.startsWith('#/')) location.hash = url.hash;
  else if (url.protocol === 'https:' || url.protocol === 'http:') window.open(url.href, '_blank', 'noopener,noreferrer');
}

/** Stored reports never change: their pages are kept while the tab lives. */
const pages = new Map();

export async function detail(ctx) {
  const [id] = ctx.params;
  const [r, html] = await Promise.all([
    api(`/api/reports/${id}`),
    pages.has(id) ? pages.get(id) : apiText(`/api/reports/${id}/html`),
  ]);
  pages.set(id, html);
  const frame = h('iframe', {
    class: 'report-frame', sandbox: 'allow-same-origin', title: `Report #${r.id}: ${r.title}`, referrerpolicy: 'no-referrer',
    'data-testid': 'report-frame',
  });
  frame.srcdoc = html;
  frame.addEventListener('load', () => frame.contentDocument?.addEventListener('click', follow));
  return page(`Report #${r.id}: ${r.title}`, null,
    h('p', { class: 'meta' }, 'Period ', period(r), ' · made ', time(r.created_at), ` by ${r.created_by}`,
      r.task ? [' · by task ', link(`/tasks/${r.task}`, `#${r.task}`)] : null, ' · ', link('/reports', 'All reports')),
    frame,
    section('Markdown',
      h('details', { id: `report-md-${r.id}` }, h('summary', {}, 'Show the Markdown'),
        h('pre', { class: 'markdown', 'data-testid': 'report-markdown' }, r.markdown))));
}
