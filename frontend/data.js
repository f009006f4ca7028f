// Data access: the plugin's HTTP routes (see tb_weights_plugin/http_api.md).
// URLs are relative to the iframe's base, `<...>/data/plugin/weights/`, so the
// same code works under TensorBoard's path prefix and experiment routes.

/**
 * @typedef {{run: string, steps: !Array<number>, models: !Array<string>}}
 */
export let RunInfo;

/**
 * A node of the hierarchy (FORMAT.md, "Hierarchy blob").
 * @typedef {{
 *   kind: string, name: string, path: string,
 *   class_name: (string|undefined),
 *   parameter_count: (number|undefined),
 *   trainable_parameter_count: (number|undefined),
 *   shared_with: (!Array<string>|undefined),
 *   children: (!Array<!TreeNode>|undefined),
 *   variable_name: (string|undefined),
 *   shape: (!Array<number>|undefined),
 *   dtype: (string|undefined),
 *   trainable: (boolean|undefined),
 *   tensor_tag: (string|undefined),
 *   statistics_tag: (string|undefined),
 *   target: (string|undefined),
 *   axis_names: (!Array<string>|undefined),
 *   filter_layout: ({tile_axes: !Array<number>, grid_axes: !Array<number>}|undefined),
 * }}
 */
export let TreeNode;

/**
 * @typedef {{run: string, step: number, models: !Array<!TreeNode>}}
 */
export let Tree;

/**
 * The display view of one tensor, with non-finite numbers decoded and the
 * reduced-storage fields filled in for answers that lack them (a tensor
 * stored whole, in its own dtype).
 *
 * `dtype` is the variable's, `stored_dtype` the one its values were stored
 * in (`reduced_precision` when they differ). When only every k-th element
 * along an axis of the view was stored, `subsample_strides` holds k per axis
 * (else null), `stored_view_shape` is the shape of the stored grid, and
 * stored index s along an axis is view index s·k. `values`, `values_shape`
 * and `block_shape` describe the stored grid (block means of it when
 * `downsampled`); `view_shape` is the whole view's.
 * @typedef {{
 *   run: string, tag: string, path: string, step: number, dtype: string,
 *   stored_dtype: string, reduced_precision: boolean,
 *   shape: !Array<number>, view_shape: !Array<number>,
 *   subsample_strides: ?Array<number>, stored_view_shape: !Array<number>,
 *   values_shape: !Array<number>, values: !Array<number>,
 *   downsampled: boolean, downsample_method: ?string,
 *   block_shape: !Array<number>, min: ?number, max: ?number,
 *   nan_count: number, inf_count: number,
 *   sliced: (boolean|undefined), layout: (string|undefined),
 *   selection_shape: (!Array<number>|undefined),
 *   grid_shape: (!Array<number>|undefined),
 *   window: ({rows: !Array<number>, columns: (!Array<number>|undefined)}|undefined),
 *   values_dtype: (string|undefined),
 *   selection_min: (?number|undefined), selection_max: (?number|undefined),
 *   window_min: (?number|undefined), window_max: (?number|undefined),
 *   window_nan_count: (number|undefined),
 *   window_posinf_count: (number|undefined),
 *   window_neginf_count: (number|undefined),
 *   diff: (?{base_run: string, base_step: number}|undefined),
 * }}
 * Slice-mode answers (see {@link getTensor}) add the fields after
 * `inf_count`.
 */
export let Tensor;

/**
 * @typedef {{step: number, edges: !Array<number>, counts: !Array<number>}}
 */
export let Histogram;

/**
 * `steps`: where statistics were logged; `tensor_steps`: where a full tensor
 * was (statistics may be logged more often). Answers without `tensor_steps`
 * had a tensor at every step.
 * @typedef {{
 *   run: string, tag: string, path: string, steps: !Array<number>,
 *   tensor_steps: !Array<number>, wall_times: !Array<number>,
 *   statistics: !Object<string, !Array<number>>,
 *   histograms: !Array<!Histogram>,
 * }}
 */
export let Stats;

/** An error answer of a route, carrying the server's message. */
export class ApiError extends Error {
  /**
   * @param {string} message
   * @param {number} status  HTTP status, 0 when the request itself failed.
   */
  constructor(message, status) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
  }
}

/**
 * Decodes a number the server may have sent as a string because JSON cannot
 * hold it (`"NaN"`, `"Infinity"`, `"-Infinity"`).
 * @param {*} value
 * @return {?number}  `null` stays `null`.
 */
export function decodeNumber(value) {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number') return value;
  if (value === 'NaN') return NaN;
  if (value === 'Infinity') return Infinity;
  if (value === '-Infinity') return -Infinity;
  if (typeof value === 'boolean') return value ? 1 : 0;
  return Number(value);
}

/**
 * @param {!Array<*>} values
 * @return {!Array<number>}
 */
export function decodeNumbers(values) {
  return (values || []).map((v) => {
    const n = decodeNumber(v);
    return n === null ? NaN : n;
  });
}

/**
 * Fetches a route and parses its JSON, turning error answers into
 * {@link ApiError} with the server's `error` message.
 * @param {string} route  e.g. `tree`.
 * @param {!Object<string, (string|number)>=} params
 * @return {!Promise<*>}
 */
async function fetchJson(route, params = {}) {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    query.set(key, String(value));
  }
  const url = query.toString() ? `./${route}?${query}` : `./${route}`;
  let response;
  try {
    response = await fetch(url, {headers: {Accept: 'application/json'}});
  } catch (e) {
    throw new ApiError(
      `Could not reach TensorBoard (${e instanceof Error ? e.message : e}).`,
      0,
    );
  }
  const text = await response.text();
  let body = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch (e) {
    body = null;
  }
  if (!response.ok) {
    const detail =
      body && typeof body.error === 'string'
        ? body.error
        : `${response.status} ${response.statusText}`.trim();
    throw new ApiError(detail, response.status);
  }
  if (body === null) {
    throw new ApiError(`The answer of /${route} is not JSON.`, response.status);
  }
  return body;
}

/**
 * A small map that forgets its oldest entries; it holds promises so that
 * concurrent requests for the same key share one fetch.
 */
class PromiseCache {
  /** @param {number} capacity */
  constructor(capacity) {
    this.capacity = capacity;
    /** @type {!Map<string, !Promise<*>>} */
    this.entries = new Map();
  }

  /**
   * @param {string} key
   * @param {function(): !Promise<*>} load
   * @return {!Promise<*>}
   */
  get(key, load) {
    let promise = this.entries.get(key);
    if (promise) {
      // Re-insert to mark as recently used.
      this.entries.delete(key);
      this.entries.set(key, promise);
      return promise;
    }
    promise = load();
    this.entries.set(key, promise);
    // A failed request is not cached: the next attempt asks again.
    promise.catch(() => {
      if (this.entries.get(key) === promise) this.entries.delete(key);
    });
    while (this.entries.size > this.capacity) {
      this.entries.delete(this.entries.keys().next().value);
    }
    return promise;
  }

  /** Forgets every entry. */
  clear() {
    this.entries.clear();
  }
}

const statsCache = new PromiseCache(64);
const tensorCache = new PromiseCache(96);

/**
 * The runs that hold weights data.
 * @return {!Promise<!Array<!RunInfo>>}
 */
export async function getRuns() {
  const body = await fetchJson('runs');
  return (body.runs || []).map((r) => ({
    run: String(r.run),
    steps: (r.steps || []).map(Number).sort((a, b) => a - b),
    models: (r.models || []).map(String),
  }));
}

/**
 * The variable hierarchy of a run at its latest step.
 * @param {string} run
 * @return {!Promise<!Tree>}
 */
export async function getTree(run) {
  const body = await fetchJson('tree', {run});
  return {run: body.run, step: body.step, models: body.models || []};
}

/**
 * What slice of a tensor to ask for (http_api.md, "Slices, reductions,
 * windows, filter grids and diffs"). Every field is optional.
 * @typedef {{
 *   axes: (!Array<number>|undefined),
 *   other: (!Array<(number|string)>|undefined),
 *   rows: (!Array<number>|undefined),
 *   columns: (!Array<number>|undefined),
 *   downsample: (string|undefined),
 *   max_cells: (number|undefined),
 *   base_step: (?number|undefined),
 *   base_run: (?string|undefined),
 *   layout: (string|undefined),
 *   tile_axes: (!Array<number>|undefined),
 * }}
 */
export let SliceOptions;

/**
 * The query parameters of slice mode for `options`.
 * @param {!SliceOptions} options
 * @return {!Object<string, string>}
 */
export function sliceParams(options) {
  /** @type {!Object<string, string>} */
  const params = {};
  if (options.axes) params.axes = options.axes.join(',');
  if (options.other && options.other.length) params.other = options.other.join(',');
  if (options.rows) params.rows = `${options.rows[0]}:${options.rows[1]}`;
  if (options.columns) params.columns = `${options.columns[0]}:${options.columns[1]}`;
  if (options.downsample) params.downsample = options.downsample;
  if (options.max_cells) params.max_cells = String(options.max_cells);
  if (options.base_step !== null && options.base_step !== undefined) params.base_step = String(options.base_step);
  if (options.base_run) params.base_run = options.base_run;
  if (options.layout && options.layout !== 'heatmap') {
    params.layout = options.layout;
    params.tile_axes = (options.tile_axes || []).join(',');
  }
  return params;
}

/**
 * The view of one variable at one step, for display. Without options (or
 * with a bare number, the old `maxCells`) it is the fixed 2-D reshape; with
 * slice options it is slice mode, whose answers also carry `sliced`,
 * `layout`, `axes`, `other`, `selection_shape`, `window`, `values_dtype`,
 * `selection_min`/`max`, `window_*` and `diff` (http_api.md). Non-finite
 * numbers are decoded. Cached: a logged tensor does not change.
 * @param {string} run
 * @param {string} tag  The variable's `tensor_tag`.
 * @param {number} step
 * @param {(number|!SliceOptions)=} options
 * @return {!Promise<!Tensor>}
 */
export function getTensor(run, tag, step, options = {}) {
  const params = typeof options === 'number' ? {max_cells: String(options)} : sliceParams(options);
  if (typeof options !== 'number' && options.axes && options.axes.length === 0) params.axes = '';
  const key = JSON.stringify([run, tag, step, params]);
  return tensorCache.get(key, async () => {
    const body = await fetchJson('tensor', {run, tag, step, format: 'json', ...params});
    return decodeTensor(body);
  });
}

/**
 * A tensor answer with its numbers decoded and the reduced-storage fields
 * filled in for answers that lack them (a tensor stored whole, in its own
 * dtype).
 * @param {!Object<string, *>} body
 * @return {!Tensor}
 */
function decodeTensor(body) {
  const dtype = String(body.dtype);
  const storedDtype = body.stored_dtype ? String(body.stored_dtype) : dtype;
  const strides = Array.isArray(body.subsample_strides) ? body.subsample_strides.map(Number) : null;
  const shape = (body.shape || []).map(Number);
  // Slice answers have no view shape: a subsampled tensor's is the 2-D
  // reshape, of which the stored grid is every k-th element.
  const viewShape = body.view_shape || (shape.length <= 2 ? shape : [shape.slice(0, -1).reduce((a, b) => a * b, 1), shape[shape.length - 1]]);
  const decoded = {
    ...body,
    shape,
    view_shape: viewShape,
    values: decodeNumbers(body.values),
    min: decodeNumber(body.min),
    max: decodeNumber(body.max),
    nan_count: Number(body.nan_count || 0),
    inf_count: Number(body.inf_count || 0),
    block_shape: body.block_shape || [],
    stored_dtype: storedDtype,
    reduced_precision: Boolean(body.reduced_precision) || storedDtype !== dtype,
    // Strides of 1 on every axis mean the whole view was stored.
    subsample_strides: strides && strides.some((k) => k !== 1) ? strides : null,
    stored_view_shape: body.stored_view_shape || body.selection_shape || viewShape,
  };
  if ('selection_min' in body) {
    for (const key of ['selection_min', 'selection_max', 'window_min', 'window_max']) {
      decoded[key] = decodeNumber(body[key]);
    }
    for (const key of ['window_nan_count', 'window_posinf_count', 'window_neginf_count']) {
      decoded[key] = Number(body[key] || 0);
    }
    decoded.values_dtype = String(body.values_dtype || storedDtype);
  }
  return /** @type {!Tensor} */ (decoded);
}

/**
 * The URL of a tensor as a file: `npy` or `csv`. Without slice options the
 * whole logged tensor; with them the slice's window at full resolution
 * (never downsampled; `max_cells` and `downsample` are left out).
 * @param {string} run
 * @param {string} tag
 * @param {number} step
 * @param {string} format  `npy` or `csv`.
 * @param {?SliceOptions=} options
 * @return {string}
 */
export function tensorUrl(run, tag, step, format, options = null) {
  const params = options ? sliceParams({...options, max_cells: undefined, downsample: undefined}) : {};
  if (options && options.axes && options.axes.length === 0) params.axes = '';
  const query = new URLSearchParams({run, tag, step: String(step), format, ...params});
  return `./tensor?${query}`;
}

/**
 * The statistics and histograms of one variable over its logged steps.
 * Cached until {@link clearCaches}.
 * @param {string} run
 * @param {string} tag  The variable's `statistics_tag`.
 * @return {!Promise<!Stats>}
 */
export function getStats(run, tag) {
  const key = JSON.stringify([run, tag]);
  return statsCache.get(key, async () => {
    const body = await fetchJson('stats', {run, tag});
    /** @type {!Object<string, !Array<number>>} */
    const statistics = {};
    for (const [name, values] of Object.entries(body.statistics || {})) {
      statistics[name] = decodeNumbers(/** @type {!Array<*>} */ (values));
    }
    const steps = (body.steps || []).map(Number);
    return {
      ...body,
      steps,
      tensor_steps: Array.isArray(body.tensor_steps) ? body.tensor_steps.map(Number) : steps,
      wall_times: decodeNumbers(body.wall_times),
      statistics,
      histograms: (body.histograms || []).map((hist) => ({
        step: Number(hist.step),
        edges: decodeNumbers(hist.edges),
        counts: decodeNumbers(hist.counts),
      })),
    };
  });
}

/**
 * One statistic of every variable of a run over the run's logged steps
 * (http_api.md, `/overview`). Cached until {@link clearCaches}.
 * @typedef {{
 *   run: string, field: string, steps: !Array<number>,
 *   variables: !Array<{path: string, statistics_tag: string,
 *                      tensor_tag: string, values: !Array<?number>}>,
 * }}
 */
export let Overview;

const overviewCache = new PromiseCache(16);

/**
 * @param {string} run
 * @param {string} field  A statistics field (`l2_norm`, `update_ratio`,
 *     `mean`, `std`, `zero_fraction`, ...) or `nonfinite`.
 * @return {!Promise<!Overview>}  `values[k]` is at `steps[k]`: null where the
 *     variable was not logged, NaN/±Infinity decoded.
 */
export function getOverview(run, field) {
  const key = JSON.stringify([run, field]);
  return overviewCache.get(key, async () => {
    const body = await fetchJson('overview', {run, field});
    return {
      run: String(body.run),
      field: String(body.field),
      steps: (body.steps || []).map(Number),
      variables: (body.variables || []).map((v) => ({
        path: String(v.path),
        statistics_tag: String(v.statistics_tag),
        tensor_tag: String(v.tensor_tag),
        values: (v.values || []).map((x) => decodeNumber(x)),
      })),
    };
  });
}

/**
 * The earliest logged step of a run at which any variable held NaN or Inf
 * (http_api.md, `/first_nonfinite`).
 * @param {string} run
 * @return {!Promise<{run: string, step: ?number,
 *     variables: !Array<{path: string, nan_count: number, inf_count: number}>}>}
 *     `step` null when no logged value was ever NaN or Inf.
 */
export async function getFirstNonfinite(run) {
  const body = await fetchJson('first_nonfinite', {run});
  return {
    run: String(body.run),
    step: body.step === null || body.step === undefined ? null : Number(body.step),
    variables: (body.variables || []).map((v) => ({
      path: String(v.path),
      nan_count: Number(v.nan_count),
      inf_count: Number(v.inf_count),
    })),
  };
}

/**
 * The half-open range of view indices that reduced index `i` stands for
 * along one axis of a downsampled tensor (http_api.md, `block_shape`).
 * @param {number} i
 * @param {number} full  Length of the view along this axis.
 * @param {number} reduced  Length of the reduced values along this axis.
 * @return {!Array<number>}  `[start, end)`.
 */
export function blockRange(i, full, reduced) {
  return [Math.floor((i * full) / reduced), Math.floor(((i + 1) * full) / reduced)];
}

/**
 * The view indices that value `i` of a tensor's values stands for along
 * `axis`: the stored indices of its block (all of them when not
 * downsampled, one), each times the axis's subsample stride.
 * @param {!Tensor} tensor
 * @param {number} axis
 * @param {number} i
 * @return {{first: number, last: number, stride: number}}  View indices
 *     `first, first + stride, ..., last`.
 */
export function viewIndices(tensor, axis, i) {
  const stride = tensor.subsample_strides ? tensor.subsample_strides[axis] : 1;
  const [start, end] = tensor.downsampled
    ? blockRange(i, tensor.stored_view_shape[axis], tensor.values_shape[axis])
    : [i, i + 1];
  return {first: start * stride, last: (end - 1) * stride, stride};
}

/**
 * Forgets cached statistics and tensors, for a reload: new steps may have
 * been logged since.
 */
export function clearCaches() {
  statsCache.clear();
  tensorCache.clear();
  overviewCache.clear();
}

/**
 * Drops stale answers. Each call of `next()` starts a new request
 * generation and returns a check that stays true only while no newer
 * generation has started:
 *
 *     const isCurrent = latest.next();
 *     const tree = await getTree(run);
 *     if (!isCurrent()) return;  // the user moved on meanwhile
 */
export class Latest {
  /** Starts at generation 0. */
  constructor() {
    this.generation = 0;
  }

  /** @return {function(): boolean} */
  next() {
    const generation = ++this.generation;
    return () => generation === this.generation;
  }
}
