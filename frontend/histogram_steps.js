// Histograms over steps: the ridgeline (offset) view, one filled curve per
// logged step, and the step × bin density view, one column per logged step.
// Each logged histogram has its own range (64 buckets between its min and
// max); both views show every step on one common value range. The layout
// and rebinning are pure functions; the draw functions paint a given canvas.

import {AXIS_COLOR, FONT, LABEL_COLOR, MARKER_COLOR, setupCanvas, niceTicks} from './charts.js';
import {diverging, cssRgb} from './colormap.js';
import {formatTick, formatCompact} from './format.js';

/** @typedef {import('./data.js').Histogram} Histogram */

/** At most this many curves in a ridgeline view; the density view shows every step. */
export const MAX_RIDGELINE_ROWS = 40;

/** Peak height of a ridgeline curve, in row spacings: curves overlap the rows behind them. */
export const RIDGELINE_OVERLAP = 2.5;

/** Peak height of a ridgeline curve at least, in CSS pixels. */
const MIN_AMPLITUDE = 56;

/**
 * The height of a ridgeline of `rowCount` rows: `base`, taller for many
 * rows (8 pixels a row), at most 460.
 * @param {number} rowCount
 * @param {number} base  CSS pixels.
 * @return {number}
 */
export function ridgelineHeight(rowCount, base) {
  return Math.max(base, Math.min(460, 120 + 8 * Math.min(rowCount, MAX_RIDGELINE_ROWS)));
}

// Columns of steps without finite values: a grey no count can take.
const NO_VALUES_COLOR = '#d6d6d6';
const BOLD_FONT = '500 10px Roboto, "Helvetica Neue", Arial, sans-serif';

/**
 * The range of values the histograms cover: from the lowest first edge to
 * the highest last edge. Histograms of no finite element (NaN edges) are
 * left out.
 * @param {!Array<!Histogram>} histograms
 * @return {?Array<number>}  `[lo, hi]` with `lo <= hi`, null when no
 *     histogram has finite edges.
 */
export function valueRange(histograms) {
  let lo = Infinity;
  let hi = -Infinity;
  for (const {edges} of histograms) {
    const first = edges[0];
    const last = edges[edges.length - 1];
    if (Number.isFinite(first) && first < lo) lo = first;
    if (Number.isFinite(last) && last > hi) hi = last;
  }
  return lo <= hi ? [lo, hi] : null;
}

/**
 * A range of positive width: a single value `v` becomes
 * `[v - w/2, v + w/2]` with `w = max(|v|, 1)` (the writer's convention for
 * the buckets of a constant tensor, scaled to the whole range).
 * @param {!Array<number>} range  `[lo, hi]`, `lo <= hi`.
 * @return {!Array<number>}
 */
export function widenRange([lo, hi]) {
  if (hi > lo) return [lo, hi];
  const half = Math.max(Math.abs(lo), 1) / 2;
  return [lo - half, lo + half];
}

/**
 * `count + 1` evenly spaced edges from `lo` to `hi` (the last exactly `hi`).
 * @param {number} lo
 * @param {number} hi
 * @param {number} count  Number of bins.
 * @return {!Array<number>}
 */
export function uniformEdges(lo, hi, count) {
  const edges = [];
  for (let k = 0; k < count; k++) edges.push(lo + ((hi - lo) * k) / count);
  edges.push(hi);
  return edges;
}

/**
 * The bin of ascending `edges` that holds `value`: bins are half-open
 * `[edges[j], edges[j+1])`; values below or above the edges go to the first
 * or last bin.
 * @param {!Array<number>} edges  Ascending, at least two.
 * @param {number} value  Not NaN.
 * @return {number}  In `0 .. edges.length - 2`.
 */
export function binIndex(edges, value) {
  let lo = 0;
  let hi = edges.length - 2;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (edges[mid] <= value) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/**
 * Redistributes the counts of a histogram's buckets onto other bins,
 * assuming values spread uniformly within each bucket: bin `j` gets, from
 * each bucket, the bucket's count times the fraction of the bucket's width
 * that overlaps it. A bucket of zero width (all its values equal) goes
 * whole to the bin holding its value. Counts outside the target edges go to
 * the first or last bin, so the total is conserved (up to rounding).
 * @param {!Array<number>} edges  The histogram's `n + 1` ascending edges.
 * @param {!Array<number>} counts  Its `n` counts; NaN counts and buckets with
 *     non-finite edges are skipped.
 * @param {!Array<number>} targetEdges  `m + 1` ascending edges, `m >= 1`.
 * @return {!Array<number>}  `m` counts.
 */
export function rebinCounts(edges, counts, targetEdges) {
  const m = targetEdges.length - 1;
  const out = new Array(m).fill(0);
  for (let i = 0; i < counts.length; i++) {
    const count = counts[i];
    const a = edges[i];
    const b = edges[i + 1];
    if (!(count > 0) || !Number.isFinite(count) || !Number.isFinite(a) || !Number.isFinite(b)) continue;
    const first = binIndex(targetEdges, a);
    if (!(b > a)) {
      out[first] += count;
      continue;
    }
    const last = binIndex(targetEdges, b);
    // The share of the bucket below a position, clamped to [0, 1]; the
    // outermost bins reach to infinity.
    const below = (j) => (j <= 0 ? 0 : j >= m ? 1 : Math.min(1, Math.max(0, (targetEdges[j] - a) / (b - a))));
    for (let j = first; j <= last; j++) {
      const share = below(j + 1) - below(j);
      if (share > 0) out[j] += count * share;
    }
  }
  return out;
}

/**
 * Every histogram rebinned onto `binCount` common bins spanning all of them
 * (or `range`).
 * @param {!Array<!Histogram>} histograms  One per logged step, ascending.
 * @param {number} binCount
 * @param {?Array<number>=} range  `[lo, hi]` of the bins, e.g. shared with
 *     other runs; by default {@link valueRange} of the histograms.
 * @return {?{edges: !Array<number>, counts: !Array<!Array<number>>, max: number}}
 *     `counts[k][j]`: the count of histogram k in common bin j; `max`: the
 *     largest of them. Null when no histogram has finite edges.
 */
export function stepDensity(histograms, binCount, range = null) {
  if (!valueRange(histograms)) return null;
  const [lo, hi] = widenRange(range || /** @type {!Array<number>} */ (valueRange(histograms)));
  const edges = uniformEdges(lo, hi, binCount);
  const counts = histograms.map((hist) => rebinCounts(hist.edges, hist.counts, edges));
  const max = Math.max(0, ...counts.map((column) => Math.max(...column)));
  return {edges, counts, max};
}

/**
 * A count as drawn: itself, or `log(1 + count)` for log counts. Negative
 * and NaN counts draw as 0.
 * @param {number} count
 * @param {boolean} logCounts
 * @return {number}
 */
export function scaleCount(count, logCounts) {
  if (!(count > 0)) return 0;
  return logCounts ? Math.log1p(count) : count;
}

/**
 * The count whose scaled value is `fraction` of the scaled `max` (the
 * inverse of {@link scaleCount}), for colour bar labels.
 * @param {number} fraction  In [0, 1].
 * @param {number} max
 * @param {boolean} logCounts
 * @return {number}
 */
export function countAtFraction(fraction, max, logCounts) {
  return logCounts ? Math.expm1(fraction * Math.log1p(max)) : fraction * max;
}

/**
 * Where the rows of a ridgeline go, top to bottom: row `i`'s baseline is
 * `baselines[i]`, its curve rises up to `amplitude` above it, overlapping
 * the rows above (drawn before it, so behind it). The first curve's peak
 * touches `top`, the last baseline is `bottom`.
 * @param {number} rowCount  At least 1.
 * @param {number} top  CSS pixels.
 * @param {number} bottom  CSS pixels, > top.
 * @param {number=} overlap  Peak height in row spacings.
 * @param {number=} minAmplitude  Peak height at least (up to the whole
 *     height), so that curves stay readable when there are many rows: the
 *     rows then overlap more.
 * @return {{spacing: number, amplitude: number, baselines: !Array<number>}}
 */
export function ridgelineLayout(rowCount, top, bottom, overlap = RIDGELINE_OVERLAP, minAmplitude = 0) {
  const height = bottom - top;
  const amplitude = Math.max((overlap * height) / (rowCount - 1 + overlap), Math.min(minAmplitude, height));
  const spacing = rowCount > 1 ? (height - amplitude) / (rowCount - 1) : amplitude / overlap;
  const baselines = [];
  for (let i = 0; i < rowCount; i++) baselines.push(top + amplitude + i * spacing);
  return {spacing, amplitude, baselines};
}

/**
 * The indices of the steps a ridgeline shows: all when they fit, else
 * `maxRows` spread evenly from the first to the last, always with `chosen`.
 * @param {number} stepCount
 * @param {number} chosen  Index of the chosen step, -1 for none.
 * @param {number=} maxRows
 * @return {!Array<number>}  Ascending.
 */
export function ridgelineRows(stepCount, chosen, maxRows = MAX_RIDGELINE_ROWS) {
  if (stepCount <= maxRows) return [...Array(stepCount).keys()];
  const picked = new Set();
  for (let k = 0; k < maxRows; k++) picked.add(Math.round((k * (stepCount - 1)) / (maxRows - 1)));
  if (chosen >= 0 && chosen < stepCount && !picked.has(chosen)) {
    // Replace the nearest evenly spaced index, keeping the first and the last.
    let nearest = -1;
    for (const i of picked) {
      if (i === 0 || i === stepCount - 1) continue;
      if (nearest < 0 || Math.abs(i - chosen) < Math.abs(nearest - chosen)) nearest = i;
    }
    if (nearest >= 0) picked.delete(nearest);
    picked.add(chosen);
  }
  return [...picked].sort((a, b) => a - b);
}

/**
 * The logged bucket of a histogram that holds `value`: `[edges[b],
 * edges[b+1])`, the last bucket closed; a bucket of zero width holds its
 * value when it has a count.
 * @param {!Array<number>} edges
 * @param {!Array<number>} counts
 * @param {number} value
 * @return {number}  -1 when outside the histogram's range.
 */
export function bucketAt(edges, counts, value) {
  const n = counts.length;
  for (let b = 0; b < n; b++) {
    const a = edges[b];
    const c = edges[b + 1];
    if (a === c) {
      if (value === a && counts[b] > 0) return b;
    } else if (value >= a && (value < c || (b === n - 1 && value === c))) {
      return b;
    }
  }
  return -1;
}

/**
 * Whether a logged histogram has finite values (edges): a tensor of only
 * NaN and Inf logs NaN edges.
 * @param {{edges: !Array<number>}} histogram
 * @return {boolean}
 */
export function hasFiniteValues({edges}) {
  return Number.isFinite(edges[0]) && Number.isFinite(edges[edges.length - 1]);
}

/**
 * A drawn ridgeline row, in CSS pixels: `tops[b]` is the top of bucket b's
 * fill.
 * @typedef {{index: number, step: number, baseline: number,
 *     edges: !Array<number>, counts: !Array<number>, tops: !Array<number>}}
 *     `index`: the histogram's index among the run's histograms.
 */
export let RidgelineRow;

/**
 * The row and bucket under a point of a ridgeline: the front-most curve
 * whose fill holds it, else the row whose band (the spacing above its
 * baseline) is nearest.
 * @param {!Array<!RidgelineRow>} rows  Back to front.
 * @param {number} spacing  Row spacing in pixels.
 * @param {number} value  The value under the point.
 * @param {number} y  CSS pixels.
 * @return {?{row: number, bucket: number}}  `row` indexes `rows`; `bucket`
 *     -1 when the point is outside that row's histogram range.
 */
export function ridgelineHit(rows, spacing, value, y) {
  if (!rows.length) return null;
  for (let r = rows.length - 1; r >= 0; r--) {
    const row = rows[r];
    const b = bucketAt(row.edges, row.counts, value);
    if (b >= 0 && row.counts[b] > 0 && y >= row.tops[b] - 1 && y <= row.baseline + 1) return {row: r, bucket: b};
  }
  let best = 0;
  for (let r = 1; r < rows.length; r++) {
    const centre = (row) => row.baseline - spacing / 2;
    if (Math.abs(centre(rows[r]) - y) < Math.abs(centre(rows[best]) - y)) best = r;
  }
  return {row: best, bucket: bucketAt(rows[best].edges, rows[best].counts, value)};
}

/**
 * `color` mixed with white: `amount` 0 keeps it, 1 is white.
 * @param {string} color  `#rrggbb`.
 * @param {number} amount
 * @return {string}
 */
export function mixWithWhite(color, amount) {
  const rgb = [1, 3, 5].map((k) => parseInt(color.slice(k, k + 2), 16));
  return cssRgb(rgb.map((c) => Math.round(c + (255 - c) * amount)));
}

/**
 * What to draw in a histogram-over-steps view of one run.
 * @typedef {{
 *   width: number, height: number,
 *   histograms: !Array<!Histogram>,
 *   color: string,
 *   logCounts: boolean,
 *   chosenStep: ?number,
 *   hoverStep: (?number|undefined),
 *   emptyText: (string|undefined),
 *   range: (?Array<number>|undefined),
 * }}
 *     `range`: the values shown, `[lo, hi]`, e.g. the same for every run;
 *     by default those of the histograms.
 *     `histograms` ascending by step; `chosenStep` is highlighted in
 *     orange, `hoverStep` (under the mouse) in the run's colour;
 *     `emptyText` replaces "no histograms" when there are none.
 */
export let StepsViewSpec;

/**
 * Where a ridgeline was drawn, for hover and clicks.
 * @typedef {{left: number, top: number, right: number, bottom: number,
 *     invertX: function(number): number, spacing: number,
 *     rows: !Array<!RidgelineRow>}}
 */
export let RidgelineFrame;

/**
 * Draws x ticks of a value axis under a plot.
 * @param {!CanvasRenderingContext2D} ctx
 * @param {!Array<number>} domain
 * @param {function(number): number} x
 * @param {number} left
 * @param {number} right
 * @param {number} bottom
 */
function drawValueTicks(ctx, domain, x, left, right, bottom) {
  const ticks = niceTicks(domain[0], domain[1], Math.max(2, Math.floor((right - left) / 56)));
  ctx.font = FONT;
  ctx.textBaseline = 'top';
  ctx.textAlign = 'center';
  ctx.strokeStyle = AXIS_COLOR;
  ctx.fillStyle = LABEL_COLOR;
  let lastRight = -Infinity;
  for (const t of ticks.ticks) {
    const px = x(t);
    const label = formatTick(t, ticks.spacing);
    const w = ctx.measureText(label).width;
    if (px - w / 2 < lastRight + 6) continue;
    ctx.beginPath();
    ctx.moveTo(Math.round(px) + 0.5, bottom);
    ctx.lineTo(Math.round(px) + 0.5, bottom + 3);
    ctx.stroke();
    ctx.fillText(label, px, bottom + 5);
    lastRight = px + w / 2;
  }
  ctx.beginPath();
  ctx.moveTo(left, bottom + 0.5);
  ctx.lineTo(right, bottom + 0.5);
  ctx.stroke();
}

/**
 * Labels spaced at least `gap` pixels apart along one axis: the chosen one
 * first, then the others in order where they fit.
 * @param {!Array<number>} positions
 * @param {number} chosen  Index always labelled, -1 for none.
 * @param {number} gap
 * @return {!Array<number>}  Indices to label.
 */
export function spacedLabels(positions, chosen, gap) {
  const kept = [];
  const order = chosen >= 0 ? [chosen, ...positions.keys()] : [...positions.keys()];
  for (const i of order) {
    if (kept.includes(i)) continue;
    if (kept.every((k) => Math.abs(positions[k] - positions[i]) >= gap)) kept.push(i);
  }
  return kept.sort((a, b) => a - b);
}

/**
 * Draws a message in the middle of an empty canvas.
 * @param {!CanvasRenderingContext2D} ctx
 * @param {number} width
 * @param {number} height
 * @param {string} text
 */
function drawEmpty(ctx, width, height, text) {
  // No plot: the attributes tests wait for describe the last drawing only.
  delete ctx.canvas.dataset.plot;
  delete ctx.canvas.dataset.baselines;
  delete ctx.canvas.dataset.bins;
  ctx.font = FONT;
  ctx.fillStyle = LABEL_COLOR;
  ctx.textAlign = 'center';
  ctx.textBaseline = 'middle';
  ctx.fillText(text, width / 2, height / 2);
}

/**
 * Clears a histograms-over-steps canvas and finds its value domain, or says
 * on the canvas that there is nothing to draw.
 * @param {!HTMLCanvasElement} canvas
 * @param {!StepsViewSpec} spec
 * @return {?{ctx: !CanvasRenderingContext2D, domain: !Array<number>}}  Null
 *     when no step has a finite value.
 */
function startStepsView(canvas, spec) {
  const {width, height, histograms} = spec;
  const ctx = setupCanvas(canvas, width, height);
  ctx.clearRect(0, 0, width, height);
  const range = valueRange(histograms);
  if (!range) {
    drawEmpty(ctx, width, height, histograms.length ? 'no finite values' : spec.emptyText || 'no histograms');
    return null;
  }
  return {ctx, domain: widenRange(spec.range || range)};
}

/**
 * Draws a ridgeline: one filled step curve per logged step, earlier steps
 * above and behind, later ones below and in front, the colour fading from
 * pale (early) to the run's colour (late); the chosen step outlined in
 * orange. Heights are counts (or log counts) of each step's own buckets,
 * on one scale for all rows; x is the common value range.
 * @param {!HTMLCanvasElement} canvas
 * @param {!StepsViewSpec} spec
 * @return {?RidgelineFrame}  Null when there is nothing to draw.
 */
export function drawRidgeline(canvas, spec) {
  const {width, height, histograms, color, logCounts, chosenStep} = spec;
  const start = startStepsView(canvas, spec);
  if (!start) return null;
  const {ctx, domain} = start;
  const chosenIndex = histograms.findIndex((hist) => hist.step === chosenStep);
  const shown = ridgelineRows(histograms.length, chosenIndex);
  ctx.font = FONT;
  const labelWidth = Math.max(
    ctx.measureText('step').width,
    ...shown.map((i) => ctx.measureText(String(histograms[i].step)).width),
  );
  const left = Math.ceil(labelWidth) + 12;
  const right = width - 10;
  const top = 8;
  const bottom = height - 20;
  const layout = ridgelineLayout(shown.length, top, bottom, RIDGELINE_OVERLAP, MIN_AMPLITUDE);
  /** @param {number} v */
  const x = (v) => left + ((v - domain[0]) / (domain[1] - domain[0])) * (right - left);
  /** @param {number} px */
  const invertX = (px) => domain[0] + ((px - left) / (right - left)) * (domain[1] - domain[0]);
  let max = 0;
  for (const i of shown) for (const c of histograms[i].counts) max = Math.max(max, scaleCount(c, logCounts));
  const unit = max > 0 ? layout.amplitude / max : 0;

  /** @type {!Array<!RidgelineRow>} */
  const rows = shown.map((i, r) => {
    const {step, edges, counts} = histograms[i];
    const baseline = layout.baselines[r];
    return {index: i, step, baseline, edges, counts, tops: counts.map((c) => baseline - scaleCount(c, logCounts) * unit)};
  });

  rows.forEach((row, r) => {
    const fade = rows.length > 1 ? 1 - r / (rows.length - 1) : 0;
    const chosen = row.step === chosenStep;
    const hovered = row.step === spec.hoverStep;
    const {edges, tops, baseline} = row;
    if (!hasFiniteValues(row)) {
      ctx.font = FONT;
      ctx.fillStyle = chosen ? MARKER_COLOR : LABEL_COLOR;
      ctx.textAlign = 'left';
      ctx.textBaseline = 'bottom';
      ctx.fillText('no finite values', left + 4, baseline - 1);
      return;
    }
    ctx.beginPath();
    ctx.moveTo(x(edges[0]), baseline);
    tops.forEach((top, b) => {
      ctx.lineTo(x(edges[b]), top);
      ctx.lineTo(x(edges[b + 1]), top);
    });
    ctx.lineTo(x(edges[edges.length - 1]), baseline);
    ctx.closePath();
    ctx.fillStyle = mixWithWhite(color, 0.45 + 0.45 * fade);
    ctx.fill();
    ctx.strokeStyle = chosen ? MARKER_COLOR : hovered ? color : mixWithWhite(color, 0.6 * fade);
    ctx.lineWidth = chosen ? 2 : hovered ? 1.75 : 1;
    ctx.lineJoin = 'round';
    ctx.stroke();
  });

  // Step labels at the baselines.
  ctx.textAlign = 'right';
  ctx.textBaseline = 'middle';
  const chosenRow = rows.findIndex((row) => row.step === chosenStep);
  for (const r of spacedLabels(rows.map((row) => row.baseline), chosenRow, 11)) {
    const chosen = r === chosenRow;
    ctx.font = chosen ? BOLD_FONT : FONT;
    ctx.fillStyle = chosen ? MARKER_COLOR : LABEL_COLOR;
    ctx.fillText(String(rows[r].step), left - 6, rows[r].baseline);
  }
  ctx.font = FONT;
  ctx.fillStyle = LABEL_COLOR;
  ctx.textAlign = 'left';
  ctx.textBaseline = 'top';
  ctx.fillText('step', 2, 0);
  drawValueTicks(ctx, domain, x, left, right, bottom);
  // The plot area and rows, for tests that point at data positions.
  canvas.dataset.plot = [left, top, right, bottom].join(',');
  canvas.dataset.baselines = rows.map((row) => row.baseline).join(',');
  return {left, top, right, bottom, invertX, spacing: layout.spacing, rows};
}

/**
 * Where a density view was drawn, for hover and clicks.
 * @typedef {{left: number, top: number, right: number, bottom: number,
 *     columnWidth: number, binHeight: number,
 *     edges: !Array<number>, counts: !Array<!Array<number>>,
 *     steps: !Array<number>, finite: !Array<boolean>}}
 *     Column k (step `steps[k]`) spans `left + k·columnWidth` onwards; bin j
 *     of the common `edges` spans up from `bottom - j·binHeight`;
 *     `finite[k]` is false where the step had no finite value.
 */
export let DensityFrame;

/**
 * The number of common bins of a density view of a plot this tall: about
 * one per 2 pixels, between 16 and 128.
 * @param {number} plotHeight  CSS pixels.
 * @return {number}
 */
export function densityBinCount(plotHeight) {
  return Math.max(16, Math.min(128, Math.floor(plotHeight / 2)));
}

/**
 * The column and bin under a point of a density view.
 * @param {!DensityFrame} frame
 * @param {number} px
 * @param {number} py
 * @return {?{column: number, bin: number}}  Null outside the plot.
 */
export function densityHit(frame, px, py) {
  if (px < frame.left || px >= frame.right || py <= frame.top || py > frame.bottom) return null;
  const column = Math.min(frame.steps.length - 1, Math.floor((px - frame.left) / frame.columnWidth));
  const bin = Math.min(frame.edges.length - 2, Math.floor((frame.bottom - py) / frame.binHeight));
  return {column, bin};
}

/**
 * Draws the step × bin density: x is the logged steps (one column each),
 * y the common value range, colour the count of each step's values in each
 * common bin (white for none, dark red for the most), with a colour bar;
 * the chosen step's column outlined in orange.
 * @param {!HTMLCanvasElement} canvas
 * @param {!StepsViewSpec} spec
 * @return {?DensityFrame}  Null when there is nothing to draw.
 */
export function drawDensity(canvas, spec) {
  const {width, height, histograms, logCounts, chosenStep} = spec;
  const start = startStepsView(canvas, spec);
  if (!start) return null;
  const {ctx, domain} = start;
  ctx.font = FONT;
  const valueTicks = niceTicks(domain[0], domain[1], Math.max(2, Math.floor(height / 34)));
  const valueLabels = valueTicks.ticks.map((t) => formatTick(t, valueTicks.spacing));
  const left = Math.ceil(Math.max(0, ...valueLabels.map((l) => ctx.measureText(l).width))) + 10;
  const right = width - 46;
  const top = 6;
  const bottom = height - 18;
  const density = /** @type {!Object} */ (stepDensity(histograms, densityBinCount(bottom - top), domain));
  const {edges, counts, max} = density;
  const steps = histograms.map((hist) => hist.step);
  const columnWidth = (right - left) / steps.length;
  const binHeight = (bottom - top) / (edges.length - 1);
  const scaledMax = scaleCount(max, logCounts);
  /** @param {number} count @return {string} */
  const colorOf = (count) => cssRgb(diverging(scaledMax > 0 ? scaleCount(count, logCounts) / scaledMax : 0));

  ctx.fillStyle = colorOf(0);
  ctx.fillRect(left, top, right - left, bottom - top);
  const finite = histograms.map(hasFiniteValues);
  counts.forEach((column, k) => {
    const x0 = Math.round(left + k * columnWidth);
    const x1 = Math.round(left + (k + 1) * columnWidth);
    if (!finite[k]) {
      ctx.fillStyle = NO_VALUES_COLOR;
      ctx.fillRect(x0, top, Math.max(1, x1 - x0), bottom - top);
      return;
    }
    column.forEach((count, j) => {
      if (!(count > 0)) return;
      const y0 = Math.round(bottom - (j + 1) * binHeight);
      const y1 = Math.round(bottom - j * binHeight);
      ctx.fillStyle = colorOf(count);
      ctx.fillRect(x0, y0, Math.max(1, x1 - x0), Math.max(1, y1 - y0));
    });
  });

  // Value axis.
  /** @param {number} v */
  const y = (v) => bottom - ((v - domain[0]) / (domain[1] - domain[0])) * (bottom - top);
  ctx.textAlign = 'right';
  ctx.textBaseline = 'middle';
  ctx.strokeStyle = AXIS_COLOR;
  ctx.fillStyle = LABEL_COLOR;
  ctx.lineWidth = 1;
  valueTicks.ticks.forEach((t, i) => {
    const py = Math.round(y(t)) + 0.5;
    ctx.beginPath();
    ctx.moveTo(left - 3, py);
    ctx.lineTo(left, py);
    ctx.stroke();
    ctx.fillText(valueLabels[i], left - 5, py);
  });
  ctx.beginPath();
  ctx.moveTo(left - 0.5, top);
  ctx.lineTo(left - 0.5, bottom + 0.5);
  ctx.lineTo(right, bottom + 0.5);
  ctx.stroke();

  // Step axis: a label under each column that has room.
  const chosenColumn = steps.indexOf(/** @type {number} */ (chosenStep));
  const centres = steps.map((_, k) => left + (k + 0.5) * columnWidth);
  const widest = Math.max(...steps.map((s) => ctx.measureText(String(s)).width));
  ctx.textAlign = 'center';
  ctx.textBaseline = 'top';
  for (const k of spacedLabels(centres, chosenColumn, widest + 8)) {
    const chosen = k === chosenColumn;
    ctx.font = chosen ? BOLD_FONT : FONT;
    ctx.fillStyle = chosen ? MARKER_COLOR : LABEL_COLOR;
    ctx.fillText(String(steps[k]), centres[k], bottom + 5);
  }
  ctx.font = FONT;

  const hoverColumn = spec.hoverStep === undefined ? -1 : steps.indexOf(/** @type {number} */ (spec.hoverStep));
  if (hoverColumn >= 0 && hoverColumn !== chosenColumn) {
    ctx.strokeStyle = LABEL_COLOR;
    ctx.lineWidth = 1;
    ctx.strokeRect(Math.round(left + hoverColumn * columnWidth) + 0.5, top + 0.5, Math.max(1, Math.round(columnWidth) - 1), bottom - top - 1);
  }
  if (chosenColumn >= 0) {
    ctx.strokeStyle = MARKER_COLOR;
    ctx.lineWidth = 2;
    const x0 = left + chosenColumn * columnWidth;
    ctx.strokeRect(x0 + 1, top + 1, Math.max(1, columnWidth - 2), bottom - top - 2);
  }

  // Colour bar with the counts at its bottom, middle and top.
  const barLeft = right + 8;
  const barWidth = 8;
  for (let py = top; py < bottom; py++) {
    const fraction = (bottom - py - 0.5) / (bottom - top);
    ctx.fillStyle = cssRgb(diverging(fraction));
    ctx.fillRect(barLeft, py, barWidth, 1);
  }
  ctx.strokeStyle = AXIS_COLOR;
  ctx.lineWidth = 1;
  ctx.strokeRect(barLeft - 0.5, top - 0.5, barWidth + 1, bottom - top + 1);
  ctx.fillStyle = LABEL_COLOR;
  ctx.textAlign = 'left';
  ctx.textBaseline = 'middle';
  for (const fraction of [0, 0.5, 1]) {
    const count = countAtFraction(fraction, max, logCounts);
    const text = count >= 10 ? formatCompact(count) : String(Number(count.toPrecision(2)));
    ctx.fillText(text, barLeft + barWidth + 3, bottom - fraction * (bottom - top));
  }
  // The plot area and bins, for tests that point at data positions.
  canvas.dataset.plot = [left, top, right, bottom].join(',');
  canvas.dataset.bins = String(edges.length - 1);
  return {left, top, right, bottom, columnWidth, binHeight, edges, counts, steps, finite};
}
