// Chooses the view of one tensor by the rank of its display view.

import {h, message} from './dom.js';
import {formatShape, formatValue, formatApprox, formatCount, ordinal} from './format.js';
import {createHeatmap} from './heatmap.js';
import {createLinePlot} from './line_plot.js';

/** @typedef {import('./data.js').Tensor} Tensor */
/** @typedef {import('./data.js').Stats} Stats */

/**
 * A note about how a tensor is shown. `kind`: `reshape`, `precision`
 * (stored in a smaller float type), `subsample` (only every k-th element
 * stored), `downsample` (block means for display); `title` explains more.
 * @typedef {{kind: string, text: string, title: string}}
 */
export let ViewNote;

/**
 * Short notes about how the tensor is shown: reshaping, reduced storage and
 * downsampling.
 * @param {!Tensor} tensor
 * @return {!Array<!ViewNote>}
 */
export function describeView(tensor) {
  /** @type {!Array<!ViewNote>} */
  const notes = [];
  const view = formatShape(tensor.view_shape);
  if (tensor.shape.length > 2) {
    notes.push({
      kind: 'reshape',
      text: `${view}, reshaped from ${formatShape(tensor.shape)}`,
      title: 'All axes but the last are flattened into rows.',
    });
  }
  if (tensor.reduced_precision) {
    notes.push({
      kind: 'precision',
      text: `stored as ${tensor.stored_dtype}`,
      title: `The ${tensor.dtype} values were logged as ${tensor.stored_dtype}: what is shown (and the .npy file) holds them rounded to ${tensor.stored_dtype}.`,
    });
  }
  const strides = tensor.subsample_strides;
  if (strides) {
    const axes = strides.length === 1 ? ['element'] : ['row', 'column'];
    const every = strides.map((k, axis) => (k === 1 ? '' : `every ${ordinal(k)} ${axes[axis]}`)).filter(Boolean);
    notes.push({
      kind: 'subsample',
      text: `subsample: ${every.join(', ')}, ${formatShape(tensor.stored_view_shape)} of ${view}`,
      title: 'Only these elements were logged, to keep the tensor under the writer’s byte limit; the elements between them are not stored. Hover shows indices in the whole view.',
    });
  }
  if (tensor.downsampled) {
    const method = tensor.downsample_method === 'block_mean' || !tensor.downsample_method
      ? 'block mean'
      : tensor.downsample_method.replace(/_/g, ' ');
    notes.push({
      kind: 'downsample',
      text: `downsampled ${formatShape(tensor.stored_view_shape)} → ${formatShape(tensor.values_shape)}, ${method}`,
      title: 'Each value shown is the mean of a block of elements, so that the view fits the panel (“Cells: every element” shows up to 4,194,304).',
    });
  }
  return notes;
}

/**
 * One line of facts about the values: mean and std at the tensor's step (from
 * the statistics, when loaded), min and max for 1-D views (2-D views show
 * them on the colour bar), NaN and Inf counts.
 * @param {!Tensor} tensor
 * @param {?Stats} stats  The run's statistics of this variable.
 * @return {string}
 */
export function describeValues(tensor, stats) {
  const rank = tensor.view_shape.length;
  if (isScalar(tensor)) return '';
  const parts = [];
  const i = stats ? stats.steps.indexOf(tensor.step) : -1;
  if (stats && i >= 0) {
    const {mean, std} = stats.statistics;
    if (mean) parts.push(`mean ${formatApprox(mean[i], 4)}`);
    if (std) parts.push(`std ${formatApprox(std[i], 4)}`);
  }
  if (rank === 1 && tensor.min !== null && tensor.max !== null) {
    parts.push(`min ${formatValue(tensor.min, tensor.dtype)}`);
    parts.push(`max ${formatValue(tensor.max, tensor.dtype)}`);
  }
  if (tensor.min === null) parts.push('no finite values');
  if (tensor.nan_count) parts.push(`${formatCount(tensor.nan_count)} NaN`);
  if (tensor.inf_count) parts.push(`${formatCount(tensor.inf_count)} ±Inf`);
  return parts.join(' · ');
}

/**
 * The value of a rank-0 tensor, large.
 * @param {!Tensor} tensor
 * @return {!HTMLElement}
 */
function createScalarView(tensor) {
  const value = tensor.values[0];
  const exact = formatValue(value, tensor.stored_dtype);
  const approx = formatApprox(value, 6);
  return h(
    'div',
    {class: 'tbw-scalar-view', testid: 'scalar-view'},
    h('div', {class: 'tbw-scalar-value', text: exact}),
    approx !== exact && exact.length > 12 ? h('div', {class: 'tbw-muted', text: `≈ ${approx}`}) : null,
  );
}

/**
 * Builds the view of a tensor: a heat map for 2-D views, a plot for 1-D, the
 * value for scalars.
 * @param {!Tensor} tensor
 * @param {string} color  Colour of the run.
 * @param {{maxWidth: number, maxHeight: number}} box  Available CSS pixels.
 * @param {number=} scale  Colour scale of a heat map (see createHeatmap).
 * @return {!HTMLElement}
 */
export function createTensorView(tensor, color, box, scale) {
  const rank = tensor.view_shape.length;
  if (tensor.values.length === 0 && rank > 0) {
    return message('Empty tensor', `Shape ${formatShape(tensor.shape)} has no elements.`);
  }
  if (isScalar(tensor)) return createScalarView(tensor);
  if (rank === 1) return createLinePlot(tensor, color, box);
  return createHeatmap(tensor, box, scale);
}

/**
 * Whether a tensor holds one element (rank 0, or any shape of size 1): its
 * value is shown as a number rather than a one-bar chart or one-cell map.
 * @param {!Tensor} tensor
 * @return {boolean}
 */
export function isScalar(tensor) {
  return tensor.view_shape.length === 0 || (tensor.values.length === 1 && !tensor.downsampled);
}
