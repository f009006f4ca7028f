// The 2-D view: a heat map with a diverging colour map centred on zero, a
// colour bar and hover read-out.

import {h} from './dom.js';
import {NAN_RGB, cssRgb, diverging, paintValues, symmetricScale} from './colormap.js';
import {setupCanvas, onCanvasHover} from './charts.js';
import {viewIndices} from './data.js';
import {formatApprox, formatIndices, formatShape, formatValue} from './format.js';
import {showTooltip, hideTooltip} from './tooltip.js';

/** @typedef {import('./data.js').Tensor} Tensor */
/** @typedef {import('./tooltip.js').TooltipLine} TooltipLine */

const MAX_CELL = 24;
const LABEL_FONT = '10px Roboto, "Helvetica Neue", Arial, sans-serif';

// The most a cell's height may differ from its width (either way).
const MAX_ASPECT = 4;

/**
 * Integer cell sizes (CSS pixels) that fit `rows × columns` cells in the
 * given box: cells of the given shape when both sides can be at least 2
 * pixels, else square cells of at least 2 pixels, otherwise each axis on its
 * own, never below 1 pixel.
 * @param {number} rows
 * @param {number} columns
 * @param {number} maxWidth
 * @param {number} maxHeight
 * @param {number=} aspect  Height over width of a cell, clamped to
 *     [1/4, 4].
 * @return {{width: number, height: number}}  Size of one cell.
 */
export function cellSize(rows, columns, maxWidth, maxHeight, aspect = 1) {
  const fitW = Math.floor(maxWidth / columns);
  const fitH = Math.floor(maxHeight / rows);
  const ratio = Math.min(MAX_ASPECT, Math.max(1 / MAX_ASPECT, aspect));
  const width = Math.min(fitW, Math.round(Math.min(fitH / ratio, MAX_CELL / Math.max(1, ratio))));
  const height = Math.min(fitH, Math.round(width * ratio));
  if (Math.min(width, height) >= 2) return {width, height};
  const square = Math.min(fitW, fitH, MAX_CELL);
  if (square >= 2) return {width: square, height: square};
  return {
    width: Math.max(1, Math.min(fitW, MAX_CELL)),
    height: Math.max(1, Math.min(fitH, MAX_CELL)),
  };
}

/**
 * How many view elements a value stands for down a column over how many
 * along a row, counting subsample strides and blocks: the shape a cell
 * should have for the heat map to keep the view's proportions.
 * @param {!Tensor} tensor
 * @return {number}
 */
function cellAspect(tensor) {
  const [viewRows, viewColumns] = tensor.view_shape;
  const [rows, columns] = tensor.values_shape;
  const aspect = (viewRows / rows) / (viewColumns / columns);
  return Number.isFinite(aspect) && aspect > 0 ? aspect : 1;
}

/**
 * Paints the values into an image with one pixel per cell.
 * @param {!Array<number>} values  Row-major, `rows * columns` long.
 * @param {number} rows
 * @param {number} columns
 * @param {number} scale  Symmetric colour scale.
 * @return {{image: !HTMLCanvasElement, nanCount: number}}
 */
function paintCells(values, rows, columns, scale) {
  const image = document.createElement('canvas');
  image.width = columns;
  image.height = rows;
  const ctx = /** @type {!CanvasRenderingContext2D} */ (image.getContext('2d'));
  const data = ctx.createImageData(columns, rows);
  const nanCount = paintValues(values, scale, new Int32Array(data.data.buffer));
  ctx.putImageData(data, 0, 0);
  return {image, nanCount};
}

/**
 * The colour bar: the gradient from -scale to +scale. When the scale reaches
 * the tensor's true minimum and maximum, those are marked and labelled;
 * otherwise (a scale fit to the shown cells) the ends of the bar are labelled
 * and the heat map's legend gives the true extremes.
 * @param {?number} min
 * @param {?number} max
 * @param {number} scale
 * @param {number} width  CSS pixels.
 * @param {string} dtype
 * @return {!HTMLCanvasElement}
 */
function createColorBar(min, max, scale, width, dtype) {
  const canvas = /** @type {!HTMLCanvasElement} */ (
    h('canvas', {class: 'tbw-colorbar', testid: 'colorbar'})
  );
  const inset = 6;
  const barW = width - 2 * inset;
  const barTop = 2;
  const barH = 10;
  const textTop = barTop + barH + 6;
  /** @param {number} v */
  const position = (v) => inset + ((Math.max(-scale, Math.min(scale, v)) / scale + 1) / 2) * barW;
  const finite = min !== null && max !== null;
  const clipped = finite && Math.max(Math.abs(min), Math.abs(max)) > scale;
  const minLabel = !finite ? '' : min === max ? `min = max = ${formatValue(min, dtype)}` : `min ${formatValue(min, dtype)}`;
  const maxLabel = !finite || min === max ? '' : `max ${formatValue(max, dtype)}`;

  // Measure first: when the min and max labels would collide, the max label
  // takes a second line.
  let ctx = setupCanvas(canvas, width, 34);
  ctx.font = LABEL_FONT;
  const minRight = finite ? position(min) - 2 + ctx.measureText(minLabel).width : 0;
  const maxLeft = finite ? position(max) + 2 - ctx.measureText(maxLabel).width : 0;
  const twoLines = !clipped && Boolean(maxLabel) && minRight > maxLeft - 6;
  if (twoLines) {
    ctx = setupCanvas(canvas, width, 46);
    ctx.font = LABEL_FONT;
  }

  for (let px = 0; px < barW; px++) {
    ctx.fillStyle = cssRgb(diverging((px / (barW - 1)) * 2 - 1));
    ctx.fillRect(inset + px, barTop, 1, barH);
  }
  ctx.strokeStyle = '#bdbdbd';
  ctx.strokeRect(inset - 0.5, barTop - 0.5, barW + 1, barH + 1);
  ctx.textBaseline = 'top';

  /**
   * @param {string} text
   * @param {number} x
   * @param {string} align
   * @param {string=} color
   * @param {number=} top
   */
  const label = (text, x, align, color = '#424242', top = textTop) => {
    ctx.fillStyle = color;
    ctx.textAlign = /** @type {CanvasTextAlign} */ (align);
    ctx.fillText(text, x, top);
  };
  /** @param {number} v */
  const tick = (v) => {
    const px = Math.round(position(v)) + 0.5;
    ctx.strokeStyle = '#424242';
    ctx.beginPath();
    ctx.moveTo(px, barTop - 1);
    ctx.lineTo(px, barTop + barH + 4);
    ctx.stroke();
    return px;
  };

  if (!finite) {
    label('no finite values', width / 2, 'center', '#616161');
    return canvas;
  }
  if (clipped) {
    label(`−${formatApprox(scale, 3)}`, inset - 2, 'left');
    label(formatApprox(scale, 3), inset + barW + 2, 'right');
    label('0', position(0), 'center', '#9e9e9e');
    return canvas;
  }
  const zeroPx = position(0);
  const zeroHalf = ctx.measureText('0').width / 2 + 6;
  if (!twoLines && minRight < zeroPx - zeroHalf && (!maxLabel || maxLeft > zeroPx + zeroHalf)) {
    label('0', zeroPx, 'center', '#9e9e9e');
  }
  const minPx = tick(/** @type {number} */ (min));
  if (!maxLabel) {
    label(minLabel, min > 0 ? Math.min(width, minPx + 2) : Math.max(0, minPx - 2), min > 0 ? 'right' : 'left');
    return canvas;
  }
  label(minLabel, Math.max(0, minPx - 2), 'left');
  const maxPx = tick(/** @type {number} */ (max));
  label(maxLabel, Math.min(width, maxPx + 2), 'right', '#424242', twoLines ? textTop + 12 : textTop);
  return canvas;
}

/**
 * The largest magnitude among the finite values shown: the scale that uses
 * the whole colour range for a downsampled view.
 * @param {!Tensor} tensor
 * @return {number}
 */
export function shownScale(tensor) {
  let scale = 0;
  for (const v of tensor.values) {
    if (Number.isFinite(v) && Math.abs(v) > scale) scale = Math.abs(v);
  }
  return scale > 0 ? scale : 1;
}

/**
 * The hover read-out of value `(i, j)`: the view indices it stands for
 * (each stored index times its subsample stride) and the value, exact when
 * it is one element, else the block mean.
 * @param {!Tensor} tensor
 * @param {number} i
 * @param {number} j
 * @return {!Array<!TooltipLine>}
 */
export function cellReadout(tensor, i, j) {
  const value = tensor.values[i * tensor.values_shape[1] + j];
  const rows = viewIndices(tensor, 0, i);
  const columns = viewIndices(tensor, 1, j);
  if (tensor.downsampled) {
    return [
      `rows ${formatIndices(rows)}, columns ${formatIndices(columns)}`,
      `block mean ${formatApprox(value, 7)}`,
      ...(tensor.subsample_strides ? [[null, 'of the stored subsample', 'muted']] : []),
    ];
  }
  /** @type {!Array<!TooltipLine>} */
  const lines = [`row ${rows.first}, column ${columns.first}`, `value ${formatValue(value, tensor.stored_dtype)}`];
  if (tensor.subsample_strides) lines.push([null, `stored cell ${i}, ${j} of the subsample`, 'muted']);
  if (tensor.reduced_precision) lines.push([null, `stored as ${tensor.stored_dtype}`, 'muted']);
  return lines;
}

/**
 * Builds the heat map of a 2-D view.
 * @param {!Tensor} tensor  With `view_shape` of length 2.
 * @param {{maxWidth: number, maxHeight: number}} box  Available CSS pixels.
 * @param {number=} scale  Magnitude at the ends of the colour map; by default
 *     max(|min|, |max|) of the whole tensor.
 * @return {!HTMLElement}
 */
export function createHeatmap(tensor, box, scale = symmetricScale(tensor.min, tensor.max)) {
  const [rows, columns] = tensor.values_shape;
  const cell = cellSize(rows, columns, box.maxWidth, box.maxHeight, cellAspect(tensor));
  const width = columns * cell.width;
  const height = rows * cell.height;

  const {image, nanCount} = paintCells(tensor.values, rows, columns, scale);
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
  ctx.drawImage(image, 0, 0, width, height);

  // The outlined cell; moving the outline repaints only the cells around it.
  /** @type {?Array<number>} */
  let outlined = null;
  const unoutline = () => {
    if (!outlined) return;
    const [i, j] = outlined;
    // The outline reaches a pixel into the neighbouring cells (two when
    // cells are one pixel, for the anti-aliasing of fractional pixel ratios).
    const margin = cell.width === 1 || cell.height === 1 ? 2 : 1;
    const i0 = Math.max(0, i - margin);
    const j0 = Math.max(0, j - margin);
    const i1 = Math.min(rows, i + margin + 1);
    const j1 = Math.min(columns, j + margin + 1);
    ctx.drawImage(image, j0, i0, j1 - j0, i1 - i0, j0 * cell.width, i0 * cell.height, (j1 - j0) * cell.width, (i1 - i0) * cell.height);
    outlined = null;
  };
  /** @param {number} i @param {number} j */
  const outline = (i, j) => {
    unoutline();
    ctx.strokeStyle = '#212121';
    ctx.lineWidth = 1;
    ctx.strokeRect(j * cell.width - 0.5, i * cell.height - 0.5, cell.width + 1, cell.height + 1);
    outlined = [i, j];
  };

  onCanvasHover(
    canvas,
    (px, py, event) => {
      const i = Math.floor(py / cell.height);
      const j = Math.floor(px / cell.width);
      if (i < 0 || j < 0 || i >= rows || j >= columns) {
        hideTooltip();
        unoutline();
        return;
      }
      outline(i, j);
      showTooltip(event, cellReadout(tensor, i, j));
    },
    () => {
      hideTooltip();
      unoutline();
    },
  );

  const hasNaN = tensor.nan_count > 0 || nanCount > 0;
  const legend = [];
  if (hasNaN) {
    legend.push(
      h(
        'span',
        {class: 'tbw-legend-item', testid: 'nan-legend'},
        h('span', {class: 'tbw-swatch tbw-swatch-square', style: {background: cssRgb(NAN_RGB)}}),
        tensor.downsampled ? 'NaN (or a block holding NaN)' : 'NaN',
      ),
    );
  }
  if (tensor.min !== null && tensor.max !== null && Math.max(Math.abs(tensor.min), Math.abs(tensor.max)) > scale) {
    legend.push(
      h('span', {
        class: 'tbw-legend-item',
        testid: 'clipped-legend',
        text: `colours saturate beyond ±${formatApprox(scale, 3)}; whole tensor: min ${formatValue(tensor.min, tensor.dtype)}, max ${formatValue(tensor.max, tensor.dtype)}`,
      }),
    );
  }
  if (tensor.inf_count > 0) {
    legend.push(h('span', {class: 'tbw-legend-item', text: '±Infinity shown at the ends of the colour map'}));
  }

  return h(
    'div',
    {class: 'tbw-heatmap-view'},
    h('div', {class: 'tbw-heatmap-scroll', style: {maxHeight: `${Math.max(box.maxHeight, 120) * 1.6}px`}}, canvas),
    createColorBar(tensor.min, tensor.max, scale, Math.max(200, Math.min(360, width)), tensor.dtype),
    legend.length ? h('div', {class: 'tbw-legend'}, legend) : null,
  );
}
