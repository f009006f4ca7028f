// Shared canvas charts: axes, ticks, grid, lines, bars and a vertical marker.
// The 1-D tensor view, the statistics charts and the histograms all draw
// through drawChart().

import {formatTick} from './format.js';

/**
 * @typedef {{
 *   color: string,
 *   xs: !Array<number>,
 *   ys: !Array<number>,
 *   dots: (boolean|undefined),
 * }}
 */
export let LineSeries;

/**
 * Bars from `x0[i]` to `x1[i]` with height `ys[i]`.
 * @typedef {{
 *   color: string,
 *   x0: !Array<number>,
 *   x1: !Array<number>,
 *   ys: !Array<number>,
 *   alpha: (number|undefined),
 *   outline: (boolean|undefined),
 * }}
 *     `outline` draws the bars' contour as a solid step line, which keeps
 *     overlaid translucent series readable.
 */
export let BarSeries;

/**
 * @typedef {{
 *   width: number,
 *   height: number,
 *   lines: (!Array<!LineSeries>|undefined),
 *   bars: (!Array<!BarSeries>|undefined),
 *   xDomain: (!Array<number>|undefined),
 *   yDomain: (!Array<number>|undefined),
 *   integerX: (boolean|undefined),
 *   yFromZero: (boolean|undefined),
 *   yLog: (boolean|undefined),
 *   marker: (?number|undefined),
 *   hoverX: (?number|undefined),
 *   emptyText: (string|undefined),
 * }}
 *     `yLog`: a logarithmic y axis; values <= 0 are left out (a line breaks
 *     there) and `yFromZero` is ignored.
 */
export let ChartSpec;

/**
 * Where the plot area is and how data maps to it (CSS pixels, relative to the
 * canvas).
 * @typedef {{
 *   left: number, top: number, right: number, bottom: number,
 *   x: function(number): number, y: function(number): number,
 *   invertX: function(number): number, invertY: function(number): number,
 *   empty: boolean,
 * }}
 */
export let ChartFrame;

// Chart styling shared by every canvas chart of the dashboard.
export const AXIS_COLOR = '#9e9e9e';
const GRID_COLOR = '#eeeeee';
export const LABEL_COLOR = '#616161';
/** The chosen step's marker. */
export const MARKER_COLOR = '#f57c00';
export const FONT = '10px Roboto, "Helvetica Neue", Arial, sans-serif';

/**
 * Evenly spaced round tick values (steps of 1, 2 or 5 × 10^k) covering
 * [lo, hi].
 * @param {number} lo
 * @param {number} hi
 * @param {number} count  Approximate number of ticks wanted.
 * @param {boolean=} integer  Only integer ticks.
 * @return {{ticks: !Array<number>, spacing: number}}
 */
export function niceTicks(lo, hi, count, integer = false) {
  const span = hi - lo;
  if (!(span > 0) || !Number.isFinite(span)) {
    return {ticks: Number.isFinite(lo) ? [lo] : [], spacing: 1};
  }
  const raw = span / Math.max(1, count);
  const power = Math.pow(10, Math.floor(Math.log10(raw)));
  const fraction = raw / power;
  // Thresholds at the geometric means of 1, 2, 5, 10 (as d3.ticks).
  const multiple = fraction >= Math.sqrt(50) ? 10 : fraction >= Math.sqrt(10) ? 5 : fraction >= Math.sqrt(2) ? 2 : 1;
  let spacing = multiple * power;
  if (integer) spacing = Math.max(1, Math.round(spacing));
  const ticks = [];
  const first = Math.ceil(lo / spacing - 1e-9);
  const last = Math.floor(hi / spacing + 1e-9);
  for (let i = first; i <= last; i++) {
    // Round to the spacing's precision so 0.30000000000000004 reads as 0.3.
    ticks.push(Number((i * spacing).toPrecision(12)));
  }
  return {ticks, spacing};
}

/**
 * Ticks of a log axis, as log10 values: the integer powers of ten in
 * [lo, hi] (every k-th when there are many); when fewer than two powers
 * fall in the range, 1, 2 and 5 times powers of ten, else every digit
 * times them, else round values ({@link niceTicks}) between 10^lo and 10^hi.
 * @param {number} lo  log10 of the lowest value.
 * @param {number} hi  log10 of the highest value.
 * @param {number} count  Approximate number of ticks wanted.
 * @return {{ticks: !Array<number>, spacing: number}}  `spacing` in log10
 *     units between powers, 0 for the other kinds.
 */
export function logTicks(lo, hi, count) {
  const powers = niceTicks(lo, hi, count, true);
  if (powers.ticks.length >= 2) return powers;
  for (const multiples of [[1, 2, 5], [1, 2, 3, 4, 5, 6, 7, 8, 9]]) {
    const ticks = [];
    for (let e = Math.floor(lo); e <= Math.ceil(hi); e++) {
      for (const m of multiples) {
        const t = Math.log10(m) + e;
        if (t >= lo - 1e-9 && t <= hi + 1e-9) ticks.push(t);
      }
    }
    if (ticks.length >= 2) return {ticks, spacing: 0};
  }
  const linear = niceTicks(Math.pow(10, lo), Math.pow(10, hi), count);
  return {ticks: linear.ticks.filter((t) => t > 0).map(Math.log10), spacing: 0};
}

/**
 * The label of a log axis tick at `10^exponent`: `0.01`, `1`, `1000`, or
 * `1e-5` beyond four decades from 1.
 * @param {number} exponent
 * @return {string}
 */
export function formatPower(exponent) {
  const value = Math.pow(10, exponent);
  if (Number.isInteger(exponent) && Math.abs(exponent) > 3) return `1e${exponent}`;
  return String(Number(value.toPrecision(6)));
}

/**
 * Labels of linear ticks, with as many digits as it takes to tell them
 * apart (ticks 1e-9 apart around 0.1228 need nine decimals).
 * @param {{ticks: !Array<number>, spacing: number}} ticks
 * @return {!Array<string>}
 */
export function linearLabels({ticks, spacing}) {
  const labels = ticks.map((t) => formatTick(t, spacing));
  if (new Set(labels).size === labels.length) return labels;
  const largest = Math.max(...ticks.map(Math.abs));
  const digits = Math.min(17, Math.max(1, Math.floor(Math.log10(largest)) - Math.floor(Math.log10(spacing)) + 1));
  return ticks.map((t) => String(Number(t.toPrecision(digits))));
}

/**
 * The extent of the finite numbers in several arrays.
 * @param {!Array<!Array<number>>} arrays
 * @return {?Array<number>}  `[min, max]`, or null when there is none.
 */
function extent(arrays) {
  let lo = Infinity;
  let hi = -Infinity;
  for (const values of arrays) {
    for (const v of values) {
      if (Number.isFinite(v)) {
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
    }
  }
  return lo <= hi ? [lo, hi] : null;
}

/**
 * Widens a degenerate or tight range so lines do not sit on the frame.
 * @param {!Array<number>} range
 * @param {number} padFraction
 * @return {!Array<number>}
 */
function pad([lo, hi], padFraction) {
  if (lo === hi) {
    const d = lo === 0 ? 1 : Math.abs(lo) * 0.1;
    return [lo - d, hi + d];
  }
  const d = (hi - lo) * padFraction;
  return [lo - d, hi + d];
}

/**
 * Sizes a canvas for the device pixel ratio and returns its 2-D context
 * scaled to CSS pixels.
 * @param {!HTMLCanvasElement} canvas
 * @param {number} width  CSS pixels.
 * @param {number} height  CSS pixels.
 * @return {!CanvasRenderingContext2D}
 */
export function setupCanvas(canvas, width, height) {
  const ratio = window.devicePixelRatio || 1;
  canvas.width = Math.max(1, Math.round(width * ratio));
  canvas.height = Math.max(1, Math.round(height * ratio));
  canvas.style.width = `${width}px`;
  canvas.style.height = `${height}px`;
  const ctx = /** @type {!CanvasRenderingContext2D} */ (canvas.getContext('2d'));
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  return ctx;
}

/**
 * Draws a chart on `canvas` (resizing it to the spec) and returns the frame
 * for hover lookups.
 * @param {!HTMLCanvasElement} canvas
 * @param {!ChartSpec} spec
 * @return {!ChartFrame}
 */
export function drawChart(canvas, spec) {
  const {width, height} = spec;
  const lines = spec.lines || [];
  const bars = spec.bars || [];
  const ctx = setupCanvas(canvas, width, height);
  ctx.clearRect(0, 0, width, height);
  ctx.font = FONT;

  const xData = extent([
    ...lines.map((s) => s.xs),
    ...bars.map((s) => s.x0),
    ...bars.map((s) => s.x1),
  ]);
  // Data values to positions along y: log10 on a log axis, where values
  // <= 0 have no position.
  /** @type {function(number): number} */
  const toY = spec.yLog ? (v) => (v > 0 ? Math.log10(v) : NaN) : (v) => v;
  const yData = extent([...lines.map((s) => s.ys.map(toY)), ...bars.map((s) => s.ys.map(toY))]);
  const empty = !xData || !yData;

  let xDomain = spec.xDomain || (xData ? [...xData] : [0, 1]);
  if (xDomain[0] === xDomain[1]) xDomain = pad(xDomain, 0);
  let yDomain = spec.yDomain ? spec.yDomain.map(toY) : null;
  if (!yDomain) {
    yDomain = yData ? [...yData] : [0, 1];
    if (spec.yFromZero && !spec.yLog) {
      yDomain = [Math.min(0, yDomain[0]), Math.max(0, yDomain[1])];
      yDomain = yDomain[0] === yDomain[1] ? [0, 1] : [yDomain[0], yDomain[1] * 1.05];
    } else {
      yDomain = pad(yDomain, 0.06);
    }
  }

  const yTickCount = Math.max(2, Math.floor(height / 34));
  const yTicks = spec.yLog ? logTicks(yDomain[0], yDomain[1], yTickCount) : niceTicks(yDomain[0], yDomain[1], yTickCount);
  const yLabels = spec.yLog ? yTicks.ticks.map(formatPower) : linearLabels(yTicks);
  const labelWidth = Math.max(0, ...yLabels.map((l) => ctx.measureText(l).width));
  const frame = {
    left: Math.ceil(labelWidth) + 10,
    top: 6,
    right: width - 10,
    bottom: height - 18,
  };
  const plotW = Math.max(1, frame.right - frame.left);
  const plotH = Math.max(1, frame.bottom - frame.top);
  const [x0, x1] = xDomain;
  const [y0, y1] = yDomain;
  /** @param {number} v */
  const x = (v) => frame.left + ((v - x0) / (x1 - x0)) * plotW;
  /** @param {number} v  In log10 units on a log axis. */
  const yAt = (v) => frame.bottom - ((v - y0) / (y1 - y0)) * plotH;
  /** @param {number} v */
  const y = (v) => yAt(toY(v));
  /** @param {number} px */
  const invertX = (px) => x0 + ((px - frame.left) / plotW) * (x1 - x0);
  /** @param {number} py */
  const invertY = (py) => {
    const v = y0 + ((frame.bottom - py) / plotH) * (y1 - y0);
    return spec.yLog ? Math.pow(10, v) : v;
  };

  // Grid and y labels.
  ctx.textBaseline = 'middle';
  ctx.textAlign = 'right';
  ctx.lineWidth = 1;
  yTicks.ticks.forEach((t, i) => {
    const py = Math.round(yAt(t)) + 0.5;
    ctx.strokeStyle = GRID_COLOR;
    ctx.beginPath();
    ctx.moveTo(frame.left, py);
    ctx.lineTo(frame.right, py);
    ctx.stroke();
    ctx.fillStyle = LABEL_COLOR;
    ctx.fillText(yLabels[i], frame.left - 5, py);
  });

  // X labels, skipping those that would overlap.
  const xTicks = niceTicks(x0, x1, Math.max(2, Math.floor(plotW / 56)), spec.integerX);
  ctx.textBaseline = 'top';
  ctx.textAlign = 'center';
  let lastRight = -Infinity;
  for (const t of xTicks.ticks) {
    const px = x(t);
    const label = formatTick(t, xTicks.spacing);
    const w = ctx.measureText(label).width;
    if (px - w / 2 < lastRight + 6) continue;
    ctx.strokeStyle = AXIS_COLOR;
    ctx.beginPath();
    ctx.moveTo(Math.round(px) + 0.5, frame.bottom);
    ctx.lineTo(Math.round(px) + 0.5, frame.bottom + 3);
    ctx.stroke();
    ctx.fillStyle = LABEL_COLOR;
    ctx.fillText(label, px, frame.bottom + 5);
    lastRight = px + w / 2;
  }

  ctx.save();
  ctx.beginPath();
  ctx.rect(frame.left, frame.top - 1, plotW, plotH + 2);
  ctx.clip();

  for (const series of bars) {
    ctx.globalAlpha = series.alpha ?? 1;
    ctx.fillStyle = series.color;
    const base = spec.yLog ? frame.bottom : y(Math.max(y0, Math.min(y1, 0)));
    series.ys.forEach((v, i) => {
      if (!Number.isFinite(v) || !Number.isFinite(series.x0[i])) return;
      const left = x(series.x0[i]);
      const right = x(series.x1[i]);
      // Leave a hairline gap between wide bars; thin bars stay solid.
      const gap = right - left > 4 ? 1 : 0;
      const top = y(v);
      ctx.fillRect(left + gap / 2, Math.min(top, base), Math.max(0.5, right - left - gap), Math.abs(base - top));
    });
    ctx.globalAlpha = 1;
    if (series.outline) {
      ctx.strokeStyle = series.color;
      ctx.lineWidth = 1.25;
      ctx.beginPath();
      let open = false;
      series.ys.forEach((v, i) => {
        if (!Number.isFinite(v) || !Number.isFinite(series.x0[i]) || !Number.isFinite(series.x1[i])) {
          if (open) ctx.lineTo(x(series.x1[i - 1]), base);
          open = false;
          return;
        }
        if (!open) ctx.moveTo(x(series.x0[i]), base);
        ctx.lineTo(x(series.x0[i]), y(v));
        ctx.lineTo(x(series.x1[i]), y(v));
        open = true;
      });
      if (open) ctx.lineTo(x(series.x1[series.x1.length - 1]), base);
      ctx.stroke();
    }
  }

  for (const series of lines) {
    ctx.strokeStyle = series.color;
    ctx.fillStyle = series.color;
    ctx.lineWidth = 1.5;
    ctx.lineJoin = 'round';
    ctx.beginPath();
    let penDown = false;
    let finiteCount = 0;
    series.xs.forEach((xv, i) => {
      const yv = series.ys[i];
      if (!Number.isFinite(toY(yv)) || !Number.isFinite(xv)) {
        penDown = false;
        return;
      }
      finiteCount++;
      if (penDown) ctx.lineTo(x(xv), y(yv));
      else ctx.moveTo(x(xv), y(yv));
      penDown = true;
    });
    ctx.stroke();
    if (series.dots || finiteCount === 1) {
      series.xs.forEach((xv, i) => {
        const yv = series.ys[i];
        if (!Number.isFinite(toY(yv)) || !Number.isFinite(xv)) return;
        ctx.beginPath();
        ctx.arc(x(xv), y(yv), 2.5, 0, 2 * Math.PI);
        ctx.fill();
      });
    }
  }
  ctx.restore();

  // Axes.
  ctx.strokeStyle = AXIS_COLOR;
  ctx.lineWidth = 1;
  ctx.beginPath();
  ctx.moveTo(frame.left - 0.5, frame.top);
  ctx.lineTo(frame.left - 0.5, frame.bottom + 0.5);
  ctx.lineTo(frame.right, frame.bottom + 0.5);
  ctx.stroke();

  for (const [value, color, dash] of [
    [spec.hoverX, '#bdbdbd', []],
    [spec.marker, MARKER_COLOR, [4, 3]],
  ]) {
    if (value === null || value === undefined || !Number.isFinite(value)) continue;
    const px = Math.round(x(/** @type {number} */ (value))) + 0.5;
    if (px < frame.left - 1 || px > frame.right + 1) continue;
    ctx.strokeStyle = /** @type {string} */ (color);
    ctx.setLineDash(/** @type {!Array<number>} */ (dash));
    ctx.beginPath();
    ctx.moveTo(px, frame.top);
    ctx.lineTo(px, frame.bottom);
    ctx.stroke();
    ctx.setLineDash([]);
  }

  if (empty) {
    ctx.fillStyle = LABEL_COLOR;
    ctx.textAlign = 'center';
    ctx.textBaseline = 'middle';
    ctx.fillText(spec.emptyText || 'no finite values', (frame.left + frame.right) / 2, (frame.top + frame.bottom) / 2);
  }

  // The plot area and the number of series drawn (0 while loading), for
  // tests that point at data positions.
  canvas.dataset.plot = [frame.left, frame.top, frame.right, frame.bottom].join(',');
  canvas.dataset.series = String(empty ? 0 : lines.length + bars.length);
  return {...frame, x, y, invertX, invertY, empty};
}

/**
 * Calls `onMove` with the mouse position in CSS pixels relative to the canvas
 * while the mouse is over it, and `onLeave` when it leaves.
 * @param {!HTMLCanvasElement} canvas
 * @param {function(number, number, !MouseEvent)} onMove
 * @param {function()} onLeave
 */
export function onCanvasHover(canvas, onMove, onLeave) {
  canvas.addEventListener('mousemove', (event) => {
    const box = canvas.getBoundingClientRect();
    onMove(event.clientX - box.left, event.clientY - box.top, event);
  });
  canvas.addEventListener('mouseleave', () => onLeave());
}

/**
 * The index of the element of sorted `xs` nearest to `value`.
 * @param {!Array<number>} xs  Ascending.
 * @param {number} value
 * @return {number}  -1 when `xs` is empty.
 */
export function nearestIndex(xs, value) {
  if (xs.length === 0) return -1;
  let lo = 0;
  let hi = xs.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (xs[mid] <= value) lo = mid;
    else hi = mid;
  }
  return Math.abs(xs[lo] - value) <= Math.abs(xs[hi] - value) ? lo : hi;
}
