// Log axis ticks and labels of the shared charts.

import test from 'node:test';
import assert from 'node:assert/strict';

import {logTicks, formatPower, niceTicks, linearLabels} from '../../frontend/charts.js';

test('a log axis over several decades ticks at powers of ten', () => {
  assert.deepEqual(logTicks(-6.2, -0.1, 4), {ticks: [-6, -4, -2], spacing: 2});
  assert.deepEqual(logTicks(-3.5, 0.2, 5).ticks, [-3, -2, -1, 0]);
});

/** Log ticks as the values they stand for. */
const values = ({ticks}) => ticks.map((t) => Number(Math.pow(10, t).toPrecision(6)));

test('a log axis within two decades ticks at 1, 2 and 5 times powers of ten', () => {
  const ticks = logTicks(Math.log10(0.012), Math.log10(0.25), 4);
  assert.equal(ticks.spacing, 0);
  assert.deepEqual(values(ticks), [0.02, 0.05, 0.1, 0.2]);
  assert.deepEqual(values(logTicks(Math.log10(0.0031), Math.log10(0.0068), 4)), [0.004, 0.005, 0.006]);
  // Within one digit step: round values in between.
  assert.deepEqual(values(logTicks(Math.log10(0.0041), Math.log10(0.0049), 4)), [0.0042, 0.0044, 0.0046, 0.0048]);
});

test('log tick labels: plain within three decades of 1, exponents beyond', () => {
  assert.equal(formatPower(-2), '0.01');
  assert.equal(formatPower(0), '1');
  assert.equal(formatPower(3), '1000');
  assert.equal(formatPower(-4), '1e-4');
  assert.equal(formatPower(6), '1e6');
  assert.equal(formatPower(Math.log10(0.02)), '0.02');
});

test('linear ticks are unchanged', () => {
  assert.deepEqual(niceTicks(0, 1, 5), {ticks: [0, 0.2, 0.4, 0.6, 0.8, 1], spacing: 0.2});
});

test('tick labels get the digits that tell them apart', () => {
  assert.deepEqual(linearLabels(niceTicks(0, 1, 5)), ['0', '0.2', '0.4', '0.6', '0.8', '1.0']);
  // formatTick stops at 8 decimals, which would label all four 0.12284202.
  assert.deepEqual(linearLabels(niceTicks(0.1228420195, 0.1228420235, 3)), [
    '0.12284202',
    '0.122842021',
    '0.122842022',
    '0.122842023',
  ]);
});
