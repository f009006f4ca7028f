import test from 'node:test';
import assert from 'node:assert/strict';

import {cellKind, fieldLabel, overviewPosition, overviewRows, overviewScale} from '../../frontend/overview.js';
import {indexTree, nonfiniteMarks, sortByValue, stepIndex} from '../../frontend/tree.js';
import {describeCounts, describeFirstNonfinite} from '../../frontend/first_nonfinite.js';

const VARIABLES = [
  {path: 'convnet/conv/kernel', values: [NaN, 0.002, 0.003]},
  {path: 'convnet/conv/bias', values: [NaN, 0, 0]},
  {path: 'convnet/dense/kernel', values: [null, NaN, 0.5]},
  {path: 'convnet/dense/bias', values: [NaN, Infinity, -Infinity]},
];

test('overviewRows groups variables by layer in the given order, model name dropped', () => {
  const rows = overviewRows(VARIABLES);
  assert.deepEqual(
    rows.map(({path, name, layer, groupStart, first}) => [path, name, layer, groupStart, first]),
    [
      ['convnet/conv/kernel', 'kernel', 'conv', true, 0],
      ['convnet/conv/bias', 'bias', 'conv', false, 0],
      ['convnet/dense/kernel', 'kernel', 'dense', true, 1],
      ['convnet/dense/bias', 'bias', 'dense', false, 0],
    ],
  );
  // Several models: the model name stays in the layer.
  const two = overviewRows([
    {path: 'a/x/w', values: [1]},
    {path: 'b/x/w', values: [1]},
    {path: 'b/x/v', values: [1]},
  ]);
  assert.deepEqual(two.map((r) => [r.layer, r.groupStart]), [['a/x', true], ['b/x', true], ['b/x', false]]);
});

test('cellKind: an update ratio at the first logged step is no value, elsewhere NaN is NaN', () => {
  assert.equal(cellKind(NaN, 0, 0, 'update_ratio'), 'none');
  assert.equal(cellKind(NaN, 1, 1, 'update_ratio'), 'none');
  assert.equal(cellKind(NaN, 2, 0, 'update_ratio'), 'nan');
  assert.equal(cellKind(NaN, 0, 0, 'mean'), 'nan');
  assert.equal(cellKind(null, 0, 1, 'mean'), 'none');
  assert.equal(cellKind(Infinity, 1, 0, 'l2_norm'), 'posinf');
  assert.equal(cellKind(-Infinity, 1, 0, 'mean'), 'neginf');
  assert.equal(cellKind(0, 1, 0, 'update_ratio'), 'value');
});

test('overviewScale spans the finite values; a log scale only the positive ones', () => {
  const rows = overviewRows(VARIABLES);
  assert.deepEqual(overviewScale(rows, false), {low: 0, high: 0.5, log: false});
  assert.deepEqual(overviewScale(rows, true), {low: 0.002, high: 0.5, log: true});
  assert.equal(overviewScale(overviewRows([{path: 'm/l/v', values: [NaN, null]}]), false), null);
  // At most 8 decades below the maximum on a log scale.
  assert.deepEqual(overviewScale(overviewRows([{path: 'm/l/v', values: [1e-20, 1]}]), true), {low: 1e-8, high: 1, log: true});
});

test('overviewPosition: linear, log10, zero at the bottom of a log scale, clamped', () => {
  assert.equal(overviewPosition({low: 0, high: 0.5, log: false}, 0.25), 0.5);
  assert.ok(Math.abs(overviewPosition({low: 0.001, high: 1, log: true}, 0.01) - 1 / 3) < 1e-12);
  assert.equal(overviewPosition({low: 0.001, high: 1, log: true}, 0), 0);
  assert.equal(overviewPosition({low: 0.001, high: 1, log: true}, 5), 1);
  assert.equal(overviewPosition({low: 2, high: 2, log: false}, 2), 0.5);
});

test('fieldLabel names the statistics', () => {
  assert.equal(fieldLabel('update_ratio'), 'update ratio');
  assert.equal(fieldLabel('l2_norm'), 'L2 norm');
  assert.equal(fieldLabel('nan_count'), 'nan count');
});

test('sortByValue: largest or smallest first, NaN, +Inf, -Inf and missing last, ties in tree order', () => {
  const values = {a: 0.1, b: NaN, c: 0.3, d: null, e: 0.1, f: Infinity, g: -Infinity, h: -2};
  const paths = Object.keys(values);
  const valueOf = (p) => values[p];
  assert.deepEqual(sortByValue(paths, valueOf, 'desc'), ['c', 'a', 'e', 'h', 'b', 'f', 'g', 'd']);
  assert.deepEqual(sortByValue(paths, valueOf, 'asc'), ['h', 'a', 'e', 'c', 'b', 'f', 'g', 'd']);
});

test('stepIndex finds the latest logged step at or before a step', () => {
  assert.equal(stepIndex([0, 10, 20], null), 2);
  assert.equal(stepIndex([0, 10, 20], 15), 1);
  assert.equal(stepIndex([0, 10, 20], 20), 2);
  assert.equal(stepIndex([5, 10], 2), -1);
  assert.equal(stepIndex([], null), -1);
});

test('nonfiniteMarks marks bad variables and sums over their ancestors', () => {
  const variable = (path) => ({kind: 'variable', name: path.split('/').pop(), path});
  const roots = [
    {
      kind: 'module', name: 'm', path: 'm',
      children: [
        {kind: 'module', name: 'conv', path: 'm/conv', children: [variable('m/conv/kernel'), variable('m/conv/bias')]},
        {kind: 'module', name: 'dense', path: 'm/dense', children: [variable('m/dense/bias')]},
      ],
    },
  ];
  const counts = new Map([
    ['m/conv/kernel', [1, 2]],
    ['m/conv/bias', [0, 0]],
    ['m/dense/bias', [3, 0]],
  ]);
  const marks = nonfiniteMarks(indexTree(roots), counts);
  assert.deepEqual(Object.fromEntries(marks), {
    'm/conv/kernel': {nan: 1, inf: 2, variables: 1},
    'm/conv': {nan: 1, inf: 2, variables: 1},
    'm/dense/bias': {nan: 3, inf: 0, variables: 1},
    'm/dense': {nan: 3, inf: 0, variables: 1},
    m: {nan: 4, inf: 2, variables: 2},
  });
  assert.equal(nonfiniteMarks(indexTree(roots), new Map([['m/conv/bias', [0, 0]]])).size, 0);
});

test('describeFirstNonfinite reports the step, variables and counts', () => {
  assert.equal(
    describeFirstNonfinite({run: 'nan_run', step: 2, variables: [{path: 'convnet/conv/kernel', nan_count: 1, inf_count: 2}]}),
    'nan_run: first NaN/Inf at step 2 in convnet/conv/kernel (1 NaN, 2 Inf)',
  );
  assert.equal(
    describeFirstNonfinite({
      run: 'r', step: 7,
      variables: [{path: 'a', nan_count: 0, inf_count: 4}, {path: 'b', nan_count: 5, inf_count: 0}],
    }),
    'r: first NaN/Inf at step 7 in a (4 Inf), b (5 NaN)',
  );
  assert.equal(describeFirstNonfinite({run: 'conv_a', step: null, variables: []}), 'conv_a: no NaN or Inf logged');
  assert.equal(describeCounts(0, 0), 'none');
});
