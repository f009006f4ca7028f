// Histograms over steps: rebinning onto common bins, ridgeline layout and
// hit testing, log count scaling.

import test from 'node:test';
import assert from 'node:assert/strict';

import {
  valueRange,
  widenRange,
  uniformEdges,
  binIndex,
  rebinCounts,
  stepDensity,
  scaleCount,
  countAtFraction,
  ridgelineLayout,
  ridgelineRows,
  ridgelineHit,
  bucketAt,
  spacedLabels,
  densityBinCount,
  densityHit,
  mixWithWhite,
  hasFiniteValues,
  ridgelineHeight,
} from '../../frontend/histogram_steps.js';

const sum = (values) => values.reduce((a, b) => a + b, 0);

/** A histogram of 64 buckets over [lo, hi] with the given counts. */
function histogram(step, lo, hi, counts) {
  return {step, edges: uniformEdges(lo, hi, counts.length), counts};
}

/** Deterministic pseudo-random numbers in [0, 1). */
function random(seed) {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
}

test('rebinning splits buckets by the overlapping fraction of their width', () => {
  // Buckets [0,2) with 4 and [2,4] with 8 onto unit bins: 2 per unit, then 4.
  assert.deepEqual(rebinCounts([0, 2, 4], [4, 8], [0, 1, 2, 3, 4]), [2, 2, 4, 4]);
  // One bucket [0,4] of 8 onto bins [-1,1), [1,3), [3,5]: 2, 4, 2.
  assert.deepEqual(rebinCounts([0, 4], [8], [-1, 1, 3, 5]), [2, 4, 2]);
  // A bucket straddling a bin edge.
  assert.deepEqual(rebinCounts([0.5, 1.5], [4], [0, 1, 2]), [2, 2]);
  // Coarser target bins sum the buckets they hold.
  assert.deepEqual(rebinCounts([0, 1, 2, 3, 4], [1, 2, 3, 4], [0, 2, 4]), [3, 7]);
});

test('rebinning puts counts outside the target range into the outermost bins', () => {
  // Half of [-2, 2] lies below 0: its 2 go to the first bin with the 1 of [0, 1).
  assert.deepEqual(rebinCounts([-2, 2], [4], [0, 1, 2]), [3, 1]);
  assert.deepEqual(rebinCounts([1, 5], [4], [0, 1, 2]), [0, 4]);
});

test('rebinning skips zero and NaN counts and NaN edges', () => {
  assert.deepEqual(rebinCounts([0, 1, 2], [0, 0], [0, 2]), [0]);
  assert.deepEqual(rebinCounts([0, 1, 2], [NaN, 3], [0, 1, 2]), [0, 3]);
  assert.deepEqual(rebinCounts([NaN, NaN, NaN], [0, 0], [0, 1, 2]), [0, 0]);
});

test('a single-value histogram (all edges equal) goes whole to the bin of its value', () => {
  const counts = new Array(64).fill(0);
  counts[32] = 10;
  const hist = {step: 0, edges: new Array(65).fill(0.5), counts};
  assert.deepEqual(valueRange([hist]), [0.5, 0.5]);
  // The range widens to [0, 1]: 0.5 is the lower edge of bin 4 of 8.
  const density = stepDensity([hist], 8);
  assert.deepEqual(density.edges, [0, 0.125, 0.25, 0.375, 0.5, 0.625, 0.75, 0.875, 1]);
  assert.deepEqual(density.counts, [[0, 0, 0, 0, 10, 0, 0, 0]]);
  assert.equal(density.max, 10);
  // Zero-width buckets split across two buckets still sum.
  assert.deepEqual(rebinCounts([3, 3, 3], [2, 5], [2, 2.5, 3, 3.5, 4]), [0, 0, 7, 0]);
});

test('widening a degenerate range follows the writer: width max(|v|, 1)', () => {
  assert.deepEqual(widenRange([0, 0]), [-0.5, 0.5]);
  assert.deepEqual(widenRange([-4, -4]), [-6, -2]);
  assert.deepEqual(widenRange([1, 2]), [1, 2]);
});

test('rebinning conserves each step total on the common range', () => {
  const next = random(7);
  const histograms = [];
  for (let step = 0; step < 12; step++) {
    const lo = -1 - 3 * next();
    const hi = lo + 0.001 + 5 * next();
    histograms.push(histogram(step, lo, hi, Array.from({length: 64}, () => Math.floor(next() * 50))));
  }
  const density = stepDensity(histograms, 100);
  assert.equal(density.edges.length, 101);
  const [lo, hi] = valueRange(histograms);
  assert.equal(density.edges[0], lo);
  assert.equal(density.edges[100], hi);
  histograms.forEach((hist, k) => {
    const total = sum(hist.counts);
    assert.ok(Math.abs(sum(density.counts[k]) - total) <= 1e-9 * total, `step ${k}`);
    assert.ok(density.counts[k].every((c) => c >= 0));
  });
  assert.equal(density.max, Math.max(...density.counts.flat()));
});

test('the common range spans every histogram and skips those without finite values', () => {
  const a = histogram(0, -1, 1, [1, 1]);
  const b = histogram(1, 1, 3, [2, 2]);
  const empty = {step: 2, edges: [NaN, NaN, NaN], counts: [0, 0]};
  assert.deepEqual(valueRange([a, b, empty]), [-1, 3]);
  assert.equal(valueRange([empty]), null);
  assert.equal(stepDensity([empty], 4), null);
  const density = stepDensity([a, b, empty], 4);
  assert.deepEqual(density.counts, [[1, 1, 0, 0], [0, 0, 2, 2], [0, 0, 0, 0]]);
  // A given range (shared with other runs) sets the bins.
  const shared = stepDensity([a], 4, [-1, 7]);
  assert.deepEqual(shared.edges, [-1, 1, 3, 5, 7]);
  assert.deepEqual(shared.counts, [[2, 0, 0, 0]]);
  // All counts zero: the maximum is 0.
  assert.equal(stepDensity([histogram(0, 0, 1, [0, 0])], 2).max, 0);
});

test('bins are half-open and clamp at the ends', () => {
  const edges = [0, 1, 2, 3];
  assert.equal(binIndex(edges, -5), 0);
  assert.equal(binIndex(edges, 0), 0);
  assert.equal(binIndex(edges, 0.999), 0);
  assert.equal(binIndex(edges, 1), 1);
  assert.equal(binIndex(edges, 3), 2);
  assert.equal(binIndex(edges, 9), 2);
});

test('the logged bucket under a value: last bucket closed, outside is -1', () => {
  const edges = [0, 1, 2];
  const counts = [5, 6];
  assert.equal(bucketAt(edges, counts, 0), 0);
  assert.equal(bucketAt(edges, counts, 1), 1);
  assert.equal(bucketAt(edges, counts, 2), 1);
  assert.equal(bucketAt(edges, counts, 2.01), -1);
  assert.equal(bucketAt(edges, counts, -0.01), -1);
  // A single-value histogram: the bucket that holds the count.
  assert.equal(bucketAt([4, 4, 4, 4], [0, 9, 0], 4), 1);
  assert.equal(bucketAt([4, 4, 4, 4], [0, 9, 0], 4.5), -1);
});

test('log counts scale by log(1 + count); colour bar labels invert it', () => {
  assert.equal(scaleCount(0, true), 0);
  assert.equal(scaleCount(Math.E - 1, true), 1);
  assert.equal(scaleCount(99, false), 99);
  assert.equal(scaleCount(-3, false), 0);
  assert.equal(scaleCount(NaN, true), 0);
  assert.equal(countAtFraction(0.5, 80, false), 40);
  assert.ok(Math.abs(countAtFraction(0.5, 99, true) - 9) < 1e-12);
  assert.ok(Math.abs(countAtFraction(1, 1000, true) - 1000) < 1e-9);
  assert.equal(countAtFraction(0, 1000, true), 0);
});

test('ridgeline rows: the first peak touches the top, the last baseline is the bottom', () => {
  assert.deepEqual(ridgelineLayout(4, 0, 110), {spacing: 20, amplitude: 50, baselines: [50, 70, 90, 110]});
  assert.deepEqual(ridgelineLayout(1, 10, 60), {spacing: 20, amplitude: 50, baselines: [60]});
  const {baselines, amplitude} = ridgelineLayout(7, 8, 200, 3);
  assert.equal(baselines[0] - amplitude, 8);
  assert.ok(Math.abs(baselines[6] - 200) < 1e-9);
  // Many rows: the peaks keep the minimum height, the rows close up.
  const many = ridgelineLayout(41, 0, 420, 2.5, 60);
  assert.equal(many.amplitude, 60);
  assert.equal(many.spacing, 9);
  assert.equal(many.baselines[0], 60);
  assert.equal(many.baselines[40], 420);
  // The minimum never exceeds the plot.
  assert.equal(ridgelineLayout(1, 0, 40, 2.5, 60).amplitude, 40);
});

test('ridgelines grow 8 pixels a row from 120, within [base, 460]', () => {
  assert.equal(ridgelineHeight(4, 240), 240);
  assert.equal(ridgelineHeight(20, 240), 280);
  assert.equal(ridgelineHeight(60, 240), 440);
  assert.equal(ridgelineHeight(400, 500), 500);
});

test('ridgeline shows every step that fits, else an even sample with the chosen one', () => {
  assert.deepEqual(ridgelineRows(4, 2), [0, 1, 2, 3]);
  const rows = ridgelineRows(100, 37, 40);
  assert.equal(rows.length, 40);
  assert.equal(rows[0], 0);
  assert.equal(rows[39], 99);
  assert.ok(rows.includes(37));
  assert.deepEqual(rows, [...new Set(rows)].sort((a, b) => a - b));
  assert.deepEqual(ridgelineRows(5, -1, 3), [0, 2, 4]);
  assert.deepEqual(ridgelineRows(5, 1, 3), [0, 1, 4]);
});

test('ridgeline hit: the front-most fill under the point, else the nearest row band', () => {
  // Two rows with baselines at 50 and 70 (spacing 20); buckets [0,1), [1,2].
  const rows = [
    {index: 0, step: 0, baseline: 50, edges: [0, 1, 2], counts: [4, 1], tops: [10, 40]},
    {index: 1, step: 5, baseline: 70, edges: [0.5, 1, 1.5], counts: [2, 0], tops: [45, 70]},
  ];
  // Inside the front row's fill.
  assert.deepEqual(ridgelineHit(rows, 20, 0.7, 60), {row: 1, bucket: 0});
  // Above the front row's bucket but inside the back row's tall bucket.
  assert.deepEqual(ridgelineHit(rows, 20, 0.7, 30), {row: 0, bucket: 0});
  // Bucket 1 of the front row is empty: the back row is hit at 1.2, y 45.
  assert.deepEqual(ridgelineHit(rows, 20, 1.2, 45), {row: 0, bucket: 1});
  // Nothing filled there: the nearest band (row 1's band centre is at 60).
  assert.deepEqual(ridgelineHit(rows, 20, 1.8, 62), {row: 1, bucket: -1});
  assert.deepEqual(ridgelineHit(rows, 20, 1.8, 35), {row: 0, bucket: 1});
  assert.equal(ridgelineHit([], 20, 0, 0), null);
});

test('labels keep their distance and always include the chosen one', () => {
  assert.deepEqual(spacedLabels([0, 5, 10, 15, 20], -1, 10), [0, 2, 4]);
  assert.deepEqual(spacedLabels([0, 5, 10, 15, 20], 1, 10), [1, 3]);
});

test('density hit testing and bin count', () => {
  const frame = {left: 10, top: 0, right: 110, bottom: 100, columnWidth: 25, binHeight: 10,
    edges: uniformEdges(0, 1, 10), counts: [], steps: [0, 1, 2, 3]};
  assert.deepEqual(densityHit(frame, 10, 100), {column: 0, bin: 0});
  assert.deepEqual(densityHit(frame, 60, 45), {column: 2, bin: 5});
  assert.deepEqual(densityHit(frame, 109.9, 0.5), {column: 3, bin: 9});
  assert.equal(densityHit(frame, 9, 50), null);
  assert.equal(densityHit(frame, 50, 101), null);
  assert.equal(densityBinCount(20), 16);
  assert.equal(densityBinCount(200), 100);
  assert.equal(densityBinCount(1000), 128);
});

test('colours fade towards white', () => {
  assert.equal(mixWithWhite('#000000', 0.5), 'rgb(128, 128, 128)');
  assert.equal(mixWithWhite('#425066', 0), 'rgb(66, 80, 102)');
  assert.equal(mixWithWhite('#425066', 1), 'rgb(255, 255, 255)');
});

test('a histogram of only NaN and Inf (NaN edges) has no finite values', () => {
  assert.equal(hasFiniteValues({edges: [NaN, NaN, NaN]}), false);
  assert.equal(hasFiniteValues({edges: [0, 0, 0]}), true);
  assert.equal(hasFiniteValues({edges: [-1, 0, 1]}), true);
});
