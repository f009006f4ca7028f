import test from 'node:test';
import assert from 'node:assert/strict';
import {
  axisNames, defaultSlice, describeSlice, formatIndex, formatSlice, otherAxes, parseSlice, sliceFileLabel, sliceOptions,
} from '../../frontend/slice_controls.js';

const conv2d = {kind: 'variable', path: 'm/conv/kernel', shape: [3, 3, 2, 6], axis_names: ['kh', 'kw', 'in', 'out'],
  filter_layout: {tile_axes: [0, 1], grid_axes: [2, 3]}};
const conv3d = {kind: 'variable', path: 'm/conv3d/kernel', shape: [2, 2, 2, 1, 3], axis_names: ['kd', 'kh', 'kw', 'in', 'out'],
  filter_layout: {tile_axes: [1, 2], grid_axes: [3, 4]}};
const dense = {kind: 'variable', path: 'm/dense/kernel', shape: [64, 10], axis_names: ['in', 'out']};
const plain = {kind: 'variable', path: 'x', shape: [4, 5, 6]};

test('defaults: filter grid for conv kernels, last two axes otherwise', () => {
  assert.deepEqual(defaultSlice(conv2d), {layout: 'filters', axes: [2, 3], picks: [0, 0, 0, 0]});
  assert.deepEqual(defaultSlice(conv2d, 'heatmap').axes, [2, 3]);
  assert.deepEqual(defaultSlice(dense).axes, [0, 1]);
  assert.deepEqual(defaultSlice(plain).axes, [1, 2]);
  assert.deepEqual(axisNames(plain), ['axis 0', 'axis 1', 'axis 2']);
});

test('request options: Conv3D depth is the only other axis of its filter grid', () => {
  const slice = defaultSlice(conv3d);
  assert.deepEqual(otherAxes(conv3d, slice), [0]);
  assert.deepEqual(sliceOptions(conv3d, {...slice, picks: [1, 0, 0, 0, 0]}), {
    axes: [3, 4], other: [1], layout: 'filters', tile_axes: [1, 2],
  });
  const heat = {layout: 'heatmap', axes: [4, 1], picks: [1, 0, 'mean', 0, 0]};
  assert.deepEqual(sliceOptions(conv3d, heat), {axes: [4, 1], other: [1, 'mean', 0]});
  assert.equal(describeSlice(conv3d, heat), 'out × kh at kd 1, kw mean, in 0');
  assert.equal(sliceFileLabel(conv3d, heat), 'axes4-1_kd1_kwmean_in0');
  assert.equal(formatIndex(conv3d, heat, {4: '2', 1: '1'}), 'kd 1, kh 1, kw mean, in 0, out 2');
});

test('view state round-trips and bad values fall back to defaults', () => {
  const slice = {layout: 'heatmap', axes: [4, 1], picks: [1, 0, 'l2', 0, 0]};
  const text = formatSlice(conv3d, slice);
  assert.deepEqual(text, {layout: 'heatmap', axes: '4,1', other: '1,l2,0'});
  assert.deepEqual(parseSlice(conv3d, text), slice);
  assert.deepEqual(parseSlice(conv3d, {layout: 'heatmap', axes: '9,1', other: 'x'}), defaultSlice(conv3d, 'heatmap'));
  assert.deepEqual(parseSlice(conv3d, {layout: 'filters', axes: '1,2'}).axes, [3, 4], 'tile axes cannot be grid axes');
  assert.deepEqual(parseSlice(dense, {layout: 'filters', axes: '1,0'}), {layout: 'heatmap', axes: [1, 0], picks: [0, 0]});
  // An index beyond the axis is ignored.
  assert.deepEqual(parseSlice(conv2d, {layout: 'heatmap', axes: '2,3', other: '5,mean'}).picks, [0, 'mean', 0, 0]);
});
