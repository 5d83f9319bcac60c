// Juggernaut dashboard: the API client. The token lives in sessionStorage (this tab only) and
// goes in the Authorization header of every call, the event stream included: the stream is read
// with fetch() and a ReadableStream, never EventSource, so the token is never in a URL.

const KEY = 'juggernaut.token';

export const token = {
  get: () => sessionStorage.getItem(KEY),
  set: (t) => sessionStorage.setItem(KEY, t),
  clear: () => sessionStorage.removeItem(KEY),
};

/** The server said the token is not (or no longer) valid. */
export class Unauthorized extends Error {}

function headers(extra) {
  const t = token.get();
  return { ...(t ? { Authorization: `Bearer ${t}` } : {}), ...extra };
}

/** Calls `/api...`; returns the JSON body, throws `Unauthorized` on 401, else an Error. */
export async function api(path, { method = 'GET', body } = {}) {
  const init = { method, cache: 'no-store', headers: headers({ Accept: 'application/json' }) };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const r = await fetch(path, init);
  const data = await r.json().catch(() => null);
  if (r.status === 401) {
    token.clear();
    throw new Unauthorized(data?.error?.message ?? 'sign in again');
  }
  if (!r.ok) throw new Error(data?.error?.message ?? `${method} ${path}: HTTP ${r.status}`);
  return data;
}

/** Reads `/api...` as text (an HTML page, say) with the token in the header, never the URL. */
export async function apiText(path) {
  const r = await fetch(path, { cache: 'no-store', headers: headers({ Accept: 'text/html' }) });
  if (r.status === 401) {
    token.clear();
    throw new Unauthorized('sign in again');
  }
  if (!r.ok) {
    const data = await r.json().catch(() => null);
    throw new Error(data?.error?.message ?? `GET ${path}: HTTP ${r.status}`);
  }
  return r.text();
}

/** Parses one `text/event-stream` block into `{id, event, data}` (null for comments only). */
function parseBlock(block) {
  let id = null;
  let event = 'message';
  const data = [];
  for (const line of block.split(/\r\n|\r|\n/)) {
    if (line === '' || line.startsWith(':')) continue;
    const i = line.indexOf(':');
    const field = i < 0 ? line : line.slice(0, i);
    let value = i < 0 ? '' : line.slice(i + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'id') id = value;
    else if (field === 'event') event = value;
    else if (field === 'data') data.push(value);
  }
  return data.length === 0 && id === null ? null : { id, event, data: data.join('\n') };
}

/**
 * Follows `GET /api/events` until `signal` aborts: `onEvent({id, event, data})` for each event,
 * `onState('live' | 'reconnecting' | 'unauthorized')`. Reconnects with `Last-Event-ID` after a
 * drop, waiting longer after each failure (1 s up to 30 s).
 */
export async function follow({ onEvent, onState, signal }) {
  let last = null;
  let wait = 1000;
  while (!signal.aborted) {
    try {
      const r = await fetch('/api/events', {
        cache: 'no-store',
        signal,
        headers: headers({ Accept: 'text/event-stream', ...(last ? { 'Last-Event-ID': last } : {}) }),
      });
      if (r.status === 401) {
        token.clear();
        onState('unauthorized');
        return;
      }
      if (!r.ok || !r.body) throw new Error(`HTTP ${r.status}`);
      onState('live');
      wait = 1000;
      const reader = r.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        const blocks = buffer.split(/\r\n\r\n|\n\n|\r\r/);
        buffer = blocks.pop();
        for (const b of blocks) {
          const e = parseBlock(b);
          if (!e) continue;
          if (e.id !== null) last = e.id;
          onEvent(e);
        }
      }
    } catch (e) {
      if (signal.aborted) return;
    }
    onState('reconnecting');
    await new Promise((res) => setTimeout(res, wait));
    wait = Math.min(wait * 2, 30000);
  }
}
