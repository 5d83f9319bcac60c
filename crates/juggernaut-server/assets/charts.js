// Juggernaut dashboard: charts drawn as inline SVG (no library): goals' progress against
// target and deadline, a metric's series with its forecast, an experiment's rates per
// iteration, and a plan's task graph.

import { s } from './dom.js';

const pct = (x) => `${Math.round(x * 100)}%`;

/** How far through its time a goal is, in [0, 1], or null without a deadline. */
export function timeElapsed(goal, now = Date.now()) {
  if (!goal.deadline) return null;
  const start = Date.parse(goal.created_at);
  const end = Date.parse(goal.deadline);
  if (!(end > start)) return 1;
  return Math.min(1, Math.max(0, (now - start) / (end - start)));
}

/**
 * One row per goal: a bar for progress towards its target, and a tick where it should be by
 * now if progress were even from creation to deadline (behind that tick: drawn as behind).
 */
export function progressChart(goals, progressOf) {
  const rowH = 34;
  const w = 600;
  const labelW = 200;
  const barW = w - labelW - 60;
  const height = Math.max(1, goals.length) * rowH + 24;
  const rows = goals.map((g, i) => {
    const p = progressOf(g);
    const t = timeElapsed(g);
    const y = i * rowH + 6;
    const behind = p !== null && t !== null && p < t;
    const label = g.title.length > 28 ? `${g.title.slice(0, 27)}…` : g.title;
    return s('g', { class: 'chart-row' },
      s('title', {}, `${g.title}: ${p === null ? 'no reading yet' : pct(p)} of target` +
        (t === null ? '' : `, ${pct(t)} of the time to the deadline gone`)),
      s('text', { x: 0, y: y + 15, class: 'chart-label' }, label),
      s('rect', { x: labelW, y, width: barW, height: 20, rx: 3, class: 'bar-bg' }),
      p === null ? null : s('rect', {
        x: labelW, y, width: Math.max(0, Math.min(1, p)) * barW, height: 20, rx: 3,
        class: behind ? 'bar behind' : 'bar',
      }),
      t === null ? null : s('line', {
        x1: labelW + t * barW, x2: labelW + t * barW, y1: y - 3, y2: y + 23, class: 'deadline-tick',
      }),
      s('text', { x: labelW + barW + 8, y: y + 15, class: 'chart-value' },
        p === null ? '—' : pct(p)));
  });
  return s('svg', {
    viewBox: `0 0 ${w} ${height}`, width: w, height, class: 'chart', role: 'img',
    'aria-label': 'Goals: progress towards target; the tick marks the time to the deadline gone',
  },
  rows,
  s('text', { x: labelW, y: height - 4, class: 'chart-legend' },
    'bar: progress to target · tick: share of time to deadline gone'));
}

/** The projection a forecast draws, or null: only a forecast with a rate has one. */
function projection(forecast) {
  if (!forecast || !['on_track', 'at_risk'].includes(forecast.status)) return null;
  const vals = [forecast.projected, forecast.low, forecast.high];
  return vals.every(Number.isFinite) ? forecast : null;
}

/**
 * A metric's readings over time, with the target as a dashed line and the deadline; with a
 * forecast that has a rate, a dashed projection from the last reading to the deadline and its
 * 90% interval (low..high) drawn at the deadline.
 */
export function metricChart(points, { target, deadline, unit, forecast } = {}) {
  const w = 600;
  const hgt = 220;
  const pad = { l: 56, r: 16, t: 12, b: 28 };
  if (points.length === 0) return null;
  const f = deadline ? projection(forecast) : null;
  const xs = points.map((p) => Date.parse(p.at));
  let x0 = Math.min(...xs);
  let x1 = Math.max(...xs, deadline ? Date.parse(deadline) : -Infinity);
  if (x1 <= x0) x1 = x0 + 1;
  const vals = points.map((p) => p.value).concat(target === undefined ? [] : [target], f ? [f.low, f.high] : []);
  let y0 = Math.min(0, ...vals);
  let y1 = Math.max(...vals);
  if (y1 <= y0) y1 = y0 + 1;
  const X = (t) => pad.l + ((t - x0) / (x1 - x0)) * (w - pad.l - pad.r);
  const Y = (v) => hgt - pad.b - ((v - y0) / (y1 - y0)) * (hgt - pad.t - pad.b);
  const path = points.map((p, i) => `${i ? 'L' : 'M'}${X(Date.parse(p.at)).toFixed(1)},${Y(p.value).toFixed(1)}`).join(' ');
  const fmt = (v) => (Math.abs(v) >= 1000 ? v.toExponential(2) : String(Math.round(v * 100) / 100));
  const last = points[points.length - 1];
  return s('svg', {
    viewBox: `0 0 ${w} ${hgt}`, width: w, height: hgt, class: 'chart', role: 'img', 'data-testid': 'metric-chart',
    'aria-label': `Metric: ${points.length} readings, latest ${fmt(last.value)}${unit ? ` ${unit}` : ''}` +
      (target === undefined ? '' : `, target ${fmt(target)}`) +
      (f ? `; projected ${fmt(f.projected)} by the deadline (90%: ${fmt(f.low)} to ${fmt(f.high)})` : ''),
  },
  s('line', { x1: pad.l, x2: pad.l, y1: pad.t, y2: hgt - pad.b, class: 'axis' }),
  s('line', { x1: pad.l, x2: w - pad.r, y1: hgt - pad.b, y2: hgt - pad.b, class: 'axis' }),
  s('text', { x: pad.l - 6, y: Y(y1) + 4, class: 'tick-label end' }, fmt(y1)),
  s('text', { x: pad.l - 6, y: Y(y0) + 4, class: 'tick-label end' }, fmt(y0)),
  s('text', { x: pad.l, y: hgt - 8, class: 'tick-label' }, new Date(x0).toLocaleDateString()),
  s('text', { x: w - pad.r, y: hgt - 8, class: 'tick-label end' }, new Date(x1).toLocaleDateString()),
  target === undefined ? null : s('line', { x1: pad.l, x2: w - pad.r, y1: Y(target), y2: Y(target), class: 'target-line' }),
  target === undefined ? null : s('text', { x: w - pad.r, y: Y(target) - 4, class: 'tick-label end' }, `target ${fmt(target)}`),
  deadline ? s('line', { x1: X(Date.parse(deadline)), x2: X(Date.parse(deadline)), y1: pad.t, y2: hgt - pad.b, class: 'deadline-line' }) : null,
  f ? forecastMarks(f, last, X(Date.parse(deadline)), X, Y, fmt) : null,
  s('path', { d: path, class: 'series' }),
  points.map((p) => s('circle', { cx: X(Date.parse(p.at)), cy: Y(p.value), r: 3, class: 'point' },
    s('title', {}, `${fmt(p.value)} at ${p.at} (${p.source})`))));
}

/** The projection line and the interval bar at the deadline (`xd`). */
function forecastMarks(f, last, xd, X, Y, fmt) {
  const xl = X(Date.parse(last.at));
  return s('g', { class: `forecast f-${f.status}`, 'data-testid': 'forecast-projection' },
    s('title', {}, `Projected ${fmt(f.projected)} by the deadline; 90% interval ${fmt(f.low)} to ${fmt(f.high)}`),
    s('line', { x1: xl, y1: Y(last.value), x2: xd, y2: Y(f.projected), class: 'projection' }),
    s('line', { x1: xd, x2: xd, y1: Y(f.low), y2: Y(f.high), class: 'interval' }),
    s('line', { x1: xd - 6, x2: xd + 6, y1: Y(f.low), y2: Y(f.low), class: 'interval' }),
    s('line', { x1: xd - 6, x2: xd + 6, y1: Y(f.high), y2: Y(f.high), class: 'interval' }),
    s('circle', { cx: xd, cy: Y(f.projected), r: 4, class: 'projected' }),
    s('text', { x: xd - 8, y: Math.max(Y(f.projected) - 6, 24), class: 'tick-label end' }, `projected ${fmt(f.projected)}`));
}

/**
 * An experiment's conversion rate (successes / trials) per iteration, one line per variant
 * (`variants`: names in the spec's order; at most eight colours).
 */
export function experimentChart(points, variants) {
  const w = 600;
  const hgt = 240;
  const pad = { l: 56, r: 16, t: 12, b: 52 };
  const rated = points.filter((p) => p.trials > 0).map((p) => ({ ...p, rate: p.successes / p.trials }));
  if (rated.length === 0) return null;
  const iters = rated.map((p) => p.iteration);
  const i0 = Math.min(...iters);
  const i1 = Math.max(...iters);
  const top = Math.max(...rated.map((p) => p.rate)) * 1.1 || 1;
  // One iteration so far: its points in the middle.
  const X = (i) => pad.l + (i1 > i0 ? (i - i0) / (i1 - i0) : 0.5) * (w - pad.l - pad.r);
  const Y = (r) => hgt - pad.b - (r / top) * (hgt - pad.t - pad.b);
  const pctOf = (r) => `${(r * 100).toFixed(r < 0.1 ? 2 : 1)}%`;
  const lines = variants.map((name, k) => {
    const mine = rated.filter((p) => p.variant === name).sort((a, b) => a.iteration - b.iteration);
    if (mine.length === 0) return null;
    const d = mine.map((p, i) => `${i ? 'L' : 'M'}${X(p.iteration).toFixed(1)},${Y(p.rate).toFixed(1)}`).join(' ');
    return s('g', { class: `variant v${k % 8}`, 'data-variant': name },
      s('path', { d, class: 'vline' }),
      mine.map((p) => s('circle', { cx: X(p.iteration), cy: Y(p.rate), r: 3.5, class: 'vdot' },
        s('title', {}, `${name}, iteration ${p.iteration}: ${p.successes} of ${p.trials} (${pctOf(p.rate)})`))));
  });
  const legend = variants.map((name, k) => s('g', { class: `variant v${k % 8}` },
    s('rect', { x: pad.l + k * 140, y: hgt - 18, width: 12, height: 12, class: 'vkey' }),
    s('text', { x: pad.l + k * 140 + 16, y: hgt - 8, class: 'chart-legend' }, name.length > 18 ? `${name.slice(0, 17)}…` : name)));
  return s('svg', {
    viewBox: `0 0 ${w} ${hgt}`, width: w, height: hgt, class: 'chart', role: 'img', 'data-testid': 'experiment-chart',
    'aria-label': `Conversion rate per iteration for ${variants.join(', ')}`,
  },
  s('line', { x1: pad.l, x2: pad.l, y1: pad.t, y2: hgt - pad.b, class: 'axis' }),
  s('line', { x1: pad.l, x2: w - pad.r, y1: hgt - pad.b, y2: hgt - pad.b, class: 'axis' }),
  s('text', { x: pad.l - 6, y: Y(top) + 4, class: 'tick-label end' }, pctOf(top)),
  s('text', { x: pad.l - 6, y: Y(0) + 4, class: 'tick-label end' }, '0%'),
  i1 > i0 ? s('text', { x: pad.l, y: hgt - pad.b + 16, class: 'tick-label' }, `iteration ${i0}`) : null,
  s('text', { x: i1 > i0 ? w - pad.r : X(i0), y: hgt - pad.b + 16, class: i1 > i0 ? 'tick-label end' : 'tick-label middle' }, `iteration ${i1}`),
  lines, legend);
}

/**
 * A plan as boxes and arrows: each task in the column of its longest chain of dependencies.
 * `nodeOf(task)` returns `{status, href}` for the task the plan enqueued, if known.
 */
export function planGraph(tasks, nodeOf) {
  const byKey = new Map(tasks.map((t) => [t.key, t]));
  const depth = new Map();
  const level = (t, seen = new Set()) => {
    if (depth.has(t.key)) return depth.get(t.key);
    if (seen.has(t.key)) return 0;
    seen.add(t.key);
    const d = Math.max(-1, ...t.depends_on.map((k) => (byKey.has(k) ? level(byKey.get(k), seen) : -1))) + 1;
    depth.set(t.key, d);
    return d;
  };
  tasks.forEach((t) => level(t));
  const cols = [];
  for (const t of tasks) (cols[depth.get(t.key)] ??= []).push(t);
  const bw = 180, bh = 54, gx = 60, gy = 18;
  const pos = new Map();
  cols.forEach((col, c) => col.forEach((t, r) => pos.set(t.key, { x: 10 + c * (bw + gx), y: 10 + r * (bh + gy) })));
  const w = 20 + cols.length * (bw + gx) - gx;
  const hgt = 20 + Math.max(...cols.map((c) => c.length)) * (bh + gy) - gy;
  const edges = tasks.flatMap((t) => t.depends_on.filter((k) => pos.has(k)).map((k) => {
    const a = pos.get(k);
    const b = pos.get(t.key);
    const x1 = a.x + bw, y1 = a.y + bh / 2, x2 = b.x - 6, y2 = b.y + bh / 2;
    const mx = (x1 + x2) / 2;
    return s('path', { d: `M${x1},${y1} C${mx},${y1} ${mx},${y2} ${x2},${y2}`, class: 'edge', 'marker-end': 'url(#arrow)' });
  }));
  const nodes = tasks.map((t) => {
    const p = pos.get(t.key);
    const n = nodeOf(t) ?? {};
    const status = n.status ?? 'not enqueued';
    const title = t.title.length > 24 ? `${t.title.slice(0, 23)}…` : t.title;
    const box = s('g', { class: `node n-${String(status).replace(/[^a-z_]/g, '')}`, 'data-key': t.key, 'data-status': status },
      s('title', {}, `${t.title} (${t.kind}): ${status}`),
      s('rect', { x: p.x, y: p.y, width: bw, height: bh, rx: 6 }),
      s('text', { x: p.x + 10, y: p.y + 22, class: 'node-title' }, title),
      s('text', { x: p.x + 10, y: p.y + 42, class: 'node-sub' }, `${t.kind} · ${String(status).replaceAll('_', ' ')}`));
    return n.href ? s('a', { href: n.href, 'aria-label': `${t.title}: ${status}` }, box) : box;
  });
  return s('svg', {
    viewBox: `0 0 ${w} ${hgt}`, class: 'chart plan', role: 'group', 'aria-label': `Plan: ${tasks.length} tasks`,
    width: w, height: hgt, 'data-testid': 'plan-graph',
  },
  s('defs', {}, s('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto' },
    s('path', { d: 'M0,0 L10,5 L0,10 z', class: 'arrow' }))),
  edges, nodes);
}
