// The dashboard's state in the URL, so that a copied link reopens the same
// view. TensorBoard's host page keeps its hash as `#<plugin>&key=value&...`
// (keys and values URI-encoded; its tf_storage reads keys `p.<plugin>.<key>`);
// the dashboard's keys are `p.weights.<key>`. Every other key, and the
// leading plugin id, is kept as it is.
//
// The parsing and serialising functions are pure; only readLocationHash(),
// writeLocationHash() and onLocationHashChange() touch `window`.

/** The prefix of the dashboard's keys in the hash. */
export const KEY_PREFIX = 'p.weights.';

/**
 * Keys the dashboard itself uses; every other `p.weights.*` key belongs to
 * the main view's state ({@link UrlState} `view`).
 */
const OWN_KEYS = ['runs', 'variable', 'overview_field', 'overview_run', 'tree_field'];

/**
 * The dashboard's state as kept in the URL. Null (or an empty `view`) means
 * "not in the URL".
 * @typedef {{
 *   runs: ?Array<string>,
 *   variable: ?string,
 *   overviewField: ?string,
 *   overviewRun: ?string,
 *   treeField: ?string,
 *   view: !Object<string, string>,
 * }}
 *     `runs`: the selected runs; `variable`: the selected variable's path;
 *     `overviewField`/`overviewRun`: the model overview's statistic and run;
 *     `treeField`: the statistic of the tree's column; `view`: the main
 *     view's state (its `viewState()`), keys without the prefix.
 */
export let UrlState;

/**
 * A hash split into its leading token (the plugin id, which has no `=`) and
 * its `key=value` entries, in order, decoded.
 * @typedef {{head: ?string, entries: !Array<!Array<string>>}}
 */
export let HashParts;

/**
 * `decodeURIComponent` that leaves malformed text (a stray `%`) as it is.
 * @param {string} text
 * @return {string}
 */
function decode(text) {
  try {
    return decodeURIComponent(text);
  } catch (e) {
    return text;
  }
}

/**
 * Splits a location hash (with or without its `#`) as TensorBoard does: a
 * token without `=` is the plugin id, the others are `key=value`.
 * @param {string} hash
 * @return {!HashParts}
 */
export function parseHash(hash) {
  const text = hash.startsWith('#') ? hash.slice(1) : hash;
  /** @type {?string} */
  let head = null;
  /** @type {!Array<!Array<string>>} */
  const entries = [];
  for (const token of text.split('&')) {
    if (token === '') continue;
    const at = token.indexOf('=');
    if (at < 0) {
      if (head === null) head = decode(token);
      continue;
    }
    entries.push([decode(token.slice(0, at)), decode(token.slice(at + 1))]);
  }
  return {head, entries};
}

/**
 * The hash text of parts, with its `#` (`''` when empty).
 * @param {!HashParts} parts
 * @return {string}
 */
export function formatHash({head, entries}) {
  const tokens = head ? [encodeURIComponent(head)] : [];
  for (const [key, value] of entries) tokens.push(`${encodeURIComponent(key)}=${encodeURIComponent(value)}`);
  return tokens.length ? `#${tokens.join('&')}` : '';
}

/**
 * A list of run names as one value: names joined by `,`, with `%` and `,`
 * inside a name percent-encoded so that any name survives.
 * @param {!Array<string>} runs
 * @return {string}
 */
export function encodeRunList(runs) {
  return runs.map((run) => run.replace(/%/g, '%25').replace(/,/g, '%2C')).join(',');
}

/**
 * The inverse of {@link encodeRunList}.
 * @param {string} text
 * @return {!Array<string>}
 */
export function decodeRunList(text) {
  if (text === '') return [];
  return text.split(',').map((name) => name.replace(/%2C/gi, ',').replace(/%25/g, '%'));
}

/**
 * An empty state: nothing kept in the URL.
 * @return {!UrlState}
 */
export function emptyState() {
  return {runs: null, variable: null, overviewField: null, overviewRun: null, treeField: null, view: {}};
}

/**
 * The dashboard's state in a location hash.
 * @param {string} hash  e.g. `#weights&p.weights.runs=a%2Cb&p.weights.step=3`.
 * @return {!UrlState}
 */
export function readState(hash) {
  const state = emptyState();
  for (const [key, value] of parseHash(hash).entries) {
    if (!key.startsWith(KEY_PREFIX)) continue;
    const name = key.slice(KEY_PREFIX.length);
    if (name === 'runs') state.runs = decodeRunList(value);
    else if (name === 'variable') state.variable = value || null;
    else if (name === 'overview_field') state.overviewField = value || null;
    else if (name === 'overview_run') state.overviewRun = value || null;
    else if (name === 'tree_field') state.treeField = value || null;
    else if (name) state.view[name] = value;
  }
  return state;
}

/**
 * `hash` with the dashboard's keys replaced by `state`'s: the plugin id and
 * every other key stay, in place; the dashboard's keys follow them in a
 * fixed order. Null fields, empty view values and the main view's keys not
 * in `state.view` are dropped.
 * @param {string} hash
 * @param {!UrlState} state
 * @param {string=} plugin  The plugin id to put first when the hash has none.
 * @return {string}  With its `#`.
 */
export function writeState(hash, state, plugin = 'weights') {
  const parts = parseHash(hash);
  const entries = parts.entries.filter(([key]) => !key.startsWith(KEY_PREFIX));
  /** @param {string} name @param {?string} value */
  const add = (name, value) => {
    if (value !== null && value !== undefined) entries.push([KEY_PREFIX + name, value]);
  };
  add('runs', state.runs ? encodeRunList(state.runs) : null);
  add('variable', state.variable);
  add('overview_field', state.overviewField);
  add('overview_run', state.overviewRun);
  add('tree_field', state.treeField);
  for (const name of Object.keys(state.view).sort()) {
    // A view key that collides with one of ours cannot be kept apart.
    const value = String(state.view[name]);
    // An empty value is the view's default: left out to keep links short.
    if (!OWN_KEYS.includes(name) && name && value !== '') add(name, value);
  }
  return formatHash({head: parts.head ?? plugin, entries});
}

/**
 * The window whose URL is the page's: TensorBoard's host page when the
 * plugin iframe can reach it (same origin), else the iframe's own.
 * @return {!Window}
 */
function hostWindow() {
  try {
    const top = window.top;
    // Reading the hash throws for a cross-origin top.
    if (top && typeof top.location.hash === 'string') return top;
  } catch (e) {
    // Cross-origin: use our own location.
  }
  return window;
}

/**
 * The page's location hash (TensorBoard's, when reachable).
 * @return {string}
 */
export function readLocationHash() {
  return hostWindow().location.hash;
}

/**
 * Replaces the page's location hash without a history entry (and without a
 * `hashchange` event).
 * @param {string} hash  With its `#`.
 */
export function writeLocationHash(hash) {
  const host = hostWindow();
  if (host.location.hash === hash || (hash === '' && host.location.hash === '#')) return;
  const url = new URL(host.location.href);
  url.hash = hash;
  host.history.replaceState(host.history.state, '', url.toString());
}

/**
 * Calls `listener` when the page's location hash changes other than by
 * {@link writeLocationHash}: a link pasted or edited in the address bar, or
 * TensorBoard switching dashboards.
 * @param {function()} listener
 */
export function onLocationHashChange(listener) {
  hostWindow().addEventListener('hashchange', () => listener());
}
