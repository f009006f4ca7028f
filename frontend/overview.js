// The model overview: every variable of a run (rows, grouped by layer in
// tree order) × every logged step (columns), coloured by one statistic, so
// that which layer learns and which is dead shows at a glance. Clicking a
// cell opens that variable at that step.
//
// Only the rows in the scrolled window are drawn, on a canvas that stays in
// view while a spacer gives the scroll height, so a ResNet50 (about 320
// variables × 100 steps) draws in a few milliseconds.

import {h, message, replace} from './dom.js';
import {setupCanvas} from './charts.js';
import {NAN_RGB, NEGINF_RGB, POSINF_RGB, cssRgb, sequential} from './colormap.js';
import {formatApprox, formatFloat64, plural} from './format.js';
import {hideTooltip, showTooltip} from './tooltip.js';
import {Latest} from './data.js';

/** @typedef {import('./data.js').Overview} Overview */

/**
 * A statistic the overview (and the tree's column) can show. `log`: whether
 * a log scale is offered and starts on.
 * @typedef {{value: string, label: string, log: boolean}}
 */
export let OverviewField;

/** @type {!Array<!OverviewField>} */
export const OVERVIEW_FIELDS = [
  {value: 'update_ratio', label: 'update ratio', log: true},
  {value: 'l2_norm', label: 'L2 norm', log: true},
  {value: 'mean', label: 'mean', log: false},
  {value: 'std', label: 'std', log: false},
  {value: 'zero_fraction', label: 'zero fraction', log: false},
];

/**
 * The label of a statistics field.
 * @param {string} field
 * @return {string}
 */
export function fieldLabel(field) {
  const known = OVERVIEW_FIELDS.find((f) => f.value === field);
  return known ? known.label : field.replace(/_/g, ' ');
}

/**
 * What a cell holds: a finite `value`, `nan`, `posinf`, `neginf`, or
 * `none` (not logged at that step, or an update ratio at the variable's
 * first logged step, which has no previous value to compare with).
 * @typedef {string}
 */
export let CellKind;

/**
 * A row of the overview: one variable, with its layer.
 * @typedef {{
 *   path: string, name: string, layer: string, groupStart: boolean,
 *   values: !Array<?number>, first: number,
 * }}
 *     `layer`: the variable's parent path without the model name (when all
 *     rows share one model); `groupStart`: the first row of its layer;
 *     `first`: index of the first logged step (-1 when never logged).
 */
export let OverviewRow;

/**
 * The overview's rows in the answer's order (depth-first in the run's
 * tree), each with its layer.
 * @param {!Array<{path: string, values: !Array<?number>}>} variables
 * @return {!Array<!OverviewRow>}
 */
export function overviewRows(variables) {
  const roots = new Set(variables.map((v) => v.path.split('/')[0]));
  const stripRoot = roots.size === 1;
  /** @type {!Array<!OverviewRow>} */
  const rows = [];
  let previous = null;
  for (const {path, values} of variables) {
    const cut = path.lastIndexOf('/');
    const parent = cut < 0 ? '' : path.slice(0, cut);
    let layer = parent;
    if (stripRoot) {
      const slash = parent.indexOf('/');
      layer = slash < 0 ? parent : parent.slice(slash + 1);
    }
    rows.push({
      path,
      name: path.slice(cut + 1),
      layer,
      groupStart: parent !== previous,
      values,
      first: values.findIndex((x) => x !== null && x !== undefined),
    });
    previous = parent;
  }
  return rows;
}

/**
 * What a cell holds.
 * @param {?number} value
 * @param {number} k  The cell's step index.
 * @param {number} first  The row's first logged step index.
 * @param {string} field
 * @return {!CellKind}
 */
export function cellKind(value, k, first, field) {
  if (value === null || value === undefined) return 'none';
  if (Number.isNaN(value)) return field === 'update_ratio' && k === first ? 'none' : 'nan';
  if (value === Infinity) return 'posinf';
  if (value === -Infinity) return 'neginf';
  return 'value';
}

/**
 * A colour scale for the overview: sequential from `low` to `high`,
 * linear or in log10.
 * @typedef {{low: number, high: number, log: boolean}}
 */
export let OverviewScale;

// A log scale spans at most this many decades below its maximum, so that
// one tiny value does not squash every other colour.
const MAX_DECADES = 8;

/**
 * The scale of the finite values of all rows; a log scale covers the
 * positive ones (zeros and below take its lowest colour).
 * @param {!Array<!OverviewRow>} rows
 * @param {boolean} log
 * @return {?OverviewScale}  null when there is no value to scale.
 */
export function overviewScale(rows, log) {
  let low = Infinity;
  let high = -Infinity;
  for (const {values} of rows) {
    for (const v of values) {
      if (v === null || v === undefined || !Number.isFinite(v) || (log && v <= 0)) continue;
      if (v < low) low = v;
      if (v > high) high = v;
    }
  }
  if (!(low <= high)) return null;
  if (log) {
    low = Math.max(low, high / Math.pow(10, MAX_DECADES));
  }
  return {low, high, log};
}

/**
 * The position in [0, 1] of a finite value on a scale (clamped). A scale
 * of one value puts it in the middle.
 * @param {!OverviewScale} scale
 * @param {number} value
 * @return {number}
 */
export function overviewPosition(scale, value) {
  const {low, high, log} = scale;
  if (log && value <= 0) return 0;
  const a = log ? Math.log10(low) : low;
  const b = log ? Math.log10(high) : high;
  const x = log ? Math.log10(value) : value;
  if (!(b > a)) return 0.5;
  return Math.max(0, Math.min(1, (x - a) / (b - a)));
}

/** Colours of the cells that hold no finite value, and their legend. */
const KIND_STYLES = {
  nan: {rgb: NAN_RGB, label: 'NaN'},
  posinf: {rgb: POSINF_RGB, label: '+Inf'},
  neginf: {rgb: NEGINF_RGB, label: '−Inf'},
  none: {rgb: [230, 230, 230], label: 'no value'},
};

// Rows are as tall as fits the area, between these (CSS pixels).
const MIN_ROW_HEIGHT = 14;
const MAX_ROW_HEIGHT = 22;
const HEADER_HEIGHT = 22;
const LABEL_GAP = 10;
const LABEL_FONT = '11px Roboto, "Helvetica Neue", Arial, sans-serif';
const LAYER_FONT = '500 11px Roboto, "Helvetica Neue", Arial, sans-serif';
const TEXT_COLOR = '#212121';
const MUTED_COLOR = '#757575';
const SEPARATOR_COLOR = '#d6d6d6';
const HOVER_COLOR = '#f57c00';
// Widest cell: a run of a few steps should not become a row of slabs.
const MAX_CELL_WIDTH = 64;
// Least room between two step labels of the axis.
const STEP_LABEL_SPACING = 36;

/**
 * The state of the overview kept in the URL.
 * @typedef {{field: string, run: ?string, log: boolean}}
 */
export let OverviewState;

/**
 * The model overview of the main area.
 */
export class ModelOverview {
  /**
   * @param {{getOverview: function(string, string): !Promise<!Overview>}} data
   * @param {function(string, string, ?number)} onOpen  Called with the run,
   *     the variable path and the step (null: the latest) of a clicked cell.
   */
  constructor(data, onOpen) {
    this.data = data;
    this.onOpen = onOpen;
    /** @type {function(!OverviewState)} */
    this.onStateChange = () => {};
    /** @type {!Array<string>} */
    this.runs = [];
    /** @type {?string} */
    this.run = null;
    this.field = 'update_ratio';
    this.log = true;
    /** @type {?Overview} */
    this.overview = null;
    /** @type {!Array<!OverviewRow>} */
    this.rows = [];
    /** @type {?OverviewScale} */
    this.scale = null;
    /** @type {?{row: number, column: number}} */
    this.hover = null;
    this.layerWidth = 0;
    this.nameWidth = 0;
    /** @type {?HTMLCanvasElement} Every cell at one pixel; see paintCells(). */
    this.cells = null;
    this.rowHeight = MIN_ROW_HEIGHT;
    this.latest = new Latest();
    // Set by a reload: the next show() fetches again.
    this.stale = false;

    this.runSelect = /** @type {!HTMLSelectElement} */ (
      h('select', {class: 'tbw-select', testid: 'overview-run', 'aria-label': 'Run of the overview'})
    );
    this.runSelect.addEventListener('change', () => {
      this.run = this.runSelect.value;
      this.changed();
      this.load();
    });
    this.runControl = h('label', {class: 'tbw-overview-control'}, h('span', {class: 'tbw-muted', text: 'Run'}), this.runSelect);
    this.fieldSelect = /** @type {!HTMLSelectElement} */ (
      h(
        'select',
        {class: 'tbw-select', testid: 'overview-field', 'aria-label': 'Statistic of the overview'},
        OVERVIEW_FIELDS.map(({value, label}) => h('option', {value, text: label})),
      )
    );
    this.fieldSelect.addEventListener('change', () => {
      this.field = this.fieldSelect.value;
      this.log = OVERVIEW_FIELDS.find((f) => f.value === this.field)?.log ?? false;
      this.changed();
      this.load();
    });
    this.logBox = /** @type {!HTMLInputElement} */ (h('input', {type: 'checkbox', testid: 'overview-log'}));
    this.logBox.addEventListener('change', () => {
      this.log = this.logBox.checked;
      this.changed();
      this.rescale();
    });
    this.logControl = h('label', {class: 'tbw-overview-control', title: 'Colours by log10 of the value; zero takes the lowest colour'}, this.logBox, h('span', {text: 'log scale'}));
    this.summary = h('div', {class: 'tbw-overview-summary tbw-muted', testid: 'overview-summary'});
    this.legend = h('div', {class: 'tbw-overview-legend', testid: 'overview-legend'});
    this.stepAxis = /** @type {!HTMLCanvasElement} */ (h('canvas', {class: 'tbw-overview-axis', testid: 'overview-axis'}));
    this.canvas = /** @type {!HTMLCanvasElement} */ (h('canvas', {class: 'tbw-overview-canvas', testid: 'overview-canvas'}));
    this.spacer = h('div', {class: 'tbw-overview-spacer'});
    this.scroller = h('div', {class: 'tbw-overview-scroller', testid: 'overview-scroller'}, this.canvas, this.spacer);
    this.body = h('div', {class: 'tbw-overview-body'}, this.stepAxis, this.scroller);
    this.content = h('div', {class: 'tbw-overview-content'});
    this.element = h(
      'div',
      {class: 'tbw-overview-view', testid: 'overview'},
      h(
        'div',
        {class: 'tbw-overview-header'},
        h('h2', {class: 'tbw-overview-title', text: 'Model overview'}),
        this.summary,
      ),
      h('div', {class: 'tbw-overview-controls'}, this.runControl, h('label', {class: 'tbw-overview-control'}, h('span', {class: 'tbw-muted', text: 'Statistic'}), this.fieldSelect), this.logControl, h('span', {class: 'tbw-spacer'}), this.legend),
      this.content,
    );

    this.scroller.addEventListener('scroll', () => this.draw());
    this.content.addEventListener('wheel', () => hideTooltip(), {passive: true});
    this.canvas.addEventListener('mousemove', (event) => this.onHover(event));
    this.canvas.addEventListener('mouseleave', () => {
      this.hover = null;
      hideTooltip();
      this.draw();
    });
    this.canvas.addEventListener('click', (event) => this.onClick(event));
    let lastWidth = 0;
    let lastHeight = 0;
    new ResizeObserver(() => {
      const width = this.content.clientWidth;
      const height = this.content.clientHeight;
      if (width === lastWidth && height === lastHeight) return;
      lastWidth = width;
      lastHeight = height;
      this.draw();
    }).observe(this.content);
  }

  /** @return {!OverviewState} */
  state() {
    return {field: this.field, run: this.run, log: this.log};
  }

  /** Tells the listener the state changed. */
  changed() {
    this.onStateChange(this.state());
  }

  /**
   * Shows the overview of one of `runs`.
   * @param {!Array<string>} runs  The selected runs, at least one.
   * @param {{field: (?string|undefined), run: (?string|undefined)}=} wanted
   *     A statistic and run to show (from the URL); else the last shown.
   */
  show(runs, wanted = {}) {
    this.runs = runs;
    if (wanted.field && OVERVIEW_FIELDS.some((f) => f.value === wanted.field) && wanted.field !== this.field) {
      this.field = wanted.field;
      this.log = OVERVIEW_FIELDS.find((f) => f.value === this.field)?.log ?? false;
    }
    const run = wanted.run && runs.includes(wanted.run) ? wanted.run : this.run && runs.includes(this.run) ? this.run : runs[0];
    const reload = this.stale || run !== this.run || !this.overview || this.overview.field !== this.field || this.overview.run !== run;
    this.run = run;
    this.fieldSelect.value = this.field;
    replace(this.runSelect, runs.map((r) => h('option', {value: r, text: r, selected: r === run})));
    this.runControl.hidden = runs.length <= 1;
    if (reload) this.load();
    else this.draw();
  }

  /** Makes the next {@link show} fetch again (new steps may have been logged). */
  invalidate() {
    this.stale = true;
  }

  /** Fetches the shown statistic of the shown run. */
  async load() {
    const isCurrent = this.latest.next();
    this.stale = false;
    const run = /** @type {string} */ (this.run);
    const field = this.field;
    this.logBox.checked = this.log;
    this.logControl.hidden = !OVERVIEW_FIELDS.find((f) => f.value === field)?.log;
    this.element.classList.add('tbw-loading');
    if (!this.overview) replace(this.content, h('div', {class: 'tbw-muted tbw-loading-text', text: 'Loading the overview…'}));
    let overview;
    try {
      overview = await this.data.getOverview(run, field);
    } catch (e) {
      if (!isCurrent()) return;
      this.element.classList.remove('tbw-loading');
      this.overview = null;
      this.summary.textContent = '';
      this.legend.replaceChildren();
      replace(this.content, message('Could not load the overview', e instanceof Error ? e.message : String(e), 'error'));
      return;
    }
    if (!isCurrent()) return;
    this.element.classList.remove('tbw-loading');
    this.overview = overview;
    this.rows = overviewRows(overview.variables);
    this.hover = null;
    const layers = new Set(this.rows.map((r) => r.layer)).size;
    this.summary.textContent = `${run} · ${plural(this.rows.length, 'variable')} in ${plural(layers, 'layer')} × ${plural(overview.steps.length, 'logged step')} · click a cell to open the variable at that step`;
    if (!this.rows.length || !overview.steps.length) {
      this.legend.replaceChildren();
      replace(this.content, message('Nothing logged', `${run} has no statistics to show.`));
      return;
    }
    if (this.body.parentNode !== this.content) replace(this.content, this.body);
    this.measureLabels();
    this.rescale();
  }

  /** Works out the colour scale and redraws with its legend. */
  rescale() {
    this.scale = overviewScale(this.rows, this.log);
    this.renderLegend();
    this.paintCells();
    this.draw();
  }

  /** Widths of the layer and variable name columns of the labels. */
  measureLabels() {
    const ctx = /** @type {!CanvasRenderingContext2D} */ (this.canvas.getContext('2d'));
    ctx.font = LAYER_FONT;
    let layer = 0;
    for (const row of this.rows) if (row.groupStart) layer = Math.max(layer, ctx.measureText(row.layer).width);
    ctx.font = LABEL_FONT;
    let name = 0;
    for (const row of this.rows) name = Math.max(name, ctx.measureText(row.name).width);
    this.layerWidth = Math.ceil(Math.min(layer, 220));
    this.nameWidth = Math.ceil(Math.min(name, 160));
  }

  /** @return {number} Where the cells start, in CSS pixels. */
  cellsLeft() {
    return 6 + this.layerWidth + (this.layerWidth ? 8 : 0) + this.nameWidth + LABEL_GAP;
  }

  /** @return {number} The width of one step's column. */
  cellWidth() {
    const steps = this.overview ? this.overview.steps.length : 1;
    // Less the body's border and room for a vertical scroll bar.
    const room = Math.max(40, this.content.clientWidth - this.cellsLeft() - 8 - 20);
    return Math.min(MAX_CELL_WIDTH, room / steps);
  }

  /** The legend: the colour ramp with its range, and the other cell kinds with their counts. */
  renderLegend() {
    const counts = {nan: 0, posinf: 0, neginf: 0, none: 0};
    for (const row of this.rows) {
      row.values.forEach((v, k) => {
        const kind = cellKind(v, k, row.first, this.field);
        if (kind !== 'value') counts[kind]++;
      });
    }
    const ramp = /** @type {!HTMLCanvasElement} */ (h('canvas', {class: 'tbw-overview-ramp', testid: 'overview-ramp'}));
    const ctx = setupCanvas(ramp, 120, 10);
    for (let x = 0; x < 120; x++) {
      ctx.fillStyle = cssRgb(sequential(x / 119));
      ctx.fillRect(x, 0, 1, 10);
    }
    const scale = this.scale;
    const ends = scale
      ? [formatApprox(scale.low, 3), formatApprox(scale.high, 3)]
      : ['–', '–'];
    const title = scale
      ? `${fieldLabel(this.field)}${scale.log ? ' (log scale; 0 and below take the lowest colour)' : ''}`
      : 'no finite value';
    replace(
      this.legend,
      h('span', {class: 'tbw-overview-legend-ramp', title}, h('span', {class: 'tbw-muted', testid: 'overview-low', text: ends[0]}), ramp, h('span', {class: 'tbw-muted', testid: 'overview-high', text: ends[1]})),
      Object.entries(KIND_STYLES).map(([kind, style]) =>
        h(
          'span',
          {
            class: `tbw-overview-key${counts[kind] ? '' : ' tbw-overview-key-absent'}`,
            testid: `overview-key-${kind}`,
            title: kind === 'none' ? 'Not logged at that step, or an update ratio at the first logged step' : `${style.label} value`,
          },
          h('span', {class: 'tbw-overview-swatch', style: {background: cssRgb(style.rgb)}}),
          `${style.label} ${counts[kind]}`,
        ),
      ),
    );
  }

  /**
   * The colour of a cell.
   * @param {!OverviewRow} row
   * @param {number} k
   * @return {!Array<number>}  RGB.
   */
  cellColor(row, k) {
    const value = row.values[k];
    const kind = cellKind(value, k, row.first, this.field);
    if (kind !== 'value') return KIND_STYLES[kind].rgb;
    return this.scale ? sequential(overviewPosition(this.scale, /** @type {number} */ (value))) : KIND_STYLES.none.rgb;
  }

  /**
   * Paints every cell, one pixel each (steps × rows), into an offscreen
   * canvas that draw() scales up: a redraw on scroll is one drawImage.
   */
  paintCells() {
    const steps = this.overview ? this.overview.steps.length : 0;
    const rows = this.rows.length;
    if (!steps || !rows) return;
    const image = new ImageData(steps, rows);
    const pixels = image.data;
    this.rows.forEach((row, i) => {
      for (let k = 0; k < steps; k++) {
        const rgb = this.cellColor(row, k);
        const at = 4 * (i * steps + k);
        pixels[at] = rgb[0];
        pixels[at + 1] = rgb[1];
        pixels[at + 2] = rgb[2];
        pixels[at + 3] = 255;
      }
    });
    const cells = document.createElement('canvas');
    cells.width = steps;
    cells.height = rows;
    /** @type {!CanvasRenderingContext2D} */ (cells.getContext('2d')).putImageData(image, 0, 0);
    this.cells = cells;
  }

  /**
   * Draws the step axis and the rows in the scrolled window. The rows take
   * the height they need up to the area's; the scroller is sized to that.
   */
  draw() {
    if (!this.overview || this.body.parentNode !== this.content || !this.rows.length) return;
    // The body's border and the axis are outside the scroller.
    const room = this.content.clientHeight - HEADER_HEIGHT - 3;
    if (room <= 0 || !this.content.clientWidth) return;
    this.rowHeight = Math.max(MIN_ROW_HEIGHT, Math.min(MAX_ROW_HEIGHT, Math.floor(room / this.rows.length)));
    const rowHeight = this.rowHeight;
    const total = this.rows.length * rowHeight;
    const height = Math.min(total, room);
    this.scroller.style.height = `${height}px`;
    this.spacer.style.height = `${total - height}px`;
    const cw = this.cellWidth();
    const steps = this.overview.steps;
    const left = this.cellsLeft();
    const width = Math.ceil(left + steps.length * cw + 8);
    const top = Math.min(this.scroller.scrollTop, total - height);

    // Step axis: a label every few columns, at least STEP_LABEL_SPACING apart.
    const axis = setupCanvas(this.stepAxis, width, HEADER_HEIGHT);
    axis.font = LABEL_FONT;
    axis.fillStyle = MUTED_COLOR;
    axis.textBaseline = 'bottom';
    axis.textAlign = 'left';
    axis.fillText('layer / variable', 6, HEADER_HEIGHT - 4);
    axis.fillText('step', Math.max(6, left - 34), HEADER_HEIGHT - 4);
    const every = Math.max(1, Math.ceil(STEP_LABEL_SPACING / cw));
    axis.textAlign = 'center';
    axis.fillStyle = TEXT_COLOR;
    for (let k = 0; k < steps.length; k += every) {
      axis.fillText(String(steps[k]), left + (k + 0.5) * cw, HEADER_HEIGHT - 4);
    }

    const ctx = setupCanvas(this.canvas, width, height);
    // The layout, for tests that aim at a cell.
    Object.assign(this.canvas.dataset, {cellsLeft: String(left), cellWidth: String(cw), rowHeight: String(rowHeight), rows: String(this.rows.length), log: String(Boolean(this.scale && this.scale.log))});
    const first = Math.floor(top / rowHeight);
    const end = Math.min(this.rows.length, Math.ceil((top + height) / rowHeight));
    ctx.textBaseline = 'middle';
    for (let i = first; i < end; i++) {
      const row = this.rows[i];
      const y = i * rowHeight - top;
      // The layer's name on its first row, and on the top row when scrolled into a layer.
      if (row.groupStart || i === first) {
        ctx.font = LAYER_FONT;
        ctx.fillStyle = TEXT_COLOR;
        this.fillClipped(ctx, row.layer, 6, y + rowHeight / 2, this.layerWidth);
      }
      ctx.font = LABEL_FONT;
      ctx.fillStyle = MUTED_COLOR;
      this.fillClipped(ctx, row.name, 6 + this.layerWidth + (this.layerWidth ? 8 : 0), y + rowHeight / 2, this.nameWidth);
    }
    const cellsRight = left + steps.length * cw;
    if (this.cells && end > first) {
      ctx.imageSmoothingEnabled = false;
      const y0 = first * rowHeight - top;
      ctx.drawImage(this.cells, 0, first, steps.length, end - first, left, y0, steps.length * cw, (end - first) * rowHeight);
      // White gaps between rows, and between columns when they are wide.
      ctx.fillStyle = '#ffffff';
      for (let i = first; i <= end; i++) ctx.fillRect(left, i * rowHeight - top - 1, cellsRight - left, 2);
      if (cw >= 12) {
        for (let k = 1; k < steps.length; k++) ctx.fillRect(Math.round(left + k * cw) - 0.5, y0, 1, (end - first) * rowHeight);
      }
      // Group separators over the gaps, across labels and cells.
      ctx.fillStyle = SEPARATOR_COLOR;
      for (let i = Math.max(1, first); i < end; i++) {
        if (this.rows[i].groupStart) ctx.fillRect(0, i * rowHeight - top, cellsRight, 1);
      }
    }
    if (this.hover && this.hover.row >= first && this.hover.row < end) {
      const y = this.hover.row * rowHeight - top;
      ctx.strokeStyle = HOVER_COLOR;
      ctx.lineWidth = 1;
      ctx.strokeRect(0.5, y + 0.5, left + steps.length * cw - 1, rowHeight - 1);
      if (this.hover.column >= 0) {
        ctx.lineWidth = 2;
        ctx.strokeRect(Math.floor(left + this.hover.column * cw) + 1, y + 1, Math.max(2, cw - 2), rowHeight - 2);
      }
    }
  }

  /**
   * Draws text cut with an ellipsis to `width` pixels.
   * @param {!CanvasRenderingContext2D} ctx
   * @param {string} text
   * @param {number} x
   * @param {number} y
   * @param {number} width
   */
  fillClipped(ctx, text, x, y, width) {
    let shown = text;
    if (ctx.measureText(shown).width > width) {
      while (shown.length > 1 && ctx.measureText(`${shown}…`).width > width) shown = shown.slice(0, -1);
      shown = `${shown}…`;
    }
    ctx.fillText(shown, x, y);
  }

  /**
   * The row and step column under a mouse event.
   * @param {!MouseEvent} event
   * @return {?{row: number, column: number}}  `column` -1 over the labels.
   */
  cellAt(event) {
    if (!this.overview) return null;
    const rowHeight = this.rowHeight;
    const box = this.canvas.getBoundingClientRect();
    const x = event.clientX - box.left;
    const total = this.rows.length * rowHeight;
    const top = Math.min(this.scroller.scrollTop, Math.max(0, total - this.canvas.clientHeight));
    const row = Math.floor((event.clientY - box.top + top) / rowHeight);
    if (row < 0 || row >= this.rows.length) return null;
    const left = this.cellsLeft();
    const column = x < left ? -1 : Math.floor((x - left) / this.cellWidth());
    if (column >= this.overview.steps.length) return null;
    return {row, column};
  }

  /** @param {!MouseEvent} event  Reads out the cell under the mouse. */
  onHover(event) {
    const cell = this.cellAt(event);
    const same = cell && this.hover && cell.row === this.hover.row && cell.column === this.hover.column;
    this.hover = cell;
    if (!same) this.draw();
    if (!cell || !this.overview) {
      hideTooltip();
      return;
    }
    const row = this.rows[cell.row];
    this.canvas.style.cursor = 'pointer';
    if (cell.column < 0) {
      showTooltip(event, [row.path, [null, 'click to open at the latest step', 'muted']]);
      return;
    }
    const step = this.overview.steps[cell.column];
    const value = row.values[cell.column];
    const kind = cellKind(value, cell.column, row.first, this.field);
    let text;
    if (kind === 'none') {
      text = value === null || value === undefined ? 'not logged at this step' : `${fieldLabel(this.field)}: none at the first logged step`;
    } else {
      text = `${fieldLabel(this.field)} ${formatFloat64(/** @type {number} */ (value))}`;
      if (this.field === 'update_ratio' && Number.isFinite(value)) {
        // The change since the variable's previous logged step.
        let k = cell.column - 1;
        while (k >= 0 && (row.values[k] === null || row.values[k] === undefined)) k--;
        if (k >= 0) text += ` (since step ${this.overview.steps[k]})`;
      }
    }
    showTooltip(event, [row.path, `step ${step}`, text, [null, 'click to open at this step', 'muted']]);
  }

  /** @param {!MouseEvent} event  Opens the clicked variable. */
  onClick(event) {
    const cell = this.cellAt(event);
    if (!cell || !this.overview || !this.run) return;
    hideTooltip();
    const step = cell.column < 0 ? null : this.overview.steps[cell.column];
    this.onOpen(this.run, this.rows[cell.row].path, step);
  }
}
