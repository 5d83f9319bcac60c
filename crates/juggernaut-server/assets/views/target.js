// Juggernaut dashboard: the fields of a goal's measurable target, shared by the add-goal and
// edit-goal forms: where the number comes from (none, set by hand, a read-only SQL query on a
// configured data source, or a number at a JSON pointer in an HTTP response), the target value
// and its unit. Which source fields show follows the select through CSS alone, so a live
// re-render that keeps the chosen option keeps the right fields too.

import { h } from '../dom.js';

const KINDS = [['', 'No target'], ['manual', 'Set by hand'], ['sql', 'SQL query'], ['http_json', 'HTTP JSON']];

function field(id, label, attrs = {}, hint) {
  return h('div', { class: 'field' },
    h('label', { for: id }, label),
    h(attrs.tag ?? 'input', { id, name: id, ...attrs, tag: null, 'aria-describedby': hint ? `${id}-hint` : null }),
    hint ? h('small', { id: `${id}-hint` }, hint) : null);
}

/**
 * The target's fields with ids `${prefix}-...`, filled from `current` (a goal's `target`, or
 * nothing). Returns `{node, read}`: `read()` gives the target for a body (`null` for none), or
 * throws an Error naming the field that is wrong.
 */
export function targetFields(prefix, current) {
  const src = current?.source ?? {};
  const kind = current ? src.type : '';
  const select = h('select', { id: `${prefix}-src`, name: `${prefix}-src` },
    KINDS.map(([v, label]) => h('option', { value: v, selected: v === kind }, label)));
  const node = h('fieldset', { class: 'target-fields' },
    h('legend', {}, 'Measurable target'),
    h('div', { class: 'field' }, h('label', { for: `${prefix}-src` }, 'Metric source'), select),
    h('div', { class: 'only-sql' },
      field(`${prefix}-sql-source`, 'Data source name', { value: src.source ?? '', autocomplete: 'off' },
        'A [sources.NAME] in juggernaut.toml.'),
      field(`${prefix}-sql-query`, 'SQL query', { tag: 'textarea', rows: 2, spellcheck: 'false' },
        'Read-only; returns one number.')),
    h('div', { class: 'only-http_json' },
      field(`${prefix}-http-url`, 'URL', { type: 'url', value: src.url ?? '' }),
      field(`${prefix}-http-pointer`, 'JSON pointer', { value: src.pointer ?? '', placeholder: '/data/total' })),
    h('div', { class: 'only-target' },
      field(`${prefix}-target`, 'Target value', { type: 'number', step: 'any', value: current?.target ?? '' }),
      field(`${prefix}-unit`, 'Unit', { value: current?.unit ?? '', placeholder: 'USD, leads…' })));
  const query = node.querySelector(`#${prefix}-sql-query`);
  if (src.query) query.textContent = src.query;
  const read = () => {
    const v = (suffix) => node.querySelector(`#${prefix}-${suffix}`).value.trim();
    const type = select.value;
    if (!type) return null;
    const value = Number(v('target'));
    if (v('target') === '' || !Number.isFinite(value)) throw new Error('Target value: give a number.');
    let source;
    if (type === 'manual') source = { type };
    else if (type === 'sql') {
      if (!v('sql-source')) throw new Error('Data source name: give the configured source.');
      if (!v('sql-query')) throw new Error('SQL query: give the query.');
      source = { type, source: v('sql-source'), query: v('sql-query') };
    } else {
      if (!v('http-url')) throw new Error('URL: give the address to read.');
      source = { type, url: v('http-url'), pointer: v('http-pointer') };
    }
    return { source, target: value, unit: v('unit') };
  };
  return { node, read };
}
