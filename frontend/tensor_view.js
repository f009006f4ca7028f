// Chooses the view of one tensor by the rank of its display view.

import {h, message} from './dom.js';
import {formatShape, formatValue, formatApprox, formatCount, ordinal} from './format.js';
import {describeDownsample} from './zoom.js';
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
 * Short notes about how the tensor is shown: reduced storage,
 * subsampling and downsampling (with its method and block).
 * @param {!Tensor} tensor
 * @return {!Array<!ViewNote>}
 */
export function describeView(tensor) {
  /** @type {!Array<!ViewNote>} */
  const notes = [];
  const view = formatShape(tensor.view_shape);
  if (!tensor.sliced && tensor.shape.length > 2) {
    notes.push({
      kind: 'reshape',
      text: `${view}, reshaped from ${formatShape(tensor.shape)}`,
      title: 'A subsampled tensor has only its stored 2-D grid: all axes but the last are flattened into rows.',
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
    const w = tensor.window;
    const windowShape = w ? [w.rows[1] - w.rows[0], ...(w.columns ? [w.columns[1] - w.columns[0]] : [])] : tensor.stored_view_shape;
    const how = describeDownsample(tensor.downsample_method, tensor.block_shape);
    notes.push({
      kind: 'downsample',
      text: `downsampled ${formatShape(windowShape)} → ${formatShape(tensor.values_shape)}, ${how}`,
      title: 'Each value shown stands for a block of elements, so that the view fits the panel. Zoom in (wheel or +) until every cell is one element: then every value shown is exact.',
    });
  }
  return notes;
}

/**
 * One line of facts about the values: the whole tensor's mean and std at
 * its step (from the statistics, when loaded), min and max, NaN and Inf
 * counts; for a diff, the extremes of the difference in the window.
 * @param {!Tensor} tensor
 * @param {?Stats} stats  The run's statistics of this variable.
 * @return {string}
 */
export function describeValues(tensor, stats) {
  if (isScalar(tensor) && !tensor.diff) return '';
  const parts = [];
  if (tensor.diff && tensor.window_min !== undefined) {
    parts.push(
      tensor.window_min === null
        ? 'difference: no finite values'
        : `difference ${formatApprox(tensor.window_min, 4)} … ${formatApprox(tensor.window_max, 4)}`,
    );
  }
  const i = stats ? stats.steps.indexOf(tensor.step) : -1;
  const facts = [];
  if (stats && i >= 0) {
    const {mean, std} = stats.statistics;
    if (mean) facts.push(`mean ${formatApprox(mean[i], 4)}`);
    if (std) facts.push(`std ${formatApprox(std[i], 4)}`);
  }
  if (tensor.min !== null && tensor.max !== null) {
    facts.push(`min ${formatValue(tensor.min, tensor.dtype)}`);
    facts.push(`max ${formatValue(tensor.max, tensor.dtype)}`);
  }
  if (tensor.min === null) facts.push('no finite values');
  if (tensor.nan_count) facts.push(`${formatCount(tensor.nan_count)} NaN`);
  if (tensor.inf_count) facts.push(`${formatCount(tensor.inf_count)} ±Inf`);
  if (facts.length) parts.push(`${tensor.diff ? `step ${tensor.step}, whole tensor: ` : 'whole tensor: '}${facts.join(', ')}`);
  return parts.join(' · ');
}

/**
 * The value of a rank-0 tensor, large.
 * @param {!Tensor} tensor
 * @return {!HTMLElement}
 */
function createScalarView(tensor) {
  const value = tensor.values[0];
  const exact = formatValue(value, tensor.values_dtype || tensor.stored_dtype);
  const approx = formatApprox(value, 6);
  return h(
    'div',
    {class: 'tbw-scalar-view', testid: 'scalar-view'},
    h('div', {class: 'tbw-scalar-value', text: exact}),
    approx !== exact && exact.length > 12 ? h('div', {class: 'tbw-muted', text: `≈ ${approx}`}) : null,
  );
}

/**
 * Builds the view of a tensor that is not a heat map or filter grid: the
 * value of a scalar, a plot of a 1-D selection, or a message for an empty
 * one.
 * @param {!Tensor} tensor
 * @param {string} color  Colour of the run.
 * @param {{maxWidth: number, maxHeight: number}} box  Available CSS pixels.
 * @return {!HTMLElement}
 */
export function createTensorView(tensor, color, box) {
  if (tensor.values.length === 0 && tensor.values_shape.length > 0) {
    return message('Empty tensor', `Shape ${formatShape(tensor.shape)} has no elements.`);
  }
  if (isScalar(tensor)) return createScalarView(tensor);
  return createLinePlot(tensor, color, box);
}

/**
 * Whether a tensor holds one element (rank 0, or any shape of size 1): its
 * value is shown as a number rather than a one-bar chart or one-cell map.
 * @param {!Tensor} tensor
 * @return {boolean}
 */
export function isScalar(tensor) {
  return tensor.values_shape.length === 0 || (tensor.values.length === 1 && !tensor.downsampled);
}
