// Statistics over steps (one small chart per statistic, one line per run)
// and the histogram at the chosen step.

import {h, swatch} from './dom.js';
import {drawChart, onCanvasHover, nearestIndex} from './charts.js';
import {formatApprox, formatCount} from './format.js';
import {showTooltip, hideTooltip} from './tooltip.js';

/** @typedef {import('./data.js').Stats} Stats */
/** @typedef {import('./data.js').Histogram} Histogram */
/** @typedef {import('./charts.js').ChartSpec} ChartSpec */

/**
 * The statistics of one run, as far as they have arrived.
 * @typedef {{run: string, color: string, stats: ?Stats, step: ?number}}
 *     `step` is the run's step shown for the chosen step (its latest logged
 *     step at or before it), null when it has none.
 */
export let RunStats;

/**
 * The charts, in display order. `fields` are summed (NaN + Inf counts).
 * @type {!Array<{key: string, title: string, fields: !Array<string>}>}
 */
export const STAT_CHARTS = [
  {key: 'mean', title: 'mean', fields: ['mean']},
  {key: 'std', title: 'std', fields: ['std']},
  {key: 'min', title: 'min', fields: ['min']},
  {key: 'max', title: 'max', fields: ['max']},
  {key: 'l2_norm', title: 'L2 norm', fields: ['l2_norm']},
  {key: 'zero_fraction', title: 'zero fraction', fields: ['zero_fraction']},
  {key: 'nonfinite', title: 'NaN + Inf count', fields: ['nan_count', 'inf_count']},
];

const CHART_HEIGHT = 130;
const MIN_CHART_WIDTH = 210;
const GAP = 12;

/**
 * The values of a chart for one run: the sum of its fields at each step.
 * @param {!Stats} stats
 * @param {!Array<string>} fields
 * @return {!Array<number>}
 */
function chartValues(stats, fields) {
  return stats.steps.map((_, i) =>
    fields.reduce((sum, field) => {
      const values = stats.statistics[field];
      return sum + (values ? values[i] : NaN);
    }, 0),
  );
}

/**
 * The histogram of a run at a step.
 * @param {?Stats} stats
 * @param {?number} step
 * @return {?Histogram}
 */
function histogramAt(stats, step) {
  if (!stats || step === null) return null;
  return stats.histograms.find((hist) => hist.step === step) || null;
}

/**
 * The statistics section of the main area.
 */
export class StatsView {
  /**
   * @param {function(number)} onStepPick  Called with a step the user
   *     clicked in a chart.
   */
  constructor(onStepPick) {
    this.onStepPick = onStepPick;
    /** @type {!Array<!RunStats>} */
    this.series = [];
    /** @type {?number} */
    this.step = null;
    /** @type {?ChartSpec} */
    this.histogramSpec = null;
    /** @type {?import('./charts.js').ChartFrame} */
    this.histogramFrame = null;
    /** @type {!Array<{s: !RunStats, hist: !Histogram}>} The histograms drawn. */
    this.histogramShown = [];
    this.legend = h('div', {class: 'tbw-legend tbw-stats-legend'});
    this.grid = h('div', {class: 'tbw-chart-grid', testid: 'stats-charts'});
    this.histogramTitle = h('span', {text: 'Histogram'});
    this.histogramCanvas = /** @type {!HTMLCanvasElement} */ (
      h('canvas', {class: 'tbw-chart-canvas', testid: 'histogram-canvas'})
    );
    this.histogramCard = h(
      'div',
      {class: 'tbw-card tbw-chart-card tbw-histogram-card', testid: 'histogram'},
      h('div', {class: 'tbw-chart-title'}, this.histogramTitle),
      this.histogramCanvas,
    );
    /** @type {!Array<{canvas: !HTMLCanvasElement, spec: ?ChartSpec, frame: *}>} */
    this.charts = STAT_CHARTS.map(() => ({
      canvas: /** @type {!HTMLCanvasElement} */ (h('canvas', {class: 'tbw-chart-canvas'})),
      spec: null,
      frame: null,
    }));
    this.element = h(
      'section',
      {class: 'tbw-stats', testid: 'stats-section'},
      h('div', {class: 'tbw-section-header'}, h('h3', {text: 'Statistics'}), this.legend),
      this.grid,
    );
    STAT_CHARTS.forEach((chart, k) => {
      this.grid.appendChild(
        h(
          'div',
          {class: 'tbw-card tbw-chart-card', testid: `stat-chart-${chart.key}`},
          h('div', {class: 'tbw-chart-title', text: chart.title}),
          this.charts[k].canvas,
        ),
      );
      this.attachStatHover(k);
    });
    this.grid.appendChild(this.histogramCard);
    this.attachHistogramHover();
  }

  /**
   * Redraws everything.
   * @param {!Array<!RunStats>} series  One entry per selected run.
   * @param {number} step  The chosen step.
   */
  update(series, step) {
    this.series = series;
    this.step = step;
    this.legend.replaceChildren(
      ...(series.length > 1
        ? series.map((s) => h('span', {class: 'tbw-legend-item'}, swatch(s.color), s.run))
        : []),
    );
    this.draw();
  }

  /**
   * The width of a chart for the current width of the section (the grid's
   * CSS places the cards the same way).
   * @return {number}
   */
  chartWidth() {
    const width = this.grid.clientWidth || 900;
    const columns = Math.max(1, Math.floor((width + GAP) / (MIN_CHART_WIDTH + GAP)));
    const cardWidth = Math.floor((width - GAP * (columns - 1)) / columns);
    // Card padding (8 px each side) and border.
    return cardWidth - 18;
  }

  /** Draws the statistic charts and the histogram. */
  draw() {
    const chartWidth = this.chartWidth();
    const ready = this.series.filter((s) => s.stats);
    STAT_CHARTS.forEach((chart, k) => {
      const spec = {
        width: chartWidth,
        height: CHART_HEIGHT,
        integerX: true,
        marker: this.step,
        emptyText: ready.length ? 'no finite values' : 'loading…',
        lines: ready.map((s) => {
          const stats = /** @type {!Stats} */ (s.stats);
          return {
            color: s.color,
            xs: stats.steps,
            ys: chartValues(stats, chart.fields),
            dots: stats.steps.length <= 30,
          };
        }),
      };
      if (chart.key === 'zero_fraction' || chart.key === 'nonfinite') {
        spec.yFromZero = true;
      }
      this.charts[k].spec = spec;
      this.charts[k].frame = drawChart(this.charts[k].canvas, spec);
    });
    this.drawHistogram(chartWidth);
  }

  /**
   * Draws each run's histogram at its shown step, overlaid.
   * @param {number} width  CSS pixels.
   */
  drawHistogram(width) {
    const shown = /** @type {!Array<{s: !RunStats, hist: !Histogram}>} */ (
      this.series.map((s) => ({s, hist: histogramAt(s.stats, s.step)})).filter(({hist}) => hist)
    );
    const steps = [...new Set(shown.map(({s}) => s.step))];
    this.histogramTitle.textContent =
      steps.length === 1
        ? `histogram at step ${steps[0]}`
        : steps.length > 1
          ? `histogram at steps ${steps.join(', ')}`
          : 'histogram';
    const alpha = shown.length > 1 ? 0.3 : 0.6;
    this.histogramSpec = {
      width,
      height: CHART_HEIGHT,
      yFromZero: true,
      emptyText: this.series.some((s) => s.stats) ? 'no histogram at this step' : 'loading…',
      bars: shown.map(({s, hist}) => {
        const {edges, counts} = /** @type {!Histogram} */ (hist);
        return {color: s.color, x0: edges.slice(0, -1), x1: edges.slice(1), ys: counts, alpha, outline: true};
      }),
    };
    this.histogramShown = shown;
    this.histogramFrame = drawChart(this.histogramCanvas, this.histogramSpec);
  }

  /**
   * Hover read-out and click-to-pick-step on statistic chart `k`.
   * @param {number} k
   */
  attachStatHover(k) {
    const chart = this.charts[k];
    /** @param {number} px @return {?number} */
    const stepAt = (px) => {
      const steps = [
        ...new Set(this.series.flatMap((s) => (s.stats ? s.stats.steps : []))),
      ].sort((a, b) => a - b);
      const i = nearestIndex(steps, chart.frame.invertX(px));
      return i < 0 ? null : steps[i];
    };
    onCanvasHover(
      chart.canvas,
      (px, py, event) => {
        if (!chart.frame || !chart.spec) return;
        const step = stepAt(px);
        if (step === null) return;
        chart.spec.hoverX = step;
        chart.frame = drawChart(chart.canvas, chart.spec);
        const lines = [`${STAT_CHARTS[k].title} at step ${step}`];
        for (const s of this.series) {
          if (!s.stats) continue;
          const i = s.stats.steps.indexOf(step);
          const text = i < 0 ? '–' : formatApprox(chartValues(s.stats, STAT_CHARTS[k].fields)[i], 6);
          lines.push([s.color, this.series.length > 1 ? `${s.run}: ${text}` : text]);
        }
        lines.push([null, 'click to show this step', 'muted']);
        showTooltip(event, lines);
      },
      () => {
        hideTooltip();
        if (chart.spec) {
          chart.spec.hoverX = null;
          chart.frame = drawChart(chart.canvas, chart.spec);
        }
      },
    );
    chart.canvas.addEventListener('click', (event) => {
      if (!chart.frame) return;
      const box = chart.canvas.getBoundingClientRect();
      const step = stepAt(event.clientX - box.left);
      if (step !== null) this.onStepPick(step);
    });
  }

  /** Hover read-out of the histogram: each run's bucket under the mouse. */
  attachHistogramHover() {
    onCanvasHover(
      this.histogramCanvas,
      (px, py, event) => {
        if (!this.histogramFrame || !this.histogramShown.length) return;
        const value = this.histogramFrame.invertX(px);
        const lines = [];
        for (const {s, hist} of this.histogramShown) {
          const {edges, counts} = hist;
          let b = edges.findIndex((edge, i) => i > 0 && value <= edge);
          if (value < edges[0] || b < 1) continue;
          b -= 1;
          const last = b === counts.length - 1;
          const range = `[${formatApprox(edges[b], 4)}, ${formatApprox(edges[b + 1], 4)}${last ? ']' : ')'}`;
          lines.push([s.color, `${this.series.length > 1 ? `${s.run} (step ${s.step}): ` : ''}${range}: ${formatCount(counts[b])}`]);
        }
        if (lines.length) showTooltip(event, lines);
        else hideTooltip();
      },
      () => hideTooltip(),
    );
  }
}
