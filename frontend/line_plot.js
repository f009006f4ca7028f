// The 1-D view: bars for short vectors, a line for long ones.

import {h} from './dom.js';
import {drawChart, onCanvasHover, nearestIndex} from './charts.js';
import {viewIndices} from './data.js';
import {formatValue, formatApprox, formatIndices} from './format.js';
import {showTooltip, hideTooltip} from './tooltip.js';

/** @typedef {import('./data.js').Tensor} Tensor */

/** Vectors up to this length are drawn as bars. */
export const MAX_BARS = 64;

/**
 * Builds the plot of a 1-D view.
 * @param {!Tensor} tensor  With `view_shape` of length 1.
 * @param {string} color  Colour of the run.
 * @param {{maxWidth: number, maxHeight: number}} box  Available CSS pixels.
 * @return {!HTMLElement}
 */
export function createLinePlot(tensor, color, box) {
  const values = tensor.values;
  const n = values.length;
  const full = tensor.view_shape[0];
  // Each value sits at the first view index it stands for.
  const xs = values.map((_, i) => viewIndices(tensor, 0, i).first);
  const asBars = n <= MAX_BARS;
  // Bars are as wide as the view indices between stored elements allow.
  const stride = tensor.subsample_strides ? tensor.subsample_strides[0] : 1;
  const canvas = /** @type {!HTMLCanvasElement} */ (
    h('canvas', {class: 'tbw-vector', testid: 'vector-plot'})
  );
  const width = Math.max(240, Math.min(box.maxWidth, 720));
  const height = Math.max(140, Math.min(box.maxHeight, 220));
  const spec = {
    width,
    height,
    integerX: true,
    xDomain: asBars ? [-0.6 * stride, xs[n - 1] + 0.6 * stride] : [0, Math.max(1, full - 1)],
    lines: asBars ? [] : [{color, xs, ys: values, dots: n <= 2}],
    bars: asBars
      ? [{color, x0: xs.map((i) => i - 0.4 * stride), x1: xs.map((i) => i + 0.4 * stride), ys: values, alpha: 0.85}]
      : [],
    yFromZero: asBars,
    hoverX: /** @type {?number} */ (null),
  };
  let frame = drawChart(canvas, spec);

  onCanvasHover(
    canvas,
    (px, py, event) => {
      if (px < frame.left || px > frame.right) {
        hideTooltip();
        return;
      }
      const i = nearestIndex(xs, frame.invertX(px));
      if (i < 0) return;
      spec.hoverX = xs[i];
      frame = drawChart(canvas, spec);
      const indices = viewIndices(tensor, 0, i);
      const lines = tensor.downsampled
        ? [`indices ${formatIndices(indices)}`, `block mean ${formatApprox(values[i], 7)}`]
        : [`index ${indices.first}`, `value ${formatValue(values[i], tensor.stored_dtype)}`];
      showTooltip(event, lines);
    },
    () => {
      hideTooltip();
      spec.hoverX = null;
      frame = drawChart(canvas, spec);
    },
  );
  return h('div', {class: 'tbw-vector-view'}, canvas);
}
