// The main area: the selected variable's header, the step slider, the view
// options (slice, comparison, colours, zoom), one tensor panel per selected
// run, and the statistics.

import {h, message, replace} from './dom.js';
import {ApiError, Latest, tensorUrl} from './data.js';
import {formatShape, plural} from './format.js';
import {StatsView} from './stats_view.js';
import {SCALE_KINDS, makeScale} from './colormap.js';
import {RunPanel} from './run_panel.js';
import {
  axisNames,
  createSliceControls,
  defaultSlice,
  describeSlice,
  formatIndex,
  formatSlice,
  parseSlice,
  sliceFileLabel,
  sliceOptions,
  tileAxes,
} from './slice_controls.js';
import {DEFAULT_TILE_CELL, filterLayout, tilesThatFit, wrapColumns} from './filter_grid.js';
import {ZOOM_STEP} from './heatmap.js';
import {
  cellsToRequest,
  clampWindow,
  formatWindow,
  isWhole,
  minimumWindow,
  panWindow,
  parseWindow,
  viewSize,
  wholeWindow,
  zoomWindow,
} from './zoom.js';

/** @typedef {import('./data.js').TreeNode} TreeNode */
/** @typedef {import('./data.js').Tree} Tree */
/** @typedef {import('./data.js').Tensor} Tensor */
/** @typedef {import('./data.js').Stats} Stats */
/** @typedef {import('./data.js').SliceOptions} SliceOptions */
/** @typedef {import('./run_panel.js').RunContext} RunContext */
/** @typedef {import('./run_panel.js').Download} Download */
/** @typedef {import('./slice_controls.js').Slice} Slice */
/** @typedef {import('./zoom.js').Window} Window */

/**
 * The data functions the view calls (the data.js module).
 * @typedef {{
 *   getStats: function(string, string): !Promise<!Stats>,
 *   getTensor: function(string, string, number, !SliceOptions): !Promise<!Tensor>,
 *   getRuns: function(): !Promise<!Array<{run: string}>>,
 * }}
 */
export let DataSource;

/** @type {!Array<{value: string, label: string}>} */
const SCALE_KIND_OPTIONS = [
  {value: 'diverging', label: 'diverging around 0'},
  {value: 'sequential', label: 'sequential'},
  {value: 'symlog', label: 'symlog around 0'},
];

/**
 * Where the colour range comes from: the shown step's selection, the run's
 * extremes over all logged steps (so change over time shows instead of
 * being rescaled away), or the widest range of the shown runs.
 * @type {!Array<{value: string, label: string, note: string}>}
 */
const RANGE_MODES = [
  {value: 'step', label: 'this step', note: 'colour range: this step'},
  {value: 'steps', label: 'fixed across all steps', note: 'colour range: fixed across all logged steps'},
  {value: 'runs', label: 'shared by the shown runs', note: 'colour range: shared by the shown runs'},
];

/** @type {!Array<{value: string, label: string}>} */
const COMPARE_MODES = [
  {value: 'off', label: 'off'},
  {value: 'step', label: 'step − step'},
  {value: 'run', label: 'run − run'},
];

/** @type {!Array<{value: string, label: string}>} */
const DOWNSAMPLE_METHODS = [
  {value: 'mean', label: 'block mean'},
  {value: 'max_abs', label: 'block max-abs'},
];

const PANEL_MIN_WIDTH = 320;
const PANEL_GAP = 12;
// Panel padding and border, horizontally.
const PANEL_CHROME = 26;
// The most values a 1-D selection or a filter-grid window asks for.
const MAX_PLOT_VALUES = 16384;
const MAX_FILTER_VALUES = 262144;
// Zoom and pan ask for new values once the user pauses this long.
const ZOOM_DEBOUNCE_MS = 120;

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
 * A labelled select.
 * @param {string} testid
 * @param {string} label
 * @param {!Array<{value: string, label: string}>} options
 * @param {string} title
 * @return {{element: !HTMLElement, select: !HTMLSelectElement}}
 */
function labelledSelect(testid, label, options, title) {
  const select = /** @type {!HTMLSelectElement} */ (
    h('select', {class: 'tbw-select', testid, 'aria-label': label}, options.map((o) => h('option', {value: o.value, text: o.label})))
  );
  return {element: h('label', {class: 'tbw-scale-control', title}, h('span', {class: 'tbw-muted', text: label}), select), select};
}

/**
 * Replaces a select's options, keeping `value` chosen.
 * @param {!HTMLSelectElement} select
 * @param {!Array<string>} values
 * @param {string} value
 */
function setOptions(select, values, value) {
  select.replaceChildren(...values.map((v) => h('option', {value: v, text: v})));
  select.value = value;
}

/**
 * A name safe in a file name.
 * @param {string} text
 * @return {string}
 */
function fileSafe(text) {
  return text.replace(/[^\w.-]+/g, '_');
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
    /** @type {!Array<function(!Object<string, string>)>} */
    this.viewStateListeners = [];

    // View options, kept across variables.
    this.scaleKind = 'diverging';
    this.rangeMode = 'step';
    this.perTile = false;
    this.downsample = 'mean';
    this.compareMode = 'off';
    /** @type {?number} */
    this.baseStep = null;
    /** @type {?string} */
    this.baseRun = null;
    /** @type {!Array<string>} Every run, for the base run choice. */
    this.allRuns = [];
    // Of the shown variable: which slice and which window of it.
    /** @type {?Slice} */
    this.slice = null;
    /** @type {?Window} null: the whole selection (heat map), the first tiles that fit (filters). */
    this.window = null;
    /** @type {?Array<number>} A subsampled tensor's stored grid, which replaces its selection. */
    this.storedGrid = null;
    /** @type {?Object<string, string>} View state given before its variable was shown. */
    this.pendingState = null;
    this.zoomTimer = 0;

    this.header = h('div', {class: 'tbw-var-header', testid: 'variable-header'});
    this.slider = /** @type {!HTMLInputElement} */ (
      h('input', {type: 'range', class: 'tbw-step-slider', testid: 'step-slider', min: '0', max: '0', step: '1', 'aria-label': 'Step'})
    );
    this.stepValue = h('span', {class: 'tbw-step-value', testid: 'step-value'});
    this.stepRange = h('span', {class: 'tbw-muted tbw-step-range'});
    this.slider.addEventListener('input', () => {
      this.setStep(this.steps[Number(this.slider.value)]);
      this.notifyViewState();
    });
    this.stepBar = h(
      'div',
      {class: 'tbw-stepbar', testid: 'step-bar'},
      h('label', {class: 'tbw-stepbar-label', text: 'Step'}),
      this.slider,
      this.stepValue,
      this.stepRange,
    );

    this.buildOptionControls();
    this.sliceArea = h('div', {class: 'tbw-slice-area'});
    this.panelRow = h('div', {class: 'tbw-panels', testid: 'panels'});
    this.statsView = new StatsView((step) => {
      this.setStep(step);
      this.notifyViewState();
    });
    if (typeof this.statsView.onViewStateChange === 'function') {
      this.statsView.onViewStateChange(() => this.notifyViewState());
    }
    this.content = h(
      'div',
      {class: 'tbw-variable'},
      this.header,
      this.stepBar,
      this.optionBar,
      this.sliceArea,
      this.panelRow,
      this.statsView.element,
    );
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

  /** Builds the row of view options: comparison, colours, tiles, downsampling, zoom. */
  buildOptionControls() {
    const compare = labelledSelect('compare-mode', 'Compare', COMPARE_MODES, 'Show a difference: this step minus a base step, or this run minus a base run at the same step');
    this.compareSelect = compare.select;
    this.baseStepSelect = /** @type {!HTMLSelectElement} */ (h('select', {class: 'tbw-select', testid: 'base-step', 'aria-label': 'Base step'}));
    this.baseRunSelect = /** @type {!HTMLSelectElement} */ (h('select', {class: 'tbw-select', testid: 'base-run', 'aria-label': 'Base run'}));
    this.baseStepControl = h('label', {class: 'tbw-scale-control'}, h('span', {class: 'tbw-muted', text: 'minus step'}), this.baseStepSelect);
    this.baseRunControl = h('label', {class: 'tbw-scale-control'}, h('span', {class: 'tbw-muted', text: 'minus run'}), this.baseRunSelect);
    this.compareSelect.addEventListener('change', () => {
      this.compareMode = this.compareSelect.value;
      this.defaultBases();
      this.optionsChanged();
    });
    this.baseStepSelect.addEventListener('change', () => {
      this.baseStep = Number(this.baseStepSelect.value);
      this.optionsChanged();
    });
    this.baseRunSelect.addEventListener('change', () => {
      this.baseRun = this.baseRunSelect.value;
      this.optionsChanged();
    });

    const kind = labelledSelect('scale-kind', 'Colours', SCALE_KIND_OPTIONS, 'How values map to colours');
    this.kindSelect = kind.select;
    this.kindSelect.addEventListener('change', () => {
      this.scaleKind = this.kindSelect.value;
      this.redrawPanels();
      this.notifyViewState();
    });
    const range = labelledSelect('range-mode', 'Range', RANGE_MODES, 'Which values the ends of the colour scale stand for');
    this.rangeSelect = range.select;
    this.rangeSelect.addEventListener('change', () => {
      this.rangeMode = this.rangeSelect.value;
      this.redrawPanels();
      this.notifyViewState();
    });
    const tiles = labelledSelect(
      'tile-range',
      'Tiles',
      [
        {value: 'grid', label: 'one colour range for the grid'},
        {value: 'tile', label: 'one colour range per tile'},
      ],
      'Whether every filter tile shares the colour range or each tile uses its own',
    );
    this.tileRangeSelect = tiles.select;
    this.tileRangeControl = tiles.element;
    this.tileRangeSelect.addEventListener('change', () => {
      this.perTile = this.tileRangeSelect.value === 'tile';
      this.redrawPanels();
      this.notifyViewState();
    });
    const down = labelledSelect('downsample-method', 'Blocks', DOWNSAMPLE_METHODS, 'How a view larger than the panel is reduced: the mean of each block, or its element of largest magnitude');
    this.downsampleSelect = down.select;
    this.downsampleControl = down.element;
    this.downsampleSelect.addEventListener('change', () => {
      this.downsample = this.downsampleSelect.value;
      this.optionsChanged();
    });

    /** @param {string} text @param {string} testid @param {string} title @param {function()} action */
    const button = (text, testid, title, action) => h('button', {type: 'button', class: 'tbw-text-button tbw-zoom-button', testid, title, 'aria-label': title, text, onclick: action});
    this.zoomReadout = h('span', {class: 'tbw-muted tbw-zoom-readout', testid: 'zoom-readout'});
    this.zoomControl = h(
      'span',
      {class: 'tbw-zoom-control', title: 'Zoom with the wheel over a view, drag to pan'},
      h('span', {class: 'tbw-muted', text: 'Zoom'}),
      button('−', 'zoom-out', 'Zoom out', () => this.zoomBy(1 / ZOOM_STEP, [0.5, 0.5])),
      button('+', 'zoom-in', 'Zoom in', () => this.zoomBy(ZOOM_STEP, [0.5, 0.5])),
      button('Reset', 'zoom-reset', 'Show the whole selection', () => this.resetZoom()),
      this.zoomReadout,
    );
    this.optionBar = h(
      'div',
      {class: 'tbw-option-bar', testid: 'option-bar'},
      compare.element,
      this.baseStepControl,
      this.baseRunControl,
      kind.element,
      range.element,
      this.tileRangeControl,
      this.downsampleControl,
      this.zoomControl,
    );
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
   * Shows a variable for the selected runs.
   * @param {!TreeNode} variable  A variable node.
   * @param {!Array<!RunContext>} runs  The selected runs, at least one.
   */
  show(variable, runs) {
    const sameVariable = Boolean(this.variable && this.variable.path === variable.path);
    this.variable = variable;
    this.runs = runs;
    if (!this.element.contains(this.content)) replace(this.element, this.content);
    if (!sameVariable) {
      this.stats.clear();
      this.slice = defaultSlice(variable);
      this.window = null;
      this.storedGrid = null;
    }
    this.renderHeader();
    this.setSteps([...new Set(runs.flatMap((r) => r.steps))].sort((a, b) => a - b));
    if (this.pendingState) {
      const state = this.pendingState;
      this.pendingState = null;
      this.applyState(state);
    }
    this.loadRunNames();

    // Keep the panels of runs still selected, in the order of `runs`.
    const panels = new Map();
    for (const context of runs) {
      const old = this.panels.get(context.run);
      panels.set(context.run, old && sameVariable && old.context.color === context.color ? old : new RunPanel(context));
    }
    this.panels = panels;
    this.panelRow.replaceChildren(...[...panels.values()].map((p) => p.element));
    this.layoutPanels();
    this.renderSliceControls();
    this.syncOptionControls();
    this.refresh();
  }

  /** Loads the names of every run once, for the base run of run − run. */
  async loadRunNames() {
    if (this.allRuns.length || typeof this.data.getRuns !== 'function') return;
    try {
      this.allRuns = (await this.data.getRuns()).map((r) => r.run);
    } catch (e) {
      return;
    }
    this.syncOptionControls();
  }

  /** The header: path, shape with axis names, dtype, trainable, parameter count. */
  renderHeader() {
    const v = /** @type {!TreeNode} */ (this.variable);
    const shape = v.shape || [];
    const names = axisNames(v);
    const named = Array.isArray(v.axis_names) && shape.length > 0;
    const facts = [
      h('span', {class: 'tbw-fact', testid: 'variable-shape', text: formatShape(shape)}),
      named ? h('span', {class: 'tbw-fact tbw-muted', testid: 'axis-names', text: `[${names.join(', ')}]`}) : null,
      h('span', {class: 'tbw-fact', text: v.dtype || ''}),
      h('span', {class: `tbw-fact tbw-badge ${v.trainable ? 'tbw-badge-trainable' : 'tbw-badge-frozen'}`, text: v.trainable ? 'trainable' : 'non-trainable'}),
      h('span', {class: 'tbw-fact', text: plural(v.parameter_count || 0, 'parameter')}),
    ];
    if (v.variable_name && v.variable_name !== v.path) {
      facts.push(h('span', {class: 'tbw-fact tbw-muted', title: 'the name the framework gives this variable', text: v.variable_name}));
    }
    replace(this.header, h('h2', {class: 'tbw-var-path', testid: 'variable-path', text: v.path}), h('div', {class: 'tbw-var-facts'}, facts));
  }

  /** Rebuilds the axis pickers, sliders and reductions of the slice. */
  renderSliceControls() {
    const v = this.variable;
    if (!v || !this.slice) return;
    replace(
      this.sliceArea,
      createSliceControls(v, this.slice, (slice) => {
        const structural =
          !this.slice ||
          slice.layout !== this.slice.layout ||
          slice.axes.join() !== this.slice.axes.join() ||
          slice.picks.some((p, k) => typeof p !== typeof /** @type {!Slice} */ (this.slice).picks[k]);
        const axesChanged = !this.slice || slice.layout !== this.slice.layout || slice.axes.join() !== this.slice.axes.join();
        this.slice = slice;
        if (axesChanged) this.window = null;
        // Sliders keep their controls (and focus) while they move.
        if (structural) this.renderSliceControls();
        this.syncOptionControls();
        this.refresh();
        this.notifyViewState();
      }),
    );
  }

  /** Shows the option controls that apply and puts them on the current values. */
  syncOptionControls() {
    this.compareSelect.value = this.compareMode;
    this.baseStepControl.hidden = this.compareMode !== 'step';
    this.baseRunControl.hidden = this.compareMode !== 'run';
    setOptions(this.baseStepSelect, this.steps.map(String), this.baseStep === null ? '' : String(this.baseStep));
    const runNames = [...new Set([...this.runs.map((r) => r.run), ...this.allRuns])];
    setOptions(this.baseRunSelect, runNames, this.baseRun || '');
    this.kindSelect.value = this.scaleKind;
    this.rangeSelect.value = this.rangeMode;
    this.tileRangeSelect.value = this.perTile ? 'tile' : 'grid';
    this.downsampleSelect.value = this.downsample;
    const layout = this.slice ? this.slice.layout : 'heatmap';
    const twoD = this.slice !== null && (layout === 'filters' || this.slice.axes.length === 2);
    this.tileRangeControl.hidden = layout !== 'filters';
    this.downsampleControl.hidden = !(twoD && layout === 'heatmap') && this.slice !== null && this.slice.axes.length !== 1;
    this.zoomControl.hidden = !twoD || this.isWrappedStrip();
    this.updateZoomReadout();
  }

  /** Picks base step and base run when the comparison needs them. */
  defaultBases() {
    if (this.compareMode === 'step' && (this.baseStep === null || !this.steps.includes(this.baseStep))) {
      const i = this.step === null ? 0 : this.steps.indexOf(this.step);
      this.baseStep = this.steps[Math.max(0, i - 1)] ?? null;
    }
    if (this.compareMode === 'run' && !this.baseRun && this.runs.length) {
      this.baseRun = this.runs[0].run;
    }
  }

  /** After an option that changes the values asked for: fetch again. */
  optionsChanged() {
    this.syncOptionControls();
    this.refresh();
    this.notifyViewState();
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

  /** Sizes the panels: side by side when there is room. */
  layoutPanels() {
    const width = this.panelRow.clientWidth || 900;
    const n = Math.max(1, this.panels.size);
    const perRow = Math.min(n, Math.max(1, Math.floor((width + PANEL_GAP) / (PANEL_MIN_WIDTH + PANEL_GAP))));
    const panelWidth = Math.floor((width - PANEL_GAP * (perRow - 1)) / perRow);
    for (const panel of this.panels.values()) panel.setWidth(panelWidth);
    this.box = {
      maxWidth: panelWidth - PANEL_CHROME,
      maxHeight: Math.max(200, Math.min(440, window.innerHeight - 360)),
    };
  }

  // Zoom and pan ---------------------------------------------------------

  /**
   * The shape the shown slice selects, before any window: `[rows, columns]`
   * of a heat map or of a filter grid's tiles, `[n]` for 1-D, `[]` for a
   * value.
   * @return {!Array<number>}
   */
  selectionShape() {
    if (this.storedGrid) return this.storedGrid;
    const shape = (this.variable && this.variable.shape) || [];
    return this.slice ? this.slice.axes.map((k) => shape[k]) : [];
  }

  /**
   * `[height, width]` of a filter tile (a 1-D kernel's tile is `k × 1`).
   * @return {!Array<number>}
   */
  tileShape() {
    const shape = /** @type {!TreeNode} */ (this.variable).shape || [];
    const tiles = tileAxes(/** @type {!TreeNode} */ (this.variable), /** @type {!Slice} */ (this.slice)).map((k) => shape[k]);
    return tiles.length === 1 ? [tiles[0], 1] : tiles;
  }

  /**
   * Whether the filter grid is a strip wrapped into rows: one grid row or
   * one grid column of more than one tile (a depthwise kernel with
   * multiplier 1, a convolution over one input channel) that, wrapped,
   * fits the panel at {@link DEFAULT_TILE_CELL} pixels per element or more.
   * A wrapped strip shows every tile and does not zoom; a longer strip
   * keeps the windowed, zoomable grid.
   * @return {boolean}
   */
  isWrappedStrip() {
    if (!this.variable || !this.slice || this.slice.layout !== 'filters' || this.storedGrid) return false;
    const shape = this.selectionShape();
    if (shape.length !== 2 || Math.min(...shape) !== 1 || Math.max(...shape) < 2) return false;
    const tile = this.tileShape();
    const count = shape[0] * shape[1];
    if (count * tile[0] * tile[1] > MAX_FILTER_VALUES) return false;
    const box = this.box || {maxWidth: 500, maxHeight: 360};
    const columns = wrapColumns(count, tile, box);
    const layout = filterLayout([Math.ceil(count / columns), columns], tile, box);
    return layout.cell >= DEFAULT_TILE_CELL && layout.height <= box.maxHeight;
  }

  /**
   * The most tiles of the grid a filter view shows at once.
   * @return {!Array<number>}
   */
  filterCapacity() {
    const box = this.box || {maxWidth: 500, maxHeight: 360};
    return tilesThatFit(this.selectionShape(), this.tileShape(), box, MAX_FILTER_VALUES);
  }

  /**
   * The window to show: the chosen one, or by default the whole selection
   * (heat map) or the first tiles that fit (filter grid).
   * @return {!Window}
   */
  currentWindow() {
    const shape = this.selectionShape();
    if (this.isWrappedStrip()) return wholeWindow(shape);
    if (this.slice && this.slice.layout === 'filters') {
      const [rows, columns] = this.filterCapacity();
      const box = this.box || {maxWidth: 500, maxHeight: 360};
      const first = tilesThatFit(shape, this.tileShape(), box, MAX_FILTER_VALUES, DEFAULT_TILE_CELL);
      const base = this.window ? clampWindow(this.window, shape) : {rows: [0, first[0]], columns: [0, first[1]]};
      return {
        rows: [base.rows[0], Math.min(base.rows[1], base.rows[0] + rows)],
        columns: [base.columns[0], Math.min(base.columns[1], base.columns[0] + columns)],
      };
    }
    return this.window ? clampWindow(this.window, shape) : wholeWindow(shape);
  }

  /**
   * CSS size of a heat map of the current selection.
   * @return {{width: number, height: number}}
   */
  heatmapSize() {
    const box = this.box || {maxWidth: 500, maxHeight: 360};
    return viewSize(this.selectionShape(), box.maxWidth, box.maxHeight);
  }

  /**
   * Zooms every panel's view around an anchor.
   * @param {number} factor  > 1 zooms in.
   * @param {!Array<number>} anchor  `[row, column]` fractions of the view.
   */
  zoomBy(factor, anchor) {
    if (!this.slice) return;
    const shape = this.selectionShape();
    if (shape.length !== 2 || this.isWrappedStrip()) return;
    if (this.slice.layout === 'filters') {
      const capacity = this.filterCapacity();
      const next = zoomWindow(this.currentWindow(), shape, factor, anchor, [1, 1]);
      this.setWindow({
        rows: [next.rows[0], Math.min(next.rows[1], next.rows[0] + capacity[0])],
        columns: [next.columns[0], Math.min(next.columns[1], next.columns[0] + capacity[1])],
      });
      return;
    }
    const size = this.heatmapSize();
    this.setWindow(zoomWindow(this.currentWindow(), shape, factor, anchor, minimumWindow(size.width, size.height)));
  }

  /**
   * Pans every panel's view by whole cells (tiles of a filter grid).
   * @param {number} rows
   * @param {number} columns
   */
  panBy(rows, columns) {
    if (this.selectionShape().length !== 2 || this.isWrappedStrip()) return;
    this.setWindow(panWindow(this.currentWindow(), this.selectionShape(), rows, columns));
  }

  /** Back to the whole selection. */
  resetZoom() {
    this.setWindow(null);
  }

  /**
   * Sets the window: panels move their picture at once and ask for the new
   * window's values when the user pauses.
   * @param {?Window} window
   */
  setWindow(window) {
    const shape = this.selectionShape();
    const next = window && !(this.slice && this.slice.layout === 'heatmap' && isWhole(window, shape)) ? window : null;
    if (JSON.stringify(next) === JSON.stringify(this.window)) return;
    this.window = next;
    const shown = this.currentWindow();
    if (this.slice && this.slice.layout === 'heatmap') {
      for (const panel of this.panels.values()) panel.preview(shown);
    }
    this.updateZoomReadout();
    clearTimeout(this.zoomTimer);
    this.zoomTimer = setTimeout(() => this.refresh(), ZOOM_DEBOUNCE_MS);
    this.notifyViewState();
  }

  /** Says which rows and columns (or tiles) the views show. */
  updateZoomReadout() {
    const shape = this.selectionShape();
    if (!this.variable || !this.slice || shape.length !== 2) {
      this.zoomReadout.textContent = '';
      return;
    }
    const names = axisNames(this.variable);
    const w = this.currentWindow();
    /** @param {!Array<number>} range @param {number} size @param {string} name */
    const part = (range, size, name) => (range[0] === 0 && range[1] === size ? `all ${size} ${name}` : `${name} ${range[0]}–${range[1] - 1} of ${size}`);
    const [rowName, columnName] = this.storedGrid ? ['rows', 'columns'] : this.slice.axes.map((k) => names[k]);
    const tiles = this.slice.layout === 'filters' ? 'tiles: ' : '';
    this.zoomReadout.textContent = `${tiles}${part(w.rows, shape[0], rowName)} × ${part(w.columns, shape[1], columnName)}`;
  }

  // Requests ---------------------------------------------------------------

  /**
   * What to ask the server for a run's panel: the slice, its window and
   * cell budget, the downsampling and the comparison.
   * @param {!Stats} stats  The run's statistics of the variable.
   * @return {!SliceOptions}
   */
  requestOptions(stats) {
    const v = /** @type {!TreeNode} */ (this.variable);
    const slice = /** @type {!Slice} */ (this.slice);
    /** @type {!SliceOptions} */
    const options = sliceOptions(v, slice);
    if (this.compareMode === 'step' && this.baseStep !== null) {
      options.base_step = latestAtOrBefore(stats.tensor_steps, this.baseStep) ?? this.baseStep;
    }
    if (this.compareMode === 'run' && this.baseRun) options.base_run = this.baseRun;
    const shape = this.selectionShape();
    if (slice.layout === 'filters') {
      const w = this.currentWindow();
      const [th, tw] = this.tileShape();
      options.rows = w.rows;
      options.columns = w.columns;
      options.max_cells = Math.max(1, (w.rows[1] - w.rows[0]) * (w.columns[1] - w.columns[0]) * th * tw);
    } else if (shape.length === 2) {
      const w = this.currentWindow();
      const size = this.heatmapSize();
      if (!isWhole(w, shape)) {
        options.rows = w.rows;
        options.columns = w.columns;
      }
      options.max_cells = cellsToRequest(w, size.width, size.height);
      options.downsample = this.downsample;
    } else if (shape.length === 1) {
      options.max_cells = MAX_PLOT_VALUES;
      options.downsample = this.downsample;
    }
    return options;
  }

  /**
   * The title of a run's panel: the run, or the difference shown.
   * @param {string} run
   * @param {!Tensor} tensor
   * @return {string}
   */
  panelTitle(run, tensor) {
    const diff = tensor.diff;
    if (!diff) return run;
    if (diff.base_run && diff.base_run !== run) return `${run} − ${diff.base_run}`;
    if (diff.base_step !== null && diff.base_step !== undefined && diff.base_step !== tensor.step) {
      return `${run}: step ${tensor.step} − step ${diff.base_step}`;
    }
    return `${run} − ${diff.base_run || run}`;
  }

  /**
   * The downloads of a panel: the whole tensor and the shown slice (its
   * window at full resolution), as `.npy` and `.csv`.
   * @param {string} run
   * @param {number} step
   * @param {!SliceOptions} options
   * @return {!Array<!Download>}
   */
  downloads(run, step, options) {
    const v = /** @type {!TreeNode} */ (this.variable);
    const tag = /** @type {string} */ (v.tensor_tag);
    const base = `${fileSafe(run)}.${fileSafe(v.path.replace(/\//g, '.'))}.step${step}`;
    let label = sliceFileLabel(v, /** @type {!Slice} */ (this.slice));
    if (options.rows) label += `.rows${options.rows[0]}-${options.rows[1]}`;
    if (options.columns) label += `.columns${options.columns[0]}-${options.columns[1]}`;
    if (options.base_run) label += `.minus_${fileSafe(options.base_run)}`;
    if (options.base_step !== undefined && options.base_step !== null) label += `.minus_step${options.base_step}`;
    const diff = options.base_run || (options.base_step !== undefined && options.base_step !== null);
    /** @type {!Array<!Download>} */
    const files = [];
    for (const format of ['npy', 'csv']) {
      files.push({
        kind: `whole-${format}`,
        text: `.${format}`,
        href: tensorUrl(run, tag, step, format),
        name: `${base}.${format}`,
        title: `Download the whole logged tensor at step ${step} as .${format}`,
      });
    }
    for (const format of ['npy', 'csv']) {
      files.push({
        kind: `slice-${format}`,
        text: `slice .${format}`,
        href: tensorUrl(run, tag, step, format, options),
        name: `${base}.${label}.${format}`,
        title: `Download the shown ${diff ? 'difference' : 'slice'} (${describeSlice(v, /** @type {!Slice} */ (this.slice))}, every element of the window) as .${format}`,
      });
    }
    return files;
  }

  /**
   * Loads what the chosen step needs and fills the panels and charts. Answers
   * that arrive after a newer refresh started are dropped.
   */
  refresh() {
    const variable = this.variable;
    const step = this.step;
    if (!variable || step === null || !this.slice) return;
    clearTimeout(this.zoomTimer);
    const isCurrent = this.latest.next();
    const statsTag = /** @type {string} */ (variable.statistics_tag);
    const tensorTag = /** @type {string} */ (variable.tensor_tag);
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
        const options = this.requestOptions(stats);
        let tensor;
        try {
          tensor = await this.data.getTensor(run, tensorTag, runStep, options);
        } catch (e) {
          if (!isCurrent()) return;
          const comparing = options.base_run || (options.base_step !== undefined && options.base_step !== null);
          const title = options.base_run ? `${run} − ${options.base_run}` : comparing ? `${run}: step ${runStep} − step ${options.base_step}` : run;
          panel.showMessage(
            comparing && e instanceof ApiError && e.status === 400 ? message('Cannot compare', e.message, 'error') : this.errorMessage(e, run),
            `step ${runStep}`,
            title,
          );
          return;
        }
        if (!isCurrent()) return;
        if (tensor.sliced === false && tensor.selection_shape && !this.storedGrid) {
          // A subsample has only its stored grid: zoom in that grid.
          this.storedGrid = tensor.selection_shape.slice(0, 2);
          this.updateZoomReadout();
        }
        panel.shown = {
          tensor,
          chosen: step,
          statsStep,
          stats,
          title: this.panelTitle(run, tensor),
          downloads: this.downloads(run, runStep, options),
        };
        if (this.rangeMode === 'runs') this.redrawPanels();
        else this.drawPanel(panel);
      })();
    }
  }

  // Drawing ----------------------------------------------------------------

  /**
   * The finite range of the values a panel's colours should span under the
   * range mode, and what it is.
   * @param {!RunPanel} panel  A panel that shows a tensor.
   * @return {{min: ?number, max: ?number, note: string}}
   */
  colorRange(panel) {
    const {tensor, stats} = /** @type {!Object} */ (panel.shown);
    /** @param {!Tensor} t @return {!Array<?number>} */
    const own = (t) => (t.selection_min !== undefined ? [t.selection_min, t.selection_max] : [t.min, t.max]);
    let [min, max] = own(tensor);
    const mode = RANGE_MODES.find((m) => m.value === this.rangeMode) || RANGE_MODES[0];
    /** @param {?number} lo @param {?number} hi */
    const widen = (lo, hi) => {
      if (lo !== null && Number.isFinite(lo)) min = min === null ? lo : Math.min(min, lo);
      if (hi !== null && Number.isFinite(hi)) max = max === null ? hi : Math.max(max, hi);
    };
    if (mode.value === 'steps') {
      if (tensor.diff) return {min, max, note: 'colour range: this step (a difference has no range over all steps)'};
      if (stats && stats.statistics.min && stats.statistics.max) {
        for (let k = 0; k < stats.steps.length; k++) widen(stats.statistics.min[k], stats.statistics.max[k]);
      }
    } else if (mode.value === 'runs') {
      for (const other of this.panels.values()) {
        if (other.shown) widen(...own(other.shown.tensor));
      }
    }
    if (this.perTile && tensor.layout === 'filters') return {min, max, note: 'colour range: one per tile (hover a tile for its range)'};
    return {min, max, note: mode.note};
  }

  /**
   * Draws one panel's tensor with the current colours.
   * @param {!RunPanel} panel
   */
  drawPanel(panel) {
    if (!panel.shown || !this.variable || !this.slice) return;
    const tensor = panel.shown.tensor;
    const range = this.colorRange(panel);
    const scale = makeScale(this.scaleKind, range.min, range.max);
    const box = this.box || {maxWidth: 500, maxHeight: 360};
    const size = tensor.selection_shape && tensor.values_shape.length === 2
      ? viewSize(tensor.selection_shape.slice(0, 2), box.maxWidth, box.maxHeight)
      : this.heatmapSize();
    const onZoom = (/** @type {number} */ factor, /** @type {!Array<number>} */ anchor) => this.zoomBy(factor, anchor);
    const onPan = (/** @type {number} */ rows, /** @type {number} */ columns) => this.panBy(rows, columns);
    panel.showTensor(panel.shown, {
      scale,
      rangeNote: range.note,
      box,
      heatmap: {width: size.width, height: size.height, describe: this.cellDescriber(tensor), onZoom, onPan},
      filters: {
        perTile: this.perTile,
        describe: this.tileDescriber(tensor),
        onZoom,
        onPan,
        wrap: this.isWrappedStrip() ? wrapColumns(tensor.values_shape[0] * tensor.values_shape[1], tensor.values_shape.slice(2), box) : undefined,
      },
    });
  }

  /**
   * The index text of a heat map cell of a tensor answer: the full tensor
   * index with axis names (`kh 0, kw 1, in 3, out 17`), `row, column` for an
   * unnamed matrix or a subsample's stored grid.
   * @param {!Tensor} tensor
   * @return {function(string, string): string}
   */
  cellDescriber(tensor) {
    const v = /** @type {!TreeNode} */ (this.variable);
    const slice = /** @type {!Slice} */ (this.slice);
    const named = Array.isArray(v.axis_names) && v.axis_names.length === (v.shape || []).length;
    if (tensor.sliced === false || (!named && (v.shape || []).length === 2 && slice.axes.join() === '0,1')) {
      return (row, column) => `row ${row}, column ${column}`;
    }
    return (row, column) => {
      const text = formatIndex(v, slice, {[slice.axes[0]]: row, [slice.axes[1]]: column});
      return named ? text : `index [${text.replace(/axis \d+ /g, '')}]`;
    };
  }

  /**
   * The index text of an element of a filter tile:
   * `kh 1, kw 2, in 3, out 17`.
   * @param {!Tensor} tensor
   * @return {function(number, number, number, number): string}
   */
  tileDescriber(tensor) {
    const v = /** @type {!TreeNode} */ (this.variable);
    const slice = /** @type {!Slice} */ (this.slice);
    const tiles = tileAxes(v, slice);
    const w = /** @type {!Object} */ (tensor.window || {rows: [0, 0], columns: [0, 0]});
    return (row, column, tileRow, tileColumn) => {
      /** @type {!Object<number, string>} */
      const shown = {[slice.axes[0]]: String(w.rows[0] + row), [slice.axes[1]]: String(w.columns[0] + column), [tiles[0]]: String(tileRow)};
      if (tiles.length > 1) shown[tiles[1]] = String(tileColumn);
      return formatIndex(v, slice, shown);
    };
  }

  /** Redraws the panels that show a tensor, e.g. for new colours. */
  redrawPanels() {
    for (const panel of this.panels.values()) this.drawPanel(panel);
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

  // View state for the URL -------------------------------------------------

  /**
   * The view's state as flat strings, for the URL: step, slice (`layout`,
   * `axes`, `other`), zoom `window` (`r0:r1,c0:c1`, empty for the default),
   * colours (`scale`, `range`, `tiles`), `downsample`, comparison (`diff`,
   * `base_step`, `base_run`), and the statistics view's state under `h.`.
   * @return {!Object<string, string>}
   */
  viewState() {
    /** @type {!Object<string, string>} */
    const state = {
      step: this.step === null ? '' : String(this.step),
      scale: this.scaleKind,
      range: this.rangeMode,
      tiles: this.perTile ? 'tile' : 'grid',
      downsample: this.downsample,
      diff: this.compareMode,
      base_step: this.baseStep === null ? '' : String(this.baseStep),
      base_run: this.baseRun || '',
      window: this.window && !this.isWrappedStrip() ? formatWindow(this.window) : '',
    };
    if (this.variable && this.slice) Object.assign(state, formatSlice(this.variable, this.slice));
    const stats = typeof this.statsView.viewState === 'function' ? this.statsView.viewState() : {};
    for (const [key, value] of Object.entries(stats || {})) state[`h.${key}`] = String(value);
    return state;
  }

  /**
   * Applies a state from {@link viewState} (e.g. read from the URL), before
   * or after {@link show}; unknown keys and invalid values are ignored. Does
   * not call the view-state listeners.
   * @param {!Object<string, string>} state
   */
  applyViewState(state) {
    if (!state || typeof state !== 'object') return;
    if (!this.variable) {
      this.pendingState = {...(this.pendingState || {}), ...state};
      this.applyOptions(state);
      return;
    }
    this.applyState(state);
    this.renderSliceControls();
    this.syncOptionControls();
    this.refresh();
  }

  /**
   * The options of a state that do not depend on the variable.
   * @param {!Object<string, string>} state
   */
  applyOptions(state) {
    if (SCALE_KINDS.includes(state.scale)) this.scaleKind = state.scale;
    if (RANGE_MODES.some((m) => m.value === state.range)) this.rangeMode = state.range;
    if (state.tiles === 'tile' || state.tiles === 'grid') this.perTile = state.tiles === 'tile';
    if (DOWNSAMPLE_METHODS.some((m) => m.value === state.downsample)) this.downsample = state.downsample;
    if (COMPARE_MODES.some((m) => m.value === state.diff)) this.compareMode = state.diff;
    if (typeof state.base_step === 'string' && /^\d+$/.test(state.base_step)) this.baseStep = Number(state.base_step);
    if (typeof state.base_run === 'string' && state.base_run) this.baseRun = state.base_run;
    /** @type {!Object<string, string>} */
    const stats = {};
    for (const [key, value] of Object.entries(state)) {
      if (key.startsWith('h.')) stats[key.slice(2)] = String(value);
    }
    if (Object.keys(stats).length && typeof this.statsView.applyViewState === 'function') this.statsView.applyViewState(stats);
  }

  /**
   * Applies a whole state to the shown variable.
   * @param {!Object<string, string>} state
   */
  applyState(state) {
    const v = /** @type {!TreeNode} */ (this.variable);
    this.applyOptions(state);
    if ('axes' in state || 'other' in state || 'layout' in state) {
      const current = this.slice ? formatSlice(v, this.slice) : {};
      this.slice = parseSlice(v, {...current, ...state});
      this.window = null;
    }
    if (typeof state.window === 'string') {
      const window = parseWindow(state.window);
      this.window = window ? clampWindow(window, this.selectionShape().length === 2 ? this.selectionShape() : [1, 1]) : null;
    }
    if (typeof state.step === 'string' && /^\d+$/.test(state.step)) {
      const step = Number(state.step);
      const found = latestAtOrBefore(this.steps, step);
      if (found !== null) {
        this.step = found;
        this.followLatest = found === this.steps[this.steps.length - 1];
        this.syncSlider();
      }
    }
  }

  /**
   * Registers a listener called with {@link viewState} whenever the user
   * changes any of it.
   * @param {function(!Object<string, string>)} callback
   */
  onViewStateChange(callback) {
    this.viewStateListeners.push(callback);
  }

  /** Tells the listeners the view state changed. */
  notifyViewState() {
    if (!this.variable) return;
    const state = this.viewState();
    for (const listener of this.viewStateListeners) listener(state);
  }
}

