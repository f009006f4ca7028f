// The main area: the selected variable's header, the step slider, one tensor
// panel per selected run, and the statistics.

import {h, message, replace, swatch} from './dom.js';
import {ApiError, Latest} from './data.js';
import {formatCompact, formatCount, formatShape, plural} from './format.js';
import {createTensorView, describeView, describeValues} from './tensor_view.js';
import {StatsView} from './stats_view.js';
import {shownScale} from './heatmap.js';
import {symmetricScale} from './colormap.js';
import {recordTiming} from './timing.js';

/** @typedef {import('./data.js').TreeNode} TreeNode */
/** @typedef {import('./data.js').Tree} Tree */
/** @typedef {import('./data.js').Tensor} Tensor */
/** @typedef {import('./data.js').Stats} Stats */

/**
 * A selected run as the main area needs it.
 * @typedef {{run: string, color: string, steps: !Array<number>}}
 */
export let RunContext;

/**
 * The data functions the view calls (the data.js module).
 * @typedef {{
 *   getStats: function(string, string): !Promise<!Stats>,
 *   getTensor: function(string, string, number, number): !Promise<!Tensor>,
 *   npyUrl: function(string, string, number): string,
 * }}
 */
export let DataSource;

/**
 * A tensor shown in a panel, with what it was drawn for. `statsStep`: the
 * run's latest statistics step at or before `chosen`, which is later than
 * the tensor's step when statistics were logged more often than tensors.
 * @typedef {{
 *   tensor: !Tensor, chosen: number, statsStep: ?number,
 *   box: {maxWidth: number, maxHeight: number},
 *   href: string, stats: ?Stats,
 * }}
 */
let Shown;

/**
 * How heat maps map values to colours: `tensor` scales each run's map by its
 * tensor's max(|min|, |max|); `shared` uses the largest of those over the
 * shown runs so colours compare across runs; `shown` uses the largest
 * magnitude among the cells shown, which brings out structure in a
 * downsampled (block mean) view.
 * @type {!Array<{value: string, label: string}>}
 */
const SCALE_MODES = [
  {value: 'tensor', label: 'each tensor’s range'},
  {value: 'shared', label: 'same for all runs'},
  {value: 'shown', label: 'fit shown cells'},
];

const PANEL_MIN_WIDTH = 320;
const PANEL_GAP = 12;
// Panel padding and border, horizontally.
const PANEL_CHROME = 26;
// The largest view asked for to fit a panel, whatever the shape.
const MAX_CELLS = 262144;
// The largest view the server returns (http_api.md, `max_cells`).
const SERVER_MAX_CELLS = 4194304;

/**
 * How many cells a heat map shows: `fit` asks for about as many as the panel
 * shows at two pixels per cell (block means of a larger view); `full` asks
 * for every element (up to the server's 4,194,304), drawn at one pixel or
 * more per element in a scrolling box.
 * @type {!Array<{value: string, label: string}>}
 */
const RESOLUTION_MODES = [
  {value: 'fit', label: 'fit to panel'},
  {value: 'full', label: 'every element'},
];

/**
 * The largest element of ascending `steps` that is ≤ `step`.
 * @param {!Array<number>} steps
 * @param {number} step
 * @return {?number}  null when every step is larger.
 */
export function latestAtOrBefore(steps, step) {
  let found = null;
  for (const s of steps) {
    if (s <= step) found = s;
    else break;
  }
  return found;
}

/**
 * The view shape the server shows for a variable of `shape`
 * (rank ≥ 3 is reshaped to `[prod(shape[:-1]), shape[-1]]`).
 * @param {!Array<number>} shape
 * @return {!Array<number>}
 */
export function viewShapeOf(shape) {
  if (shape.length <= 2) return shape;
  return [shape.slice(0, -1).reduce((a, b) => a * b, 1), shape[shape.length - 1]];
}

/**
 * The tensor panel of one run.
 */
class RunPanel {
  /**
   * @param {!RunContext} context
   */
  constructor(context) {
    this.context = context;
    /** @type {?Shown} What the panel shows, to redraw it. */
    this.shown = null;
    this.stepLabel = h('span', {class: 'tbw-panel-step', testid: 'panel-step'});
    this.download = h('a', {class: 'tbw-link tbw-download', text: '.npy', title: 'Download the exact logged tensor as .npy'});
    this.download.hidden = true;
    this.notes = h('div', {class: 'tbw-panel-notes', testid: 'panel-notes'});
    this.body = h('div', {class: 'tbw-panel-body'}, h('div', {class: 'tbw-muted tbw-loading-text', text: 'Loading…'}));
    this.footer = h('div', {class: 'tbw-panel-footer', testid: 'panel-footer'});
    this.element = h(
      'section',
      {class: 'tbw-card tbw-panel', testid: 'run-panel', dataset: {run: context.run}},
      h(
        'header',
        {class: 'tbw-panel-header'},
        swatch(context.color),
        h('span', {class: 'tbw-panel-run', text: context.run, style: {color: context.color}, title: context.run}),
        this.stepLabel,
        h('span', {class: 'tbw-spacer'}),
        this.download,
      ),
      this.notes,
      this.body,
      this.footer,
    );
  }

  /** @param {number} width  Largest width in CSS pixels; the panel hugs its content. */
  setWidth(width) {
    this.element.style.maxWidth = `${width}px`;
  }

  /**
   * Marks the panel as waiting for the tensor at `step`, keeping the old
   * picture meanwhile so dragging the slider does not flicker.
   * @param {number} step
   * @param {number} chosen
   */
  setLoading(step, chosen) {
    this.element.classList.add('tbw-loading');
    this.setStepLabel(step, chosen);
  }

  /**
   * @param {number} step
   * @param {number} chosen
   */
  setStepLabel(step, chosen) {
    this.stepLabel.textContent = step === chosen ? `step ${step}` : `step ${step} (latest ≤ ${chosen})`;
    this.stepLabel.dataset.step = String(step);
  }

  /**
   * @param {!Shown} shown
   * @param {number} scale  Colour scale for a heat map.
   */
  showTensor(shown, scale) {
    const {tensor, chosen, statsStep, box, href, stats} = shown;
    this.shown = shown;
    this.element.classList.remove('tbw-loading');
    this.setStepLabel(tensor.step, chosen);
    this.download.hidden = false;
    this.download.setAttribute('href', href);
    this.download.setAttribute('download', `${tensor.path.replace(/\//g, '.')}.${this.context.run.replace(/[^\w.-]+/g, '_')}.step${tensor.step}.npy`);
    const reductions = [
      tensor.reduced_precision ? `as ${tensor.stored_dtype}` : '',
      tensor.subsample_strides ? `subsampled to ${formatShape(tensor.stored_view_shape)}` : '',
    ].filter(Boolean);
    this.download.title = reductions.length
      ? `Download the tensor as logged (${reductions.join(', ')}) as .npy`
      : 'Download the exact logged tensor as .npy';
    const notes = describeView(tensor);
    if (statsStep !== null && statsStep > tensor.step) {
      notes.unshift({
        kind: 'tensor-step',
        text: `statistics only at step ${statsStep}; tensor from step ${tensor.step}`,
        title: 'This run logged statistics more often than full tensors; the tensor shown is the latest one at or before the chosen step.',
      });
    }
    replace(
      this.notes,
      notes.map(({kind, text, title}, k) => [
        k ? ' · ' : '',
        h('span', {class: `tbw-note tbw-note-${kind}`, testid: `note-${kind}`, title, text}),
      ]),
    );
    const start = performance.now();
    replace(this.body, createTensorView(tensor, this.context.color, box, scale));
    const heatmap = this.body.querySelector('[data-testid="heatmap"]');
    if (heatmap) recordTiming('heatmap', /** @type {!HTMLElement} */ (heatmap), start, formatShape(tensor.values_shape));
    replace(this.footer, describeValues(tensor, stats));
  }

  /**
   * @param {!HTMLElement} content  A message.
   * @param {string=} stepText
   */
  showMessage(content, stepText = '') {
    this.shown = null;
    this.element.classList.remove('tbw-loading');
    this.stepLabel.textContent = stepText;
    delete this.stepLabel.dataset.step;
    this.download.hidden = true;
    this.notes.replaceChildren();
    this.footer.replaceChildren();
    replace(this.body, content);
  }
}

/**
 * The main area.
 */
export class VariableView {
  /** @param {!DataSource} data */
  constructor(data) {
    this.data = data;
    /** @type {?TreeNode} */
    this.variable = null;
    /** @type {!Array<!RunContext>} */
    this.runs = [];
    /** @type {!Array<number>} */
    this.steps = [];
    /** @type {?number} */
    this.step = null;
    // Whether the slider sits at the latest step, so it stays there when new
    // steps arrive.
    this.followLatest = true;
    /** @type {!Map<string, !RunPanel>} */
    this.panels = new Map();
    /** @type {!Map<string, ?Stats>} */
    this.stats = new Map();
    this.latest = new Latest();

    this.header = h('div', {class: 'tbw-var-header', testid: 'variable-header'});
    this.slider = /** @type {!HTMLInputElement} */ (
      h('input', {type: 'range', class: 'tbw-step-slider', testid: 'step-slider', min: '0', max: '0', step: '1', 'aria-label': 'Step'})
    );
    this.stepValue = h('span', {class: 'tbw-step-value', testid: 'step-value'});
    this.stepRange = h('span', {class: 'tbw-muted tbw-step-range'});
    this.slider.addEventListener('input', () => this.setStep(this.steps[Number(this.slider.value)]));
    this.scaleMode = 'tensor';
    this.scaleSelect = /** @type {!HTMLSelectElement} */ (
      h(
        'select',
        {class: 'tbw-select', testid: 'scale-mode', 'aria-label': 'Colour scale of the heat maps'},
        SCALE_MODES.map(({value, label}) => h('option', {value, text: label})),
      )
    );
    this.scaleSelect.addEventListener('change', () => {
      this.scaleMode = this.scaleSelect.value;
      this.redrawPanels();
    });
    this.scaleControl = h(
      'label',
      {class: 'tbw-scale-control', title: 'How heat map colours map to values'},
      h('span', {class: 'tbw-muted', text: 'Colour scale'}),
      this.scaleSelect,
    );
    this.resolution = 'fit';
    this.resolutionSelect = /** @type {!HTMLSelectElement} */ (
      h(
        'select',
        {class: 'tbw-select', testid: 'resolution-mode', 'aria-label': 'Cells of the heat maps'},
        RESOLUTION_MODES.map(({value, label}) => h('option', {value, text: label})),
      )
    );
    this.resolutionSelect.addEventListener('change', () => {
      this.resolution = this.resolutionSelect.value;
      this.refresh();
    });
    this.resolutionControl = h(
      'label',
      {class: 'tbw-scale-control', title: 'Block means that fit the panel, or every element (scrolls)'},
      h('span', {class: 'tbw-muted', text: 'Cells'}),
      this.resolutionSelect,
    );
    this.stepBar = h(
      'div',
      {class: 'tbw-stepbar', testid: 'step-bar'},
      h('label', {class: 'tbw-stepbar-label', text: 'Step'}),
      this.slider,
      this.stepValue,
      this.stepRange,
      h('span', {class: 'tbw-spacer'}),
      this.resolutionControl,
      this.scaleControl,
    );
    this.panelRow = h('div', {class: 'tbw-panels', testid: 'panels'});
    this.statsView = new StatsView((step) => this.setStep(step));
    this.content = h('div', {class: 'tbw-variable'}, this.header, this.stepBar, this.panelRow, this.statsView.element);
    this.element = h('div', {class: 'tbw-main-inner', testid: 'main'});

    // Redraw when the width changes (window resize, sidebar resize).
    let lastWidth = 0;
    let timer = 0;
    new ResizeObserver(() => {
      const width = this.element.clientWidth;
      if (Math.abs(width - lastWidth) < 8) return;
      lastWidth = width;
      clearTimeout(timer);
      timer = setTimeout(() => {
        if (this.variable && this.element.contains(this.content)) {
          this.layoutPanels();
          this.refresh();
        }
      }, 120);
    }).observe(this.element);
  }

  /**
   * Shows a message instead of a variable (no runs, nothing selected, ...).
   * @param {!HTMLElement} content
   */
  showMessage(content) {
    this.latest.next();
    this.variable = null;
    replace(this.element, content);
  }

  /**
   * Shows the overview shown while no variable is selected.
   * @param {?Tree} tree  The tree of the first selected run, when loaded.
   */
  showOverview(tree) {
    const models = tree ? tree.models : [];
    this.showMessage(
      h(
        'div',
        {class: 'tbw-overview', testid: 'overview'},
        message('No variable selected', 'Select a variable in the layer tree on the left to see its values, statistics and histogram.'),
        models.length
          ? h(
              'div',
              {class: 'tbw-overview-models'},
              models.map((model) =>
                h(
                  'div',
                  {class: 'tbw-card tbw-overview-model'},
                  h('div', {class: 'tbw-overview-name'}, h('strong', {text: model.name}), ' ', h('span', {class: 'tbw-muted', text: model.class_name || ''})),
                  h('div', {text: `${plural(model.parameter_count || 0, 'parameter')} (${formatCompact(model.parameter_count || 0)})`}),
                  h('div', {class: 'tbw-muted', text: `${formatCount(model.trainable_parameter_count || 0)} trainable · ${formatCount((model.parameter_count || 0) - (model.trainable_parameter_count || 0))} non-trainable`}),
                  h('div', {class: 'tbw-muted', text: `${tree ? `run ${tree.run}, step ${tree.step}` : ''}`}),
                ),
              ),
            )
          : null,
      ),
    );
  }

  /**
   * Shows a variable for the selected runs.
   * @param {!TreeNode} variable  A variable node.
   * @param {!Array<!RunContext>} runs  The selected runs, at least one.
   */
  show(variable, runs) {
    const sameVariable = this.variable && this.variable.path === variable.path;
    this.variable = variable;
    this.runs = runs;
    if (!this.element.contains(this.content)) replace(this.element, this.content);
    if (!sameVariable) this.stats.clear();
    this.renderHeader();
    this.setSteps([...new Set(runs.flatMap((r) => r.steps))].sort((a, b) => a - b));

    // Keep the panels of runs still selected, in the order of `runs`.
    const panels = new Map();
    for (const context of runs) {
      const old = this.panels.get(context.run);
      panels.set(context.run, old && sameVariable && old.context.color === context.color ? old : new RunPanel(context));
    }
    this.panels = panels;
    this.panelRow.replaceChildren(...[...panels.values()].map((p) => p.element));
    this.layoutPanels();
    this.updateResolutionControl();
    this.refresh();
  }

  /** The header: path, shape, dtype, trainable, parameter count. */
  renderHeader() {
    const v = /** @type {!TreeNode} */ (this.variable);
    const shape = v.shape || [];
    const facts = [
      h('span', {class: 'tbw-fact', testid: 'variable-shape', text: formatShape(shape)}),
      h('span', {class: 'tbw-fact', text: v.dtype || ''}),
      h('span', {class: `tbw-fact tbw-badge ${v.trainable ? 'tbw-badge-trainable' : 'tbw-badge-frozen'}`, text: v.trainable ? 'trainable' : 'non-trainable'}),
      h('span', {class: 'tbw-fact', text: plural(v.parameter_count || 0, 'parameter')}),
    ];
    if (v.variable_name && v.variable_name !== v.path) {
      facts.push(h('span', {class: 'tbw-fact tbw-muted', title: 'the name the framework gives this variable', text: v.variable_name}));
    }
    const view = viewShapeOf(shape);
    this.scaleControl.hidden = view.length !== 2 || view[0] * view[1] <= 1;
    replace(
      this.header,
      h('h2', {class: 'tbw-var-path', testid: 'variable-path', text: v.path}),
      h('div', {class: 'tbw-var-facts'}, facts),
    );
  }

  /**
   * Sets the slider's steps, keeping the chosen step where possible.
   * @param {!Array<number>} steps  Ascending.
   */
  setSteps(steps) {
    this.steps = steps;
    if (!steps.length) {
      this.step = null;
    } else if (this.step === null || this.followLatest) {
      this.step = steps[steps.length - 1];
    } else {
      this.step = latestAtOrBefore(steps, this.step) ?? steps[0];
    }
    this.slider.max = String(Math.max(0, steps.length - 1));
    this.slider.disabled = steps.length <= 1;
    this.syncSlider();
    this.stepRange.textContent = steps.length
      ? `${steps.length} logged step${steps.length === 1 ? '' : 's'}, ${steps[0]}–${steps[steps.length - 1]}`
      : 'no logged steps';
  }

  /** Puts the slider and the step read-out on the chosen step. */
  syncSlider() {
    const index = this.step === null ? 0 : Math.max(0, this.steps.indexOf(this.step));
    this.slider.value = String(index);
    this.stepValue.textContent = this.step === null ? '–' : String(this.step);
    this.slider.setAttribute('aria-valuetext', `step ${this.step}`);
  }

  /**
   * Chooses the step; only tensors are fetched again.
   * @param {number} step  One of the slider's steps.
   */
  setStep(step) {
    if (step === undefined || step === this.step) return;
    this.step = step;
    this.followLatest = step === this.steps[this.steps.length - 1];
    this.syncSlider();
    this.refresh();
  }

  /**
   * Offers the choice of cells for 2-D views when it makes a difference: a
   * panel shows block means, or every element was asked for.
   */
  updateResolutionControl() {
    const view = viewShapeOf((this.variable && this.variable.shape) || []);
    const reduced = [...this.panels.values()].some((panel) => panel.shown && panel.shown.tensor.downsampled);
    this.resolutionControl.hidden = view.length !== 2 || !(reduced || this.resolution === 'full');
  }

  /** Sizes the panels: side by side when there is room. */
  layoutPanels() {
    const width = this.panelRow.clientWidth || 900;
    const n = Math.max(1, this.panels.size);
    const perRow = Math.min(n, Math.max(1, Math.floor((width + PANEL_GAP) / (PANEL_MIN_WIDTH + PANEL_GAP))));
    const panelWidth = Math.floor((width - PANEL_GAP * (perRow - 1)) / perRow);
    for (const panel of this.panels.values()) panel.setWidth(panelWidth);
    this.box = {
      maxWidth: panelWidth - PANEL_CHROME,
      maxHeight: Math.max(200, Math.min(440, window.innerHeight - 330)),
    };
  }

  /**
   * How many cells to ask the server for, so that a heat map cell gets at
   * least two pixels. The server keeps the view's aspect ratio when it
   * reduces, so the budget follows the axis that needs the most reduction,
   * but a skinny view (an embedding table) keeps a few columns and grows
   * taller instead of collapsing to one column.
   * @return {number}
   */
  fitCells() {
    const shape = viewShapeOf((this.variable && this.variable.shape) || []);
    const box = this.box || {maxWidth: 500, maxHeight: 360};
    if (shape.length === 0) return 1;
    if (shape.length === 1) return 16384;
    const [rows, columns] = shape;
    const fitRows = Math.max(1, Math.floor(box.maxHeight / 2));
    const fitColumns = Math.max(1, Math.floor(box.maxWidth / 2));
    let factor = Math.max(1, rows / fitRows, columns / fitColumns);
    factor = Math.min(factor, Math.max(1, Math.min(rows, columns) / 16));
    return Math.max(1, Math.min(MAX_CELLS, Math.floor((rows * columns) / (factor * factor))));
  }

  /**
   * How many cells to ask the server for under the resolution mode.
   * @return {number}
   */
  maxCells() {
    const shape = viewShapeOf((this.variable && this.variable.shape) || []);
    if (this.resolution === 'full' && shape.length === 2) {
      return Math.max(1, Math.min(SERVER_MAX_CELLS, shape[0] * shape[1]));
    }
    return this.fitCells();
  }

  /**
   * Loads what the chosen step needs and fills the panels and charts. Answers
   * that arrive after a newer refresh started are dropped.
   */
  refresh() {
    const variable = this.variable;
    const step = this.step;
    if (!variable || step === null) return;
    const isCurrent = this.latest.next();
    const statsTag = /** @type {string} */ (variable.statistics_tag);
    const tensorTag = /** @type {string} */ (variable.tensor_tag);
    const maxCells = this.maxCells();
    const box = /** @type {{maxWidth: number, maxHeight: number}} */ (this.box);
    this.drawStats();
    for (const [run, panel] of this.panels) {
      (async () => {
        let stats;
        try {
          stats = await this.data.getStats(run, statsTag);
        } catch (e) {
          if (!isCurrent()) return;
          this.stats.set(run, null);
          panel.showMessage(this.errorMessage(e, run));
          return;
        }
        if (!isCurrent()) return;
        if (this.stats.get(run) !== stats) {
          this.stats.set(run, stats);
          this.drawStats();
        }
        const statsStep = latestAtOrBefore(stats.steps, step);
        const runStep = latestAtOrBefore(stats.tensor_steps, step);
        if (statsStep === null && runStep === null) {
          panel.showMessage(message(`Not logged yet at step ${step}`, `${run} first logged ${variable.path} at step ${stats.steps[0] ?? stats.tensor_steps[0]}.`));
          return;
        }
        if (runStep === null) {
          const next = stats.tensor_steps.find((s) => s > step);
          panel.showMessage(
            message(
              `No tensor at or before step ${step}`,
              `${run} logged only statistics of ${variable.path} up to here (latest at step ${statsStep}); ` +
                (next === undefined ? 'it logged no full tensor of it.' : `its first full tensor is at step ${next}.`),
            ),
            `statistics at step ${statsStep}`,
          );
          return;
        }
        panel.setLoading(runStep, step);
        let tensor;
        try {
          tensor = await this.data.getTensor(run, tensorTag, runStep, maxCells);
        } catch (e) {
          if (!isCurrent()) return;
          panel.showMessage(this.errorMessage(e, run), `step ${runStep}`);
          return;
        }
        if (!isCurrent()) return;
        panel.shown = {tensor, chosen: step, statsStep, box, href: this.data.npyUrl(run, tensorTag, runStep), stats};
        if (this.scaleMode === 'shared') this.redrawPanels();
        else panel.showTensor(panel.shown, this.scaleOf(tensor));
        this.updateResolutionControl();
      })();
    }
  }

  /**
   * The colour scale of a tensor's heat map under the current mode.
   * @param {!Tensor} tensor
   * @return {number}
   */
  scaleOf(tensor) {
    if (this.scaleMode === 'shown') return shownScale(tensor);
    if (this.scaleMode === 'shared') {
      let scale = 0;
      for (const panel of this.panels.values()) {
        if (!panel.shown) continue;
        const {min, max} = panel.shown.tensor;
        if (min !== null && max !== null) scale = Math.max(scale, Math.abs(min), Math.abs(max));
      }
      if (scale > 0 && Number.isFinite(scale)) return scale;
    }
    return symmetricScale(tensor.min, tensor.max);
  }

  /** Redraws the panels that show a tensor, e.g. for a new colour scale. */
  redrawPanels() {
    for (const panel of this.panels.values()) {
      if (panel.shown) panel.showTensor(panel.shown, this.scaleOf(panel.shown.tensor));
    }
  }

  /** Redraws the statistics with the runs' statistics loaded so far. */
  drawStats() {
    const step = /** @type {number} */ (this.step);
    this.statsView.update(
      [...this.panels.keys()].map((run) => {
        const stats = this.stats.get(run) || null;
        return {
          run,
          color: /** @type {!RunPanel} */ (this.panels.get(run)).context.color,
          stats,
          step: stats ? latestAtOrBefore(stats.steps, step) : null,
        };
      }),
      step,
    );
  }

  /**
   * The message of a failed request; a 404 means the run lacks the variable.
   * @param {*} error
   * @param {string} run
   * @return {!HTMLElement}
   */
  errorMessage(error, run) {
    const text = error instanceof Error ? error.message : String(error);
    if (error instanceof ApiError && error.status === 404) {
      return message(`Not in ${run}`, `This run has no variable ${this.variable ? this.variable.path : ''}. (${text})`);
    }
    return message('Could not load', text, 'error');
  }
}
