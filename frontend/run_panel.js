// The tensor panel of one run: its title (what is shown, a difference
// included), step, downloads, notes about how the values are shown, the
// view itself (filter grid, heat map, plot or value), the colour bar with
// its legend, and a line of facts.

import {h, replace, swatch} from './dom.js';
import {formatShape} from './format.js';
import {createTensorView, describeView, describeValues, isScalar} from './tensor_view.js';
import {createHeatmap, createColorBar, nonfiniteLegend} from './heatmap.js';
import {createFilterGrid} from './filter_grid.js';
import {recordTiming} from './timing.js';

/** @typedef {import('./data.js').Tensor} Tensor */
/** @typedef {import('./data.js').Stats} Stats */
/** @typedef {import('./colormap.js').ColorScale} ColorScale */
/** @typedef {import('./zoom.js').Window} Window */

/**
 * A selected run as the main area needs it.
 * @typedef {{run: string, color: string, steps: !Array<number>}}
 */
export let RunContext;

/**
 * A file to download: its URL, the name to save it under, the link's text
 * and hover title, and `kind` (`whole-npy`, `slice-csv`, ...) for its test id.
 * @typedef {{href: string, name: string, title: string, text: string, kind: string}}
 */
export let Download;

/**
 * A tensor shown in a panel, with what it was drawn for. `chosen`: the step
 * chosen with the slider; `statsStep`: the run's latest statistics step at
 * or before it, later than the tensor's step when statistics were logged
 * more often than tensors; `title`: what the panel shows (`conv_b − conv_a`);
 * `downloads`: whole tensor and shown slice, as `.npy` and `.csv`.
 * @typedef {{
 *   tensor: !Tensor, chosen: number, statsStep: ?number, stats: ?Stats,
 *   title: string, downloads: !Array<!Download>,
 * }}
 */
export let Shown;

/**
 * How to draw a shown tensor. `scale`: colours; `rangeNote`: where its
 * range comes from; `box`: available CSS pixels; `heatmap`: size and
 * callbacks of a heat map (see heatmap.js); `filters`: options of a filter
 * grid (see filter_grid.js).
 * @typedef {{
 *   scale: !ColorScale, rangeNote: string,
 *   box: {maxWidth: number, maxHeight: number},
 *   heatmap: !Object, filters: !Object,
 * }}
 */
export let DrawOptions;

/** The tensor panel of one run. */
export class RunPanel {
  /** @param {!RunContext} context */
  constructor(context) {
    this.context = context;
    /** @type {?Shown} What the panel shows, to redraw it. */
    this.shown = null;
    /** @type {?function(!Window)} Moves the heat map's picture to a window. */
    this.previewWindow = null;
    this.title = h('span', {class: 'tbw-panel-run', testid: 'panel-title', text: context.run, style: {color: context.color}, title: context.run});
    this.stepLabel = h('span', {class: 'tbw-panel-step', testid: 'panel-step'});
    this.downloads = h('span', {class: 'tbw-downloads', testid: 'downloads'});
    this.notes = h('div', {class: 'tbw-panel-notes', testid: 'panel-notes'});
    this.body = h('div', {class: 'tbw-panel-body'}, h('div', {class: 'tbw-muted tbw-loading-text', text: 'Loading…'}));
    this.scaleArea = h('div', {class: 'tbw-panel-scale'});
    this.footer = h('div', {class: 'tbw-panel-footer', testid: 'panel-footer'});
    this.element = h(
      'section',
      {class: 'tbw-card tbw-panel', testid: 'run-panel', dataset: {run: context.run}},
      h('header', {class: 'tbw-panel-header'}, swatch(context.color), this.title, this.stepLabel, h('span', {class: 'tbw-spacer'}), this.downloads),
      this.notes,
      this.body,
      this.scaleArea,
      this.footer,
    );
  }

  /** @param {number} width  Largest width in CSS pixels; the panel hugs its content. */
  setWidth(width) {
    this.element.style.maxWidth = `${width}px`;
  }

  /**
   * Marks the panel as waiting for the tensor at `step`, keeping the old
   * picture meanwhile so dragging a slider does not flicker.
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
   * Shows the picture of the current heat map as it sits in another window,
   * until that window's values arrive.
   * @param {!Window} window
   */
  preview(window) {
    if (this.previewWindow) this.previewWindow(window);
  }

  /**
   * Draws a tensor.
   * @param {!Shown} shown
   * @param {!DrawOptions} options
   */
  showTensor(shown, options) {
    const {tensor, chosen, statsStep, stats} = shown;
    this.shown = shown;
    this.previewWindow = null;
    this.element.classList.remove('tbw-loading');
    this.setStepLabel(tensor.step, chosen);
    this.title.textContent = shown.title;
    this.title.title = shown.title;
    replace(
      this.downloads,
      shown.downloads.map((d) => h('a', {class: 'tbw-link tbw-download', href: d.href, download: d.name, title: d.title, text: d.text, testid: `download-${d.kind}`})),
    );

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
      notes.map(({kind, text, title}, k) => [k ? ' · ' : '', h('span', {class: `tbw-note tbw-note-${kind}`, testid: `note-${kind}`, title, text})]),
    );

    const start = performance.now();
    const rank = tensor.values_shape.length;
    let counts = null;
    if (tensor.layout === 'filters' && tensor.values.length) {
      const grid = createFilterGrid(tensor, {...options.filters, box: options.box, scale: options.scale});
      replace(this.body, h('div', {class: 'tbw-heatmap-view'}, grid.element));
      counts = countNonfinite(tensor.values);
    } else if (rank === 2 && tensor.values.length && !isScalar(tensor)) {
      const heatmap = createHeatmap(tensor, {...options.heatmap, scale: options.scale});
      this.previewWindow = heatmap.preview;
      replace(this.body, h('div', {class: 'tbw-heatmap-view'}, heatmap.element));
      recordTiming('heatmap', heatmap.canvas, start, formatShape(tensor.values_shape));
      counts = heatmap.counts;
    } else {
      replace(this.body, createTensorView(tensor, this.context.color, options.box));
    }
    if (counts) {
      // The window's own counts when the server gave them (a block mean can
      // hide an infinity), else what was painted.
      const shownCounts = tensor.window_nan_count !== undefined
        ? {nan: Math.max(counts.nan, tensor.window_nan_count), posinf: tensor.window_posinf_count || 0, neginf: tensor.window_neginf_count || 0}
        : counts;
      const width = Math.max(220, Math.min(360, this.body.getBoundingClientRect().width || 300));
      replace(
        this.scaleArea,
        createColorBar(options.scale, width, tensor.layout === 'filters' && Boolean(options.filters.perTile)),
        h(
          'div',
          {class: 'tbw-legend'},
          h('span', {class: 'tbw-legend-item', testid: 'range-note', text: options.rangeNote}),
          nonfiniteLegend(shownCounts, Boolean(tensor.downsampled)),
        ),
      );
    } else {
      this.scaleArea.replaceChildren();
    }
    replace(this.footer, describeValues(tensor, stats));
  }

  /**
   * @param {!HTMLElement} content  A message.
   * @param {string=} stepText
   * @param {string=} title  What the panel would show.
   */
  showMessage(content, stepText = '', title = this.context.run) {
    this.shown = null;
    this.previewWindow = null;
    this.element.classList.remove('tbw-loading');
    this.title.textContent = title;
    this.stepLabel.textContent = stepText;
    delete this.stepLabel.dataset.step;
    this.downloads.replaceChildren();
    this.notes.replaceChildren();
    this.scaleArea.replaceChildren();
    this.footer.replaceChildren();
    replace(this.body, content);
  }
}

/**
 * How many values are NaN, +Inf and -Inf.
 * @param {!Array<number>} values
 * @return {{nan: number, posinf: number, neginf: number}}
 */
function countNonfinite(values) {
  const counts = {nan: 0, posinf: 0, neginf: 0};
  for (const v of values) {
    if (Number.isNaN(v)) counts.nan++;
    else if (v === Infinity) counts.posinf++;
    else if (v === -Infinity) counts.neginf++;
  }
  return counts;
}
