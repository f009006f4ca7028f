import test from 'node:test';
import assert from 'node:assert/strict';

import {
  decodeRunList,
  emptyState,
  encodeRunList,
  formatHash,
  parseHash,
  readState,
  writeState,
} from '../../frontend/url_state.js';

test('parseHash splits the plugin id and decoded entries in order', () => {
  assert.deepEqual(parseHash('#weights&p.weights.variable=m%2Fdense%2Fkernel&_smoothingWeight=0.6'), {
    head: 'weights',
    entries: [
      ['p.weights.variable', 'm/dense/kernel'],
      ['_smoothingWeight', '0.6'],
    ],
  });
  assert.deepEqual(parseHash(''), {head: null, entries: []});
  assert.deepEqual(parseHash('#'), {head: null, entries: []});
  // A value holding `=` keeps it; a stray `%` is left as it is.
  assert.deepEqual(parseHash('weights&a=b%3Dc=d&bad=%E0'), {head: 'weights', entries: [['a', 'b=c=d'], ['bad', '%E0']]});
});

test('formatHash is the inverse of parseHash', () => {
  const hash = '#weights&p.weights.variable=m%2Fdense%2Fkernel&x=a%20b%26c';
  assert.equal(formatHash(parseHash(hash)), hash);
  assert.equal(formatHash({head: null, entries: []}), '');
});

test('run lists survive commas and percent signs in run names', () => {
  const runs = ['lr=0.1,bs=32', '100%', 'plain', 'a%2Cb'];
  assert.equal(encodeRunList(['a', 'b']), 'a,b');
  assert.deepEqual(decodeRunList(encodeRunList(runs)), runs);
  assert.deepEqual(decodeRunList(''), []);
});

test('readState reads the dashboard keys and leaves the others', () => {
  const state = readState(
    '#weights&p.weights.runs=conv_a%2Cnan_run&p.weights.variable=convnet%2Fconv%2Fkernel' +
      '&p.weights.step=2&p.weights.axes=2%2C3&p.weights.overview_field=l2_norm' +
      '&p.weights.overview_run=nan_run&p.weights.tree_field=mean&p.scalars.x=1&runSelectionState=abc',
  );
  assert.deepEqual(state, {
    runs: ['conv_a', 'nan_run'],
    variable: 'convnet/conv/kernel',
    overviewField: 'l2_norm',
    overviewRun: 'nan_run',
    treeField: 'mean',
    view: {step: '2', axes: '2,3'},
  });
  assert.deepEqual(readState('#weights'), emptyState());
  // An empty run list is an explicit "no run selected".
  assert.deepEqual(readState('#weights&p.weights.runs=').runs, []);
});

test('writeState keeps the plugin id and other keys, replaces ours', () => {
  const before = '#weights&_smoothingWeight=0.6&p.weights.variable=old&p.weights.zoom=4&tagFilter=loss';
  const after = writeState(before, {
    ...emptyState(),
    runs: ['conv_a', 'b,c'],
    variable: 'convnet/conv/kernel',
    view: {step: '3', axes: '0,1', window: ''},
  });
  assert.equal(
    after,
    '#weights&_smoothingWeight=0.6&tagFilter=loss&p.weights.runs=conv_a%2Cb%252Cc' +
      '&p.weights.variable=convnet%2Fconv%2Fkernel&p.weights.axes=0%2C1&p.weights.step=3',
  );
  assert.deepEqual(readState(after), {
    runs: ['conv_a', 'b,c'],
    variable: 'convnet/conv/kernel',
    overviewField: null,
    overviewRun: null,
    treeField: null,
    view: {axes: '0,1', step: '3'},
  });
});

test('writeState puts the plugin id first when the hash has none', () => {
  assert.equal(writeState('', {...emptyState(), overviewField: 'update_ratio'}), '#weights&p.weights.overview_field=update_ratio');
  assert.equal(writeState('#', emptyState()), '#weights');
});

test('view keys that collide with the dashboard keys are not written', () => {
  const hash = writeState('#weights', {...emptyState(), variable: 'v', view: {variable: 'other', step: '1'}});
  assert.equal(hash, '#weights&p.weights.variable=v&p.weights.step=1');
});
