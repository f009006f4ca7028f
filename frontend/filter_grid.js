// The filter-grid view of a convolution kernel: a grid of small tiles, one
// per (grid row, grid column) pair of channels, each tile the kernel's
// spatial extent. The layout math is pure (tested with Node); the view draws
// into one canvas.

import {h} from './dom.js';
import {makeScale, paintValues} from './colormap.js';
import {onCanvasHover} from './charts.js';
import {formatValue, formatApprox} from './format.js';
import {showTooltip, hideTooltip} from './tooltip.js';
import {attachZoomPan, isDragging} from './heatmap.js';

/** @typedef {import('./data.js').Tensor} Tensor */
/** @typedef {import('./colormap.js').ColorScale} ColorScale */

/** The most CSS pixels one kernel element of a tile may take. */
export const MAX_TILE_CELL = 16;

/**
 * The colour of the gaps between tiles: a mid grey, outside the diverging
 * and viridis maps, so that near-zero (white) tiles keep visible edges.
 */
export const TILE_GAP_RGB = [190, 190, 190];

/** The largest a tile may be, in CSS pixels per side. */
const MAX_TILE_PIXELS = 72;

/**
 * Where tiles go: each tile element is `cell` CSS pixels, tiles are `gap`
 * pixels apart (no gap between 1×1 tiles: they form a plain heat map).
 * `pitchX`/`pitchY`: distance between the left (top) edges of neighbouring
 * tiles.
 * @typedef {{
 *   rows: number, columns: number, tileHeight: number, tileWidth: number,
 *   cell: number, gap: number, pitchX: number, pitchY: number,
 *   width: number, height: number,
 * }}
 */
export let FilterLayout;

/**
 * The gap between tiles of `tileShape` at `cell` pixels per element.
 * @param {!Array<number>} tileShape
 * @param {number} cell
 * @return {number}
 */
function gapFor(tileShape, cell) {
  if (tileShape[0] * tileShape[1] === 1) return 0;
  return cell >= 3 ? 2 : 1;
}

/**
 * The largest whole number of pixels per tile element with which
 * `rows × columns` tiles fit `box`, from 1 to {@link MAX_TILE_CELL}
 * (tiles at most 72 pixels), and the resulting sizes.
 * @param {!Array<number>} gridShape  `[rows, columns]` of tiles shown.
 * @param {!Array<number>} tileShape  `[height, width]` of a tile.
 * @param {{maxWidth: number, maxHeight: number}} box  CSS pixels.
 * @return {!FilterLayout}
 */
export function filterLayout(gridShape, tileShape, box) {
  const [rows, columns] = gridShape;
  const [tileHeight, tileWidth] = tileShape;
  /** @param {number} gap */
  const fit = (gap) =>
    Math.floor(
      Math.min(
        (box.maxWidth - gap * (columns - 1)) / (columns * tileWidth),
        (box.maxHeight - gap * (rows - 1)) / (rows * tileHeight),
        MAX_TILE_CELL,
        MAX_TILE_PIXELS / Math.max(tileHeight, tileWidth),
      ),
    );
  let cell = Math.max(1, fit(gapFor(tileShape, 1)));
  if (gapFor(tileShape, cell) !== gapFor(tileShape, 1)) cell = Math.max(1, fit(gapFor(tileShape, cell)));
  const gap = gapFor(tileShape, cell);
  const pitchX = tileWidth * cell + gap;
  const pitchY = tileHeight * cell + gap;
  return {
    rows,
    columns,
    tileHeight,
    tileWidth,
    cell,
    gap,
    pitchX,
    pitchY,
    width: columns * pitchX - gap,
    height: rows * pitchY - gap,
  };
}

/**
 * How many tiles per row a strip of `count` tiles (a grid of one row or one
 * column, e.g. a depthwise kernel's `in × multiplier` grid with multiplier 1)
 * is wrapped into: of the row lengths whose layout fits `box`'s width, the
 * one with the largest tiles, then the fewest rows. When none fits, 1.
 * @param {number} count  Tiles in the strip, at least 1.
 * @param {!Array<number>} tileShape  `[height, width]` of a tile.
 * @param {{maxWidth: number, maxHeight: number}} box  CSS pixels.
 * @return {number}  Tiles per row, from 1 to `count`.
 */
export function wrapColumns(count, tileShape, box) {
  let best = {columns: 1, cell: 0, rows: Infinity};
  for (let columns = 1; columns <= count; columns++) {
    const rows = Math.ceil(count / columns);
    const layout = filterLayout([rows, columns], tileShape, box);
    if (layout.width > box.maxWidth) break;  // wider rows only get wider
    if (layout.cell > best.cell || (layout.cell === best.cell && rows < best.rows)) best = {columns, cell: layout.cell, rows};
  }
  return best.columns;
}

/**
 * Where the `k`-th tile of a strip goes when wrapped into rows of `columns`.
 * @param {number} k
 * @param {number} columns  Tiles per row (see {@link wrapColumns}).
 * @return {!Array<number>}  `[row, column]` in the wrapped layout.
 */
export function wrappedPosition(k, columns) {
  return [Math.floor(k / columns), k % columns];
}

/** Pixels per tile element of a large grid's first view: tiles stay legible. */
export const DEFAULT_TILE_CELL = 3;

/**
 * How many tiles fit a box at `cell` pixels per element, and at most
 * `maxCells` values in all. At one pixel: the largest window of a grid worth
 * asking for (zoomed out fully); at {@link DEFAULT_TILE_CELL}: the first
 * window of a large grid.
 * @param {!Array<number>} gridShape  `[rows, columns]` of the whole grid.
 * @param {!Array<number>} tileShape
 * @param {{maxWidth: number, maxHeight: number}} box
 * @param {number} maxCells
 * @param {number=} cell  Pixels per tile element.
 * @return {!Array<number>}  `[rows, columns]`, each at least 1.
 */
export function tilesThatFit(gridShape, tileShape, box, maxCells, cell = 1) {
  const gap = gapFor(tileShape, cell);
  let rows = Math.max(1, Math.min(gridShape[0], Math.floor((box.maxHeight + gap) / (tileShape[0] * cell + gap))));
  let columns = Math.max(1, Math.min(gridShape[1], Math.floor((box.maxWidth + gap) / (tileShape[1] * cell + gap))));
  const perTile = tileShape[0] * tileShape[1];
  while (rows * columns * perTile > maxCells && (rows > 1 || columns > 1)) {
    if (rows >= columns) rows--;
    else columns--;
  }
  return [rows, columns];
}

/**
 * The tile and element under a point of the view, or null in a gap or
 * outside.
 * @param {!FilterLayout} layout
 * @param {number} x  CSS pixels from the view's left edge.
 * @param {number} y
 * @return {?{row: number, column: number, tileRow: number, tileColumn: number}}
 *     `row`, `column`: the tile in the window; `tileRow`, `tileColumn`: the
 *     element in the tile.
 */
export function tileAt(layout, x, y) {
  if (x < 0 || y < 0) return null;
  const row = Math.floor(y / layout.pitchY);
  const column = Math.floor(x / layout.pitchX);
  if (row >= layout.rows || column >= layout.columns) return null;
  const tileRow = Math.floor((y - row * layout.pitchY) / layout.cell);
  const tileColumn = Math.floor((x - column * layout.pitchX) / layout.cell);
  if (tileRow >= layout.tileHeight || tileColumn >= layout.tileWidth) return null;
  return {row, column, tileRow, tileColumn};
}

/**
 * The finite minimum and maximum of each tile (null when a tile has no
 * finite value).
 * @param {!ArrayLike<number>} values  `[rows, columns, height, width]`
 *     row-major: each tile's values are contiguous.
 * @param {number} perTile  `height · width`.
 * @return {!Array<?Array<number>>}  One `[min, max]` per tile.
 */
export function tileRanges(values, perTile) {
  const ranges = [];
  for (let start = 0; start < values.length; start += perTile) {
    let min = Infinity;
    let max = -Infinity;
    for (let k = start; k < start + perTile; k++) {
      const v = values[k];
      if (Number.isFinite(v)) {
        if (v < min) min = v;
        if (v > max) max = v;
      }
    }
    ranges.push(min <= max ? [min, max] : null);
  }
  return ranges;
}

/**
 * Options of a filter grid. `scale`: the colours of the whole grid;
 * `perTile`: give each tile its own range instead (of the same kind);
 * `describe(row, column, tileRow, tileColumn)`: the index text of an
 * element (tile coordinates in the window's grid); `onZoom`, `onPan`: as
 * for heat maps, in tiles (see heatmap.js attachZoomPan); `wrap`: for a
 * strip (a window of one grid row or one grid column), the tiles per row to
 * wrap it into (see {@link wrapColumns}); a wrapped strip shows whole and
 * does not zoom.
 * @typedef {{
 *   box: {maxWidth: number, maxHeight: number},
 *   scale: !ColorScale, perTile: boolean,
 *   describe: function(number, number, number, number): string,
 *   onZoom: (function(number, !Array<number>)|undefined),
 *   onPan: (function(number, number)|undefined),
 *   wrap: (number|undefined),
 * }}
 */
export let FilterGridOptions;

/**
 * Builds the filter-grid view of a `layout: "filters"` tensor answer.
 * @param {!Tensor} tensor  `values_shape` `[rows, columns, height, width]`.
 * @param {!FilterGridOptions} options
 * @return {{element: !HTMLElement, canvas: !HTMLCanvasElement, layout: !FilterLayout}}
 */
export function createFilterGrid(tensor, options) {
  const [rows, columns, tileHeight, tileWidth] = tensor.values_shape;
  const count = rows * columns;
  const wrap = options.wrap && (rows === 1 || columns === 1) ? Math.min(options.wrap, count) : 0;
  // Tile t (row-major in the window's grid) is drawn at place(t).
  /** @param {number} t @return {!Array<number>} */
  const place = wrap ? (t) => wrappedPosition(t, wrap) : (t) => [Math.floor(t / columns), t % columns];
  const layout = wrap
    ? filterLayout([Math.ceil(count / wrap), wrap], [tileHeight, tileWidth], options.box)
    : filterLayout([rows, columns], [tileHeight, tileWidth], options.box);
  const perTile = tileHeight * tileWidth;
  const values = Float64Array.from(tensor.values);
  const colors = new Int32Array(values.length);
  const ranges = tileRanges(values, perTile);
  if (options.perTile) {
    ranges.forEach((range, t) => {
      const scale = makeScale(options.scale.kind, range ? range[0] : null, range ? range[1] : null);
      paintValues(values.subarray(t * perTile, (t + 1) * perTile), scale, colors, t * perTile);
    });
  } else {
    paintValues(values, options.scale, colors);
  }

  const ratio = window.devicePixelRatio || 1;
  const canvas = /** @type {!HTMLCanvasElement} */ (
    h('canvas', {
      class: 'tbw-heatmap tbw-filter-grid',
      testid: 'filter-grid',
      role: 'img',
      'aria-label': wrap
        ? `Filter grid of ${count} tiles of ${tileHeight}×${tileWidth}, ${wrap} per row`
        : `Filter grid of ${rows}×${columns} tiles of ${tileHeight}×${tileWidth}`,
    })
  );
  canvas.width = Math.max(1, Math.round(layout.width * ratio));
  canvas.height = Math.max(1, Math.round(layout.height * ratio));
  canvas.style.width = `${layout.width}px`;
  canvas.style.height = `${layout.height}px`;
  const ctx = /** @type {!CanvasRenderingContext2D} */ (canvas.getContext('2d'));
  const image = ctx.createImageData(canvas.width, canvas.height);
  const pixels = new Int32Array(image.data.buffer);
  const stride = canvas.width;
  /** @param {number} css @return {number} */
  const device = (css) => Math.round(css * ratio);
  const gapWord = new Int32Array(Uint8ClampedArray.from([...TILE_GAP_RGB, 255]).buffer)[0];
  const tileRows = layout.rows;
  for (let t = 0; t < count; t++) {
    const [r, c] = place(t);
    const base = t * perTile;
    if (layout.gap) {
      // The gaps to the right of the tile and below it, where a tile
      // follows; their corner where the tile diagonally below follows too.
      const right = c + 1 < layout.columns && t + 1 < count;
      const below = r + 1 < tileRows && (wrap ? t + wrap < count : true);
      const corner = right && below && (wrap ? t + wrap + 1 < count : true);
      const tileWidthPixels = layout.pitchX - layout.gap;
      const tileHeightPixels = layout.pitchY - layout.gap;
      const x0 = device(c * layout.pitchX);
      const y0 = device(r * layout.pitchY);
      const xTile = device(c * layout.pitchX + tileWidthPixels);
      const yTile = device(r * layout.pitchY + tileHeightPixels);
      const xEnd = device((c + 1) * layout.pitchX);
      const yEnd = device((r + 1) * layout.pitchY);
      if (right) for (let y = y0; y < yTile; y++) pixels.fill(gapWord, y * stride + xTile, y * stride + xEnd);
      if (below) for (let y = yTile; y < yEnd; y++) pixels.fill(gapWord, y * stride + x0, y * stride + (corner ? xEnd : xTile));
    }
    for (let i = 0; i < tileHeight; i++) {
      const y0 = device(r * layout.pitchY + i * layout.cell);
      const y1 = device(r * layout.pitchY + (i + 1) * layout.cell);
      for (let j = 0; j < tileWidth; j++) {
        const x0 = device(c * layout.pitchX + j * layout.cell);
        const x1 = device(c * layout.pitchX + (j + 1) * layout.cell);
        const color = colors[base + i * tileWidth + j];
        for (let y = y0; y < y1; y++) pixels.fill(color, y * stride + x0, y * stride + x1);
      }
    }
  }
  ctx.putImageData(image, 0, 0);
  if (wrap) canvas.dataset.wrap = String(wrap);

  const dtype = tensor.values_dtype || tensor.stored_dtype;
  attachZoomPan(canvas, {
    width: layout.columns * layout.pitchX,
    height: layout.rows * layout.pitchY,
    window: {rows: [0, layout.rows], columns: [0, layout.columns]},
    onZoom: wrap ? undefined : options.onZoom,
    onPan: wrap ? undefined : options.onPan,
  });
  onCanvasHover(
    canvas,
    (x, y, event) => {
      if (isDragging()) return;
      const hit = tileAt(layout, x, y);
      const t = hit ? (wrap ? hit.row * wrap + hit.column : hit.row * columns + hit.column) : -1;
      if (!hit || t >= count) {
        hideTooltip();
        return;
      }
      // The tile's place in the window's grid (a wrapped strip's k-th tile).
      const [gridRow, gridColumn] = wrap ? (rows === 1 ? [0, t] : [t, 0]) : [hit.row, hit.column];
      const value = values[t * perTile + hit.tileRow * tileWidth + hit.tileColumn];
      const lines = [options.describe(gridRow, gridColumn, hit.tileRow, hit.tileColumn), `value ${formatValue(value, dtype)}`];
      const range = ranges[t];
      if (options.perTile) {
        lines.push([null, range ? `tile range ${formatApprox(range[0], 4)} … ${formatApprox(range[1], 4)}` : 'tile has no finite value', 'muted']);
      }
      showTooltip(event, lines);
    },
    () => hideTooltip(),
  );
  return {element: canvas, canvas, layout};
}
