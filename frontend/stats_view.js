// Statistics over steps (one small chart per statistic, one line per run)
// and the histograms: at the chosen step, or over all steps as a ridgeline
// or a step × bin density (one small multiple per run).

import {h, swatch} from './dom.js';
import {drawChart, onCanvasHover, nearestIndex} from './charts.js';
import {formatApprox, formatCount} from './format.js';
import {showTooltip, hideTooltip} from './tooltip.js';
import {
  drawRidgeline,
  drawDensity,
  ridgelineHit,
  densityHit,
  hasFiniteValues,
  ridgelineHeight,
  valueRange,
} from './histogram_steps.js';

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
 * `logOption`: the chart offers a log y axis (its view state key).
 * @type {!Array<{key: string, title: string, fields: !Array<string>,
 *     logOption: (string|undefined), help: (string|undefined)}>}
 */
export const STAT_CHARTS = [
  {key: 'mean', title: 'mean', fields: ['mean']},
  {key: 'std', title: 'std', fields: ['std']},
  {key: 'min', title: 'min', fields: ['min']},
  {key: 'max', title: 'max', fields: ['max']},
  {key: 'l2_norm', title: 'L2 norm', fields: ['l2_norm']},
  {key: 'zero_fraction', title: 'zero fraction', fields: ['zero_fraction']},
  {key: 'nonfinite', title: 'NaN + Inf count', fields: ['nan_count', 'inf_count']},
  {
    key: 'update_ratio',
    title: 'update ratio',
    fields: ['update_ratio'],
    logOption: 'update_log',
    help: '‖W_t − W_prev‖ / ‖W_t‖: how much the variable changed since the previous logged step, relative to its size.',
  },
];

/**
 * The views of the histogram card: at the shown step, or over all steps.
 * @type {!Array<{mode: string, label: string, title: string}>}
 */
export const HISTOGRAM_MODES = [
  {mode: 'step', label: 'at step', title: 'The histogram at the chosen step'},
  {mode: 'ridgeline', label: 'ridgeline', title: 'Over steps: one curve per logged step, later steps in front'},
  {mode: 'density', label: 'density', title: 'Over steps: steps × values, coloured by count'},
];

/**
 * The statistics section's view options, as put in the URL: every value a
 * string. `histogram`: a mode of {@link HISTOGRAM_MODES}; `log_counts`:
 * `1` for log(1 + count) in the views over steps; `update_log`: `1` for a
 * log y axis on the update ratio chart.
 * @typedef {{histogram: string, log_counts: string, update_log: string}}
 */
export let StatsViewState;

/** @type {!StatsViewState} */
const DEFAULT_VIEW_STATE = {histogram: 'step', log_counts: '0', update_log: '1'};

const CHART_HEIGHT = 130;
const MIN_CHART_WIDTH = 210;
const GAP = 12;
/** Small multiples of the views over steps are at least this wide. */
const MIN_MULTIPLE_WIDTH = 340;

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
 * The hover text of a chart's value at index `i` of a run's steps.
 * @param {!Stats} stats
 * @param {{key: string, fields: !Array<string>}} chart
 * @param {number} i
 * @return {string}
 */
function statText(stats, chart, i) {
  if (chart.fields.some((field) => !stats.statistics[field])) return 'not logged';
  const value = chartValues(stats, chart.fields)[i];
  // The first logged step has no earlier value to compare with.
  if (chart.key === 'update_ratio' && Number.isNaN(value) && i === 0) return 'none (first logged step)';
  // The ratio covers the change since the previous logged step: uneven
  // logging intervals give uneven ratios.
  if (chart.key === 'update_ratio' && i > 0 && Number.isFinite(value)) return `${formatApprox(value, 6)} (since step ${stats.steps[i - 1]})`;
  return formatApprox(value, 6);
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
 * Whether any run's statistics hold a field.
 * @param {!Array<!RunStats>} series
 * @param {string} field
 * @return {boolean}
 */
function anyHasField(series, field) {
  return series.some((s) => s.stats && Array.isArray(s.stats.statistics[field]));
}

/**
 * A checkbox with a label, for the chart headers.
 * @param {string} text
 * @param {string} testid
 * @param {string} title  What it does, on hover.
 * @return {{element: !HTMLElement, input: !HTMLInputElement}}
 */
function checkbox(text, testid, title) {
  const input = /** @type {!HTMLInputElement} */ (h('input', {type: 'checkbox', testid}));
  return {element: h('label', {class: 'tbw-chart-option', title}, input, text), input};
}

/**
 * The histograms over steps of one run, drawn as a ridgeline or a density.
 */
class StepsMultiple {
  /**
   * @param {!StatsView} view  The owner: its mode, options and step callback.
   */
  constructor(view) {
    this.view = view;
    /** @type {?RunStats} */
    this.series = null;
    /** @type {?Object} The frame of the last drawing (ridgeline or density). */
    this.frame = null;
    /** @type {?number} The step under the mouse, outlined. */
    this.hoverStep = null;
    /** @type {?{width: number, height: number, labelled: boolean, range: ?Array<number>}} */
    this.size = null;
    this.label = h('div', {class: 'tbw-histogram-run-label'});
    this.canvas = /** @type {!HTMLCanvasElement} */ (
      h('canvas', {class: 'tbw-chart-canvas', testid: 'histogram-steps-canvas'})
    );
    this.element = h('div', {class: 'tbw-histogram-run', testid: 'histogram-run'}, this.label, this.canvas);
    onCanvasHover(
      this.canvas,
      (px, py, event) => {
        const hit = this.hit(px, py);
        this.setHoverStep(hit ? hit.step : null);
        if (hit) showTooltip(event, this.describe(hit));
        else hideTooltip();
      },
      () => {
        hideTooltip();
        this.setHoverStep(null);
      },
    );
    this.canvas.addEventListener('click', (event) => {
      const box = this.canvas.getBoundingClientRect();
      const hit = this.hit(event.clientX - box.left, event.clientY - box.top);
      if (hit) this.view.onStepPick(hit.step);
    });
  }

  /**
   * Draws one run's histograms.
   * @param {!RunStats} series
   * @param {number} width  CSS pixels.
   * @param {number} height  CSS pixels.
   * @param {boolean} labelled  Show the run's name above (several runs).
   * @param {?Array<number>} range  The values shown, the same for all runs.
   */
  draw(series, width, height, labelled, range) {
    this.series = series;
    this.size = {width, height, labelled, range};
    this.element.dataset.run = series.run;
    this.label.replaceChildren(...(labelled ? [swatch(series.color), series.run] : []));
    this.label.hidden = !labelled;
    const spec = {
      width,
      height,
      histograms: series.stats ? series.stats.histograms : [],
      color: series.color,
      logCounts: this.view.state.log_counts === '1',
      chosenStep: series.step,
      hoverStep: this.hoverStep,
      range,
      emptyText: series.stats ? 'no histograms' : 'loading…',
    };
    this.frame = this.view.state.histogram === 'ridgeline' ? drawRidgeline(this.canvas, spec) : drawDensity(this.canvas, spec);
  }

  /**
   * The step (and its bucket or bin) under a point of the canvas.
   * @param {number} px
   * @param {number} py
   * @return {?{step: number, lines: !Array<string>, rebinned: (boolean|undefined)}}
   *     `lines` describe the bucket or bin; `rebinned`: the count is of a
   *     common bin, spread from the logged buckets.
   */
  hit(px, py) {
    const frame = this.frame;
    if (!frame) return null;
    if (this.view.state.histogram === 'ridgeline') {
      const ridgeline = /** @type {!import('./histogram_steps.js').RidgelineFrame} */ (frame);
      if (px > ridgeline.right || py > ridgeline.bottom) return null;
      const found = ridgelineHit(ridgeline.rows, ridgeline.spacing, ridgeline.invertX(px), py);
      if (!found) return null;
      const row = ridgeline.rows[found.row];
      const b = found.bucket;
      const lines = [];
      if (!hasFiniteValues(row)) lines.push('no finite values');
      else if (b >= 0) {
        const last = b === row.counts.length - 1;
        lines.push(`[${formatApprox(row.edges[b], 4)}, ${formatApprox(row.edges[b + 1], 4)}${last ? ']' : ')'}: ${formatCount(row.counts[b])}`);
      }
      return {step: row.step, lines};
    }
    const density = /** @type {!import('./histogram_steps.js').DensityFrame} */ (frame);
    const found = densityHit(density, px, py);
    if (!found) return null;
    const {column, bin} = found;
    if (!density.finite[column]) return {step: density.steps[column], lines: ['no finite values']};
    const last = bin === density.edges.length - 2;
    return {
      step: density.steps[column],
      rebinned: true,
      lines: [
        `[${formatApprox(density.edges[bin], 4)}, ${formatApprox(density.edges[bin + 1], 4)}${last ? ']' : ')'}: ` +
          `${formatApprox(density.counts[column][bin], 4)}`,
      ],
    };
  }

  /**
   * Outlines the step under the mouse (redrawing when it changes).
   * @param {?number} step
   */
  setHoverStep(step) {
    if (step === this.hoverStep) return;
    this.hoverStep = step;
    if (!this.series || !this.size) return;
    const {width, height, labelled, range} = this.size;
    this.draw(this.series, width, height, labelled, range);
  }

  /**
   * The tooltip of a hit.
   * @param {{step: number, lines: !Array<string>, rebinned: (boolean|undefined)}} hit
   * @return {!Array<!import('./tooltip.js').TooltipLine>}
   */
  describe(hit) {
    const {run, color} = /** @type {!RunStats} */ (this.series);
    const lines = [[color, this.view.series.length > 1 ? `${run}: step ${hit.step}` : `step ${hit.step}`], ...hit.lines];
    if (hit.rebinned) {
      lines.push([null, 'count in this bin, logged buckets spread evenly over their width', 'muted']);
    }
    lines.push([null, 'click to show this step', 'muted']);
    return lines;
  }
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
    /** @type {!StatsViewState} */
    this.state = {...DEFAULT_VIEW_STATE};
    /** @type {!Array<function(!StatsViewState)>} */
    this.viewStateListeners = [];
    /** @type {?ChartSpec} */
    this.histogramSpec = null;
    /** @type {?import('./charts.js').ChartFrame} */
    this.histogramFrame = null;
    /** @type {!Array<{s: !RunStats, hist: !Histogram}>} The histograms drawn. */
    this.histogramShown = [];
    /** @type {!Map<string, !StepsMultiple>} The views over steps, by run. */
    this.multiples = new Map();
    this.legend = h('div', {class: 'tbw-legend tbw-stats-legend'});
    this.grid = h('div', {class: 'tbw-chart-grid', testid: 'stats-charts'});
    this.histogramTitle = h('span', {text: 'Histogram'});
    this.histogramCanvas = /** @type {!HTMLCanvasElement} */ (
      h('canvas', {class: 'tbw-chart-canvas', testid: 'histogram-canvas'})
    );
    this.histogramMode = /** @type {!HTMLSelectElement} */ (
      h(
        'select',
        {class: 'tbw-select', testid: 'histogram-mode', 'aria-label': 'Histogram view'},
        HISTOGRAM_MODES.map(({mode, label, title}) => h('option', {value: mode, text: label, title})),
      )
    );
    this.histogramMode.addEventListener('change', () => this.setOption('histogram', this.histogramMode.value));
    const logCounts = checkbox('log counts', 'histogram-log', 'Heights or colours by log(1 + count), so small counts stay visible');
    this.logCountsBox = logCounts.input;
    this.logCountsOption = logCounts.element;
    this.logCountsBox.addEventListener('change', () => this.setOption('log_counts', this.logCountsBox.checked ? '1' : '0'));
    this.multiplesBox = h('div', {class: 'tbw-histogram-multiples', testid: 'histogram-multiples'});
    this.histogramCard = h(
      'div',
      {class: 'tbw-card tbw-chart-card tbw-histogram-card', testid: 'histogram'},
      h(
        'div',
        {class: 'tbw-chart-title tbw-chart-header'},
        this.histogramTitle,
        h('span', {class: 'tbw-chart-options'}, this.logCountsOption, this.histogramMode),
      ),
      this.histogramCanvas,
      this.multiplesBox,
    );
    /** @type {!Array<{canvas: !HTMLCanvasElement, spec: ?ChartSpec, frame: *, logBox: ?HTMLInputElement}>} */
    this.charts = STAT_CHARTS.map(() => ({
      canvas: /** @type {!HTMLCanvasElement} */ (h('canvas', {class: 'tbw-chart-canvas'})),
      spec: null,
      frame: null,
      logBox: null,
    }));
    this.element = h(
      'section',
      {class: 'tbw-stats', testid: 'stats-section'},
      h('div', {class: 'tbw-section-header'}, h('h3', {text: 'Statistics'}), this.legend),
      this.grid,
    );
    STAT_CHARTS.forEach((chart, k) => {
      const title = h('span', {text: chart.title, title: chart.help || null});
      let option = null;
      if (chart.logOption) {
        const key = /** @type {string} */ (chart.logOption);
        const box = checkbox('log', `${chart.key}-log`, 'Logarithmic y axis');
        this.charts[k].logBox = box.input;
        box.input.addEventListener('change', () => this.setOption(key, box.input.checked ? '1' : '0'));
        option = h('span', {class: 'tbw-chart-options'}, box.element);
      }
      this.grid.appendChild(
        h(
          'div',
          {class: 'tbw-card tbw-chart-card', testid: `stat-chart-${chart.key}`},
          h('div', {class: 'tbw-chart-title tbw-chart-header'}, title, option),
          this.charts[k].canvas,
        ),
      );
      this.attachStatHover(k);
    });
    this.grid.appendChild(this.histogramCard);
    this.attachHistogramHover();
    this.showViewState();
  }

  /**
   * The view options, for the URL.
   * @return {!StatsViewState}  Every key, each a string.
   */
  viewState() {
    return {...this.state};
  }

  /**
   * Sets view options (e.g. from the URL) and redraws. Unknown keys and
   * invalid values are ignored, missing keys keep their value; the
   * listeners of {@link onViewStateChange} are not called.
   * @param {!Object<string, string>} state
   */
  applyViewState(state) {
    let changed = false;
    for (const key of Object.keys(DEFAULT_VIEW_STATE)) {
      const value = state[key];
      if (typeof value !== 'string' || !this.validOption(key, value) || this.state[key] === value) continue;
      this.state[key] = value;
      changed = true;
    }
    if (!changed) return;
    this.showViewState();
    if (this.step !== null) this.draw();
  }

  /**
   * Calls `callback` with the new view state whenever the user changes an
   * option.
   * @param {function(!StatsViewState)} callback
   */
  onViewStateChange(callback) {
    this.viewStateListeners.push(callback);
  }

  /**
   * @param {string} key
   * @param {string} value
   * @return {boolean}
   */
  validOption(key, value) {
    if (key === 'histogram') return HISTOGRAM_MODES.some(({mode}) => mode === value);
    return value === '0' || value === '1';
  }

  /**
   * A user's change of one option: redraw, tell the listeners.
   * @param {string} key
   * @param {string} value
   */
  setOption(key, value) {
    if (!this.validOption(key, value) || this.state[key] === value) return;
    this.state[key] = value;
    this.showViewState();
    if (this.step !== null) this.draw();
    const state = this.viewState();
    for (const listener of this.viewStateListeners) listener(state);
  }

  /** Sets the controls to the view state. */
  showViewState() {
    const overSteps = this.state.histogram !== 'step';
    this.histogramMode.value = this.state.histogram;
    this.logCountsBox.checked = this.state.log_counts === '1';
    this.logCountsOption.hidden = !overSteps;
    this.histogramCanvas.hidden = overSteps;
    this.multiplesBox.hidden = !overSteps;
    this.histogramCard.classList.toggle('tbw-histogram-wide', overSteps);
    this.histogramCard.dataset.mode = this.state.histogram;
    STAT_CHARTS.forEach((chart, k) => {
      const box = this.charts[k].logBox;
      if (box && chart.logOption) box.checked = this.state[chart.logOption] === '1';
    });
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
      const logged = chart.key !== 'update_ratio' || !ready.length || anyHasField(ready, 'update_ratio');
      const yLog = Boolean(chart.logOption) && this.state[/** @type {string} */ (chart.logOption)] === '1';
      const spec = {
        width: chartWidth,
        height: CHART_HEIGHT,
        integerX: true,
        marker: this.step,
        yLog,
        emptyText: !ready.length ? 'loading…' : !logged ? 'not logged (written before update ratios existed)' : yLog ? 'no positive values' : 'no finite values',
        lines: (logged ? ready : []).map((s) => {
          const stats = /** @type {!Stats} */ (s.stats);
          return {
            color: s.color,
            xs: stats.steps,
            ys: chartValues(stats, chart.fields),
            dots: stats.steps.length <= 30,
          };
        }),
      };
      if (chart.key === 'zero_fraction' || chart.key === 'nonfinite' || chart.key === 'update_ratio') {
        spec.yFromZero = true;
      }
      this.charts[k].spec = spec;
      this.charts[k].frame = drawChart(this.charts[k].canvas, spec);
      const logBox = this.charts[k].logBox;
      if (logBox) /** @type {!HTMLElement} */ (logBox.parentElement).hidden = !logged;
    });
    if (this.state.histogram === 'step') this.drawHistogram(chartWidth);
    else this.drawHistogramsOverSteps();
  }

  /** Draws each run's histograms over steps, one small multiple per run. */
  drawHistogramsOverSteps() {
    this.histogramTitle.textContent = 'histograms over steps';
    const runs = new Set(this.series.map((s) => s.run));
    for (const run of [...this.multiples.keys()]) {
      if (!runs.has(run)) this.multiples.delete(run);
    }
    const shown = this.series.map((s) => {
      let multiple = this.multiples.get(s.run);
      if (!multiple) {
        multiple = new StepsMultiple(this);
        this.multiples.set(s.run, multiple);
      }
      return multiple;
    });
    this.multiplesBox.replaceChildren(...shown.map((m) => m.element));
    // The card spans the grid: its inner width, split into columns.
    const inner = (this.grid.clientWidth || 900) - 18;
    const columns = Math.max(1, Math.min(shown.length, Math.floor((inner + GAP) / (MIN_MULTIPLE_WIDTH + GAP))));
    const width = Math.floor((inner - GAP * (columns - 1)) / columns);
    const base = shown.length > 1 ? 200 : 240;
    const steps = Math.max(0, ...this.series.map((s) => (s.stats ? s.stats.histograms.length : 0)));
    const height = this.state.histogram === 'ridgeline' ? ridgelineHeight(steps, base) : base;
    // One value range for all runs, so that they compare at a glance.
    const range = valueRange(this.series.flatMap((s) => (s.stats ? s.stats.histograms : [])));
    this.series.forEach((s, i) => shown[i].draw(s, width, height, this.series.length > 1, range));
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
          const text = i < 0 ? '–' : statText(s.stats, STAT_CHARTS[k], i);
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
