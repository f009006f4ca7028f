// The 2-D view: a heat map of a window of a selection, with zoom (wheel),
// pan (drag), a colour bar, the legend of NaN and infinities, and a hover
// read-out of exact values.

import {h} from './dom.js';
import {NAN_RGB, NEGINF_RGB, POSINF_RGB, cssRgb, mapColor, paintValues, scalePosition, scaleTicks, scaleValue} from './colormap.js';
import {setupCanvas} from './charts.js';
import {blockRange} from './data.js';
import {formatApprox, formatShape, formatValue} from './format.js';
import {showTooltip, hideTooltip} from './tooltip.js';
import {describeDownsample, formatWindow} from './zoom.js';

/** @typedef {import('./data.js').Tensor} Tensor */
/** @typedef {import('./colormap.js').ColorScale} ColorScale */
/** @typedef {import('./colormap.js').NonfiniteCounts} NonfiniteCounts */
/** @typedef {import('./zoom.js').Window} Window */
/** @typedef {import('./tooltip.js').TooltipLine} TooltipLine */

const LABEL_FONT = '10px Roboto, "Helvetica Neue", Arial, sans-serif';

// Whether any heat map is being dragged: the heat map that replaces a
// dragged one (new values arrived) shows no tooltip until the drag ends.
let dragging = false;

/** Zoom factor of one wheel notch or button press. */
export const ZOOM_STEP = 1.5;

/**
 * Options of a heat map. `width`, `height`: its CSS size; `scale`: the
 * colours; `describe(rows, columns)`: the index text of a cell or block, given
 * the text of its row and column indices in the selection (`12` or
 * `12–15`); `onZoom(factor, anchor)` and `onPan(rows, columns)`: asked for
 * by the wheel and by dragging (anchor: `[row, column]` fractions of the
 * view; pan in whole cells of the selection).
 * @typedef {{
 *   width: number, height: number, scale: !ColorScale,
 *   describe: function(string, string): string,
 *   onZoom: (function(number, !Array<number>)|undefined),
 *   onPan: (function(number, number)|undefined),
 * }}
 */
export let HeatmapOptions;

/**
 * The window a tensor answer covers, in selection coordinates (the stored
 * grid's for a subsample).
 * @param {!Tensor} tensor
 * @return {!Window}
 */
export function answerWindow(tensor) {
  const shape = tensor.selection_shape || tensor.stored_view_shape;
  const w = tensor.window || {};
  return {rows: w.rows || [0, shape[0]], columns: w.columns || [0, shape[1]]};
}

/**
 * Index text of value `i` along one axis of a window: one index, or the
 * range of a block; subsampled answers count in view elements.
 * @param {!Tensor} tensor
 * @param {!Array<number>} range  The window along this axis.
 * @param {number} reduced  Values along this axis.
 * @param {number} i
 * @param {number} stride  Subsample stride (1 when whole).
 * @return {string}
 */
function indexText(tensor, range, reduced, i, stride) {
  const length = range[1] - range[0];
  const [start, end] = tensor.downsampled ? blockRange(i, length, reduced) : [i, i + 1];
  const first = (range[0] + start) * stride;
  const last = (range[0] + end - 1) * stride;
  return first === last ? String(first) : `${first}–${last}`;
}

/**
 * The hover read-out of value `(i, j)` of a 2-D answer: where it is and its
 * value, exact (in the answer's `values_dtype`) when it is one element,
 * else the block's mean or max-abs.
 * @param {!Tensor} tensor
 * @param {number} i
 * @param {number} j
 * @param {function(string, string): string} describe
 * @return {!Array<!TooltipLine>}
 */
export function cellReadout(tensor, i, j, describe) {
  const [rows, columns] = tensor.values_shape;
  const value = tensor.values[i * columns + j];
  const window = answerWindow(tensor);
  const strides = tensor.subsample_strides || [1, 1];
  const where = describe(indexText(tensor, window.rows, rows, i, strides[0]), indexText(tensor, window.columns, columns, j, strides[1]));
  const dtype = tensor.values_dtype || tensor.stored_dtype;
  if (tensor.downsampled) {
    const how = tensor.downsample_method === 'block_max_abs' ? 'block max-abs' : 'block mean';
    return [where, `${how} ${formatApprox(value, 7)}`, ...(tensor.subsample_strides ? [[null, 'of the stored subsample', 'muted']] : [])];
  }
  /** @type {!Array<!TooltipLine>} */
  const lines = [where, `value ${formatValue(value, dtype)}`];
  if (tensor.subsample_strides) lines.push([null, `stored cell ${window.rows[0] + i}, ${window.columns[0] + j} of the subsample`, 'muted']);
  if (tensor.reduced_precision) lines.push([null, `stored as ${tensor.stored_dtype}`, 'muted']);
  return lines;
}

/**
 * Paints values into an image with one pixel per value.
 * @param {!Array<number>} values  Row-major, `rows * columns` long.
 * @param {number} rows
 * @param {number} columns
 * @param {!ColorScale} scale
 * @return {{image: !HTMLCanvasElement, counts: !NonfiniteCounts}}
 */
function paintCells(values, rows, columns, scale) {
  const image = document.createElement('canvas');
  image.width = Math.max(1, columns);
  image.height = Math.max(1, rows);
  const ctx = /** @type {!CanvasRenderingContext2D} */ (image.getContext('2d'));
  const data = ctx.createImageData(image.width, image.height);
  const counts = paintValues(values, scale, new Int32Array(data.data.buffer));
  ctx.putImageData(data, 0, 0);
  return {image, counts};
}

/**
 * The colour bar of a scale, with its ends, zero and (for symlog) decades
 * labelled.
 * @param {!ColorScale} scale
 * @param {number} width  CSS pixels.
 * @param {boolean=} perTile  Each filter tile has its own range: the ends
 *     are labelled as the tile's, without numbers.
 * @return {!HTMLCanvasElement}
 */
export function createColorBar(scale, width, perTile = false) {
  const canvas = /** @type {!HTMLCanvasElement} */ (h('canvas', {class: 'tbw-colorbar', testid: 'colorbar'}));
  canvas.dataset.kind = scale.kind;
  canvas.dataset.low = String(scale.low);
  canvas.dataset.high = String(scale.high);
  const inset = 8;
  const barW = Math.max(10, width - 2 * inset);
  const barTop = 2;
  const barH = 10;
  const ctx = setupCanvas(canvas, width, 30);
  ctx.font = LABEL_FONT;
  for (let px = 0; px < barW; px++) {
    ctx.fillStyle = cssRgb(mapColor(scale.kind, px / (barW - 1)));
    ctx.fillRect(inset + px, barTop, 1, barH);
  }
  ctx.strokeStyle = '#bdbdbd';
  ctx.strokeRect(inset - 0.5, barTop - 0.5, barW + 1, barH + 1);
  ctx.textBaseline = 'top';
  let lastRight = -Infinity;
  const ticks = perTile ? scaleTicks({...scale, kind: scale.kind === 'symlog' ? 'diverging' : scale.kind}) : scaleTicks(scale);
  ticks.forEach((value, k) => {
    const x = inset + scalePosition(scale, value) * barW;
    let text = value === 0 ? '0' : formatApprox(value, 3).replace(/^-/, '−');
    if (perTile && value !== 0) {
      const low = k === 0;
      text = scale.kind === 'sequential' ? (low ? 'tile min' : 'tile max') : low ? '−tile max |x|' : 'tile max |x|';
    }
    const textWidth = ctx.measureText(text).width;
    const align = k === 0 ? 'left' : k === ticks.length - 1 ? 'right' : 'center';
    const left = align === 'left' ? x - 2 : align === 'right' ? x + 2 - textWidth : x - textWidth / 2;
    ctx.strokeStyle = '#757575';
    ctx.beginPath();
    ctx.moveTo(Math.round(x) + 0.5, barTop + barH);
    ctx.lineTo(Math.round(x) + 0.5, barTop + barH + 3);
    ctx.stroke();
    // Labels that would overlap the previous one are left out (the ends win).
    if (left < lastRight + 4 && k !== ticks.length - 1) return;
    ctx.fillStyle = value === 0 ? '#9e9e9e' : '#424242';
    ctx.textAlign = /** @type {CanvasTextAlign} */ (align);
    ctx.fillText(text, align === 'left' ? x - 2 : align === 'right' ? x + 2 : x, barTop + barH + 5);
    lastRight = left + textWidth;
  });
  canvas.title = `${scale.kind} colour scale from ${formatApprox(scale.low, 6)} to ${formatApprox(scale.high, 6)}${
    scale.kind === 'symlog' ? `, linear within ±${formatApprox(scale.threshold, 3)}` : ''
  }; values beyond it take the end colours. (${formatApprox(scaleValue(scale, 0.5), 3)} at the centre.)`;
  return canvas;
}

/**
 * Legend entries for the non-finite values present: `NaN`, `+Inf`, `−Inf`
 * in their colours.
 * @param {!NonfiniteCounts} counts
 * @param {boolean} downsampled  Whether values are blocks (a block holding
 *     a NaN is NaN).
 * @return {!Array<!HTMLElement>}
 */
export function nonfiniteLegend(counts, downsampled) {
  const items = [
    ['nan', counts.nan, NAN_RGB, 'NaN', downsampled ? 'NaN, or a block holding NaN' : 'NaN'],
    ['posinf', counts.posinf, POSINF_RGB, '+Inf', '+Infinity'],
    ['neginf', counts.neginf, NEGINF_RGB, '−Inf', '−Infinity'],
  ];
  return items
    .filter(([, count]) => count > 0)
    .map(([kind, count, rgb, label, title]) =>
      h(
        'span',
        {class: 'tbw-legend-item', testid: `${kind}-legend`, title: `${title}: ${count} shown`},
        h('span', {class: 'tbw-swatch tbw-swatch-square', style: {background: cssRgb(/** @type {!Array<number>} */ (rgb))}}),
        h('span', {text: /** @type {string} */ (label)}),
      ),
    );
}

/**
 * Whether a heat map or filter grid is being dragged: views drawn during a
 * drag (new values arrived) show no tooltip until it ends.
 * @return {boolean}
 */
export function isDragging() {
  return dragging;
}

/**
 * Zoom with the wheel and pan by dragging on a view of a window of cells.
 * Dragging pans by whole cells; the remainder carries over; the window
 * listens only while a drag lasts.
 * @param {!HTMLCanvasElement} canvas
 * @param {{width: number, height: number, window: !Window,
 *     onZoom: (function(number, !Array<number>)|undefined),
 *     onPan: (function(number, number)|undefined),
 *     onDragStart: (function()|undefined)}} options  `width`, `height`: the
 *     CSS size over which `window` is shown.
 */
export function attachZoomPan(canvas, options) {
  const perColumn = options.width / (options.window.columns[1] - options.window.columns[0]);
  const perRow = options.height / (options.window.rows[1] - options.window.rows[0]);
  /** @type {?{x: number, y: number}} */
  let drag = null;
  /** @param {!MouseEvent} event */
  const onDragMove = (event) => {
    if (!drag || !options.onPan) return;
    const dColumns = Math.trunc((drag.x - event.clientX) / perColumn);
    const dRows = Math.trunc((drag.y - event.clientY) / perRow);
    if (dColumns || dRows) {
      drag = {x: drag.x - dColumns * perColumn, y: drag.y - dRows * perRow};
      options.onPan(dRows, dColumns);
    }
  };
  const onDragEnd = () => {
    drag = null;
    dragging = false;
    canvas.classList.remove('tbw-dragging');
    window.removeEventListener('mousemove', onDragMove);
    window.removeEventListener('mouseup', onDragEnd);
  };
  canvas.addEventListener('mousedown', (event) => {
    if (!options.onPan || event.button !== 0) return;
    event.preventDefault();
    drag = {x: event.clientX, y: event.clientY};
    dragging = true;
    canvas.classList.add('tbw-dragging');
    hideTooltip();
    if (options.onDragStart) options.onDragStart();
    window.addEventListener('mousemove', onDragMove);
    window.addEventListener('mouseup', onDragEnd);
  });
  canvas.addEventListener(
    'wheel',
    (event) => {
      if (!options.onZoom) return;
      event.preventDefault();
      const box = canvas.getBoundingClientRect();
      const anchor = [(event.clientY - box.top) / box.height, (event.clientX - box.left) / box.width];
      options.onZoom(event.deltaY < 0 ? ZOOM_STEP : 1 / ZOOM_STEP, anchor.map((f) => Math.max(0, Math.min(1, f))));
    },
    {passive: false},
  );
}

/**
 * Builds the heat map of a 2-D answer.
 * @param {!Tensor} tensor  With `values_shape` of length 2.
 * @param {!HeatmapOptions} options
 * @return {{element: !HTMLElement, canvas: !HTMLCanvasElement, counts: !NonfiniteCounts, preview: function(!Window)}}
 */
export function createHeatmap(tensor, options) {
  const [rows, columns] = tensor.values_shape;
  const {width, height} = options;
  const {image, counts} = paintCells(tensor.values, rows, columns, options.scale);
  const canvas = /** @type {!HTMLCanvasElement} */ (
    h('canvas', {
      class: 'tbw-heatmap',
      testid: 'heatmap',
      role: 'img',
      'aria-label': `Heat map of ${formatShape(tensor.values_shape)} values`,
    })
  );
  const ctx = setupCanvas(canvas, width, height);
  ctx.imageSmoothingEnabled = false;
  const shown = answerWindow(tensor);
  canvas.dataset.window = formatWindow(shown);
  /** Where the current picture's window sits in the view; moves on preview. */
  let drawnAt = {x: 0, y: 0, w: width, h: height};
  const draw = () => {
    ctx.clearRect(0, 0, width, height);
    ctx.drawImage(image, drawnAt.x, drawnAt.y, drawnAt.w, drawnAt.h);
  };
  draw();
  const cellWidth = width / columns;
  const cellHeight = height / rows;

  /**
   * Shows the picture as it would sit in another window until its values
   * arrive: zooming and panning feel immediate.
   * @param {!Window} next
   */
  const preview = (next) => {
    const sx = width / (next.columns[1] - next.columns[0]);
    const sy = height / (next.rows[1] - next.rows[0]);
    drawnAt = {
      x: (shown.columns[0] - next.columns[0]) * sx,
      y: (shown.rows[0] - next.rows[0]) * sy,
      w: (shown.columns[1] - shown.columns[0]) * sx,
      h: (shown.rows[1] - shown.rows[0]) * sy,
    };
    ctx.fillStyle = '#eeeeee';
    ctx.fillRect(0, 0, width, height);
    ctx.drawImage(image, drawnAt.x, drawnAt.y, drawnAt.w, drawnAt.h);
  };

  let outlined = false;
  /** @param {number} i @param {number} j */
  const outline = (i, j) => {
    draw();
    if (cellWidth < 3 || cellHeight < 3) return;
    ctx.strokeStyle = '#212121';
    ctx.lineWidth = 1;
    ctx.strokeRect(j * cellWidth - 0.5, i * cellHeight - 0.5, cellWidth + 1, cellHeight + 1);
    outlined = true;
  };
  const unoutline = () => {
    if (outlined) draw();
    outlined = false;
  };

  attachZoomPan(canvas, {width, height, window: shown, onZoom: options.onZoom, onPan: options.onPan, onDragStart: unoutline});

  canvas.addEventListener('mousemove', (event) => {
    if (dragging) return;
    const box = canvas.getBoundingClientRect();
    const x = event.clientX - box.left;
    const y = event.clientY - box.top;
    const i = Math.floor(y / cellHeight);
    const j = Math.floor(x / cellWidth);
    if (i < 0 || j < 0 || i >= rows || j >= columns) {
      hideTooltip();
      unoutline();
      return;
    }
    outline(i, j);
    showTooltip(event, cellReadout(tensor, i, j, options.describe));
  });
  canvas.addEventListener('mouseleave', () => {
    hideTooltip();
    unoutline();
  });

  return {element: canvas, canvas, counts, preview};
}
