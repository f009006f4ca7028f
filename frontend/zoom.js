// Zoom and pan of a 2-D selection: which window of rows and columns a view
// shows, and how many cells to ask the server for. Pure functions; windows
// are half-open integer ranges in selection coordinates.

/**
 * Rows `[rows[0], rows[1])` and columns `[columns[0], columns[1])` of a
 * selection.
 * @typedef {{rows: !Array<number>, columns: !Array<number>}}
 */
export let Window;

/** The most CSS pixels a cell may grow to when zooming in. */
export const MAX_CELL_PIXELS = 48;

/**
 * The whole selection as a window.
 * @param {!Array<number>} shape  `[rows, columns]`.
 * @return {!Window}
 */
export function wholeWindow(shape) {
  return {rows: [0, shape[0]], columns: [0, shape[1]]};
}

/**
 * Whether a window covers the whole selection.
 * @param {!Window} window
 * @param {!Array<number>} shape
 * @return {boolean}
 */
export function isWhole(window, shape) {
  return window.rows[0] <= 0 && window.rows[1] >= shape[0] && window.columns[0] <= 0 && window.columns[1] >= shape[1];
}

/**
 * Moves a range of `length` so that it lies inside `[0, size)` (shrinking
 * it when longer than `size`).
 * @param {number} start
 * @param {number} length
 * @param {number} size
 * @return {!Array<number>}  `[start, stop)`.
 */
function placeRange(start, length, size) {
  const n = Math.max(1, Math.min(size, Math.round(length)));
  const first = Math.max(0, Math.min(size - n, Math.round(start)));
  return [first, first + n];
}

/**
 * A window moved and shrunk as needed to lie inside the selection: a window
 * kept from another shape (another run, another step) stays valid.
 * @param {!Window} window
 * @param {!Array<number>} shape  `[rows, columns]`, each at least 1.
 * @return {!Window}
 */
export function clampWindow(window, shape) {
  return {
    rows: placeRange(window.rows[0], window.rows[1] - window.rows[0], shape[0]),
    columns: placeRange(window.columns[0], window.columns[1] - window.columns[0], shape[1]),
  };
}

/**
 * The new length of an axis zoomed by `factor` (> 1 zooms in): at least one
 * cell shorter or longer than before, so that repeated steps always move,
 * within `[minimum, size]`.
 * @param {number} length
 * @param {number} factor
 * @param {number} minimum
 * @param {number} size
 * @return {number}
 */
function zoomedLength(length, factor, minimum, size) {
  let next = Math.round(length / factor);
  if (factor > 1) next = Math.min(next, length - 1);
  if (factor < 1) next = Math.max(next, length + 1);
  return Math.max(Math.min(minimum, size), Math.min(size, next));
}

/**
 * Zooms a window by `factor` (> 1 zooms in, < 1 out) around an anchor: the
 * cell under the anchor stays under it.
 * @param {!Window} window
 * @param {!Array<number>} shape  `[rows, columns]` of the selection.
 * @param {number} factor
 * @param {!Array<number>} anchor  `[row, column]` fractions in [0, 1] of the
 *     window's height and width (0.5, 0.5 for its centre).
 * @param {!Array<number>=} minimum  Fewest rows and columns to keep (the
 *     cells that reach {@link MAX_CELL_PIXELS}), default `[1, 1]`.
 * @return {!Window}
 */
export function zoomWindow(window, shape, factor, anchor, minimum = [1, 1]) {
  const axes = [window.rows, window.columns].map((range, axis) => {
    const length = range[1] - range[0];
    const next = zoomedLength(length, factor, minimum[axis], shape[axis]);
    const at = range[0] + anchor[axis] * length;
    return placeRange(at - anchor[axis] * next, next, shape[axis]);
  });
  return {rows: axes[0], columns: axes[1]};
}

/**
 * Pans a window by whole cells, stopping at the selection's edges.
 * @param {!Window} window
 * @param {!Array<number>} shape
 * @param {number} rows  Rows to move down (negative: up).
 * @param {number} columns  Columns to move right (negative: left).
 * @return {!Window}
 */
export function panWindow(window, shape, rows, columns) {
  return {
    rows: placeRange(window.rows[0] + rows, window.rows[1] - window.rows[0], shape[0]),
    columns: placeRange(window.columns[0] + columns, window.columns[1] - window.columns[0], shape[1]),
  };
}

/**
 * The fewest rows and columns a window of a view `width × height` CSS
 * pixels may show: cells grow to at most {@link MAX_CELL_PIXELS}.
 * @param {number} width
 * @param {number} height
 * @return {!Array<number>}  `[rows, columns]`.
 */
export function minimumWindow(width, height) {
  return [Math.max(1, Math.ceil(height / MAX_CELL_PIXELS)), Math.max(1, Math.ceil(width / MAX_CELL_PIXELS))];
}

/** The fewest CSS pixels a cell of an exact (not downsampled) view gets. */
export const MIN_CELL_PIXELS = 2;

/**
 * How many cells to ask the server for to show a window in `width × height`
 * CSS pixels: every cell of the window when each gets at least
 * {@link MIN_CELL_PIXELS} pixels a side (then every value is exact), else as
 * many as there are such cells (the server reduces the window by blocks).
 * @param {!Window} window
 * @param {number} width
 * @param {number} height
 * @return {number}
 */
export function cellsToRequest(window, width, height) {
  const rows = window.rows[1] - window.rows[0];
  const columns = window.columns[1] - window.columns[0];
  const fitRows = Math.max(1, Math.floor(height / MIN_CELL_PIXELS));
  const fitColumns = Math.max(1, Math.floor(width / MIN_CELL_PIXELS));
  if (rows <= fitRows && columns <= fitColumns) return rows * columns;
  return Math.max(1, Math.min(rows * columns, fitRows * fitColumns));
}

/**
 * The CSS size of a heat map of a `rows × columns` selection that fits a
 * box: square cells of at most 24 pixels, as large as the box allows; but a
 * side is never shorter than 160 pixels (or the box) when the selection has
 * cells enough, so that a skinny selection (an embedding table, a 64 × 1000
 * kernel) still gets room, with oblong cells.
 * @param {!Array<number>} shape  `[rows, columns]`.
 * @param {number} maxWidth
 * @param {number} maxHeight
 * @return {{width: number, height: number}}
 */
export function viewSize(shape, maxWidth, maxHeight) {
  const [rows, columns] = shape;
  const cell = Math.min(24, maxWidth / columns, maxHeight / rows);
  const width = Math.max(columns * cell, Math.min(160, maxWidth, columns * 24));
  const height = Math.max(rows * cell, Math.min(160, maxHeight, rows * 24));
  return {width: Math.round(width), height: Math.round(height)};
}

/**
 * A window as URL text, `r0:r1,c0:c1`.
 * @param {!Window} window
 * @return {string}
 */
export function formatWindow(window) {
  return `${window.rows[0]}:${window.rows[1]},${window.columns[0]}:${window.columns[1]}`;
}

/**
 * Reads {@link formatWindow}'s text; null when malformed.
 * @param {string} text
 * @return {?Window}
 */
export function parseWindow(text) {
  const match = /^(\d+):(\d+),(\d+):(\d+)$/.exec(String(text || ''));
  if (!match) return null;
  const [r0, r1, c0, c1] = match.slice(1).map(Number);
  if (!(r1 > r0 && c1 > c0)) return null;
  return {rows: [r0, r1], columns: [c0, c1]};
}

/**
 * How a downsampled view was reduced, in words: `block mean of 4×4`,
 * `block max-abs of 2×3`.
 * @param {?string} method  `block_mean` or `block_max_abs`.
 * @param {!Array<number>} blockShape
 * @return {string}
 */
export function describeDownsample(method, blockShape) {
  const how = method === 'block_max_abs' ? 'block max-abs' : 'block mean';
  return `${how} of ${blockShape.join('×')}`;
}
