// The run picker of the sidebar. The iframe cannot see TensorBoard's own run
// selection, so the dashboard keeps its own.

import {h, message, replace} from './dom.js';

/** @typedef {import('./data.js').RunInfo} RunInfo */

/** Above this many runs a filter box appears. */
const FILTER_THRESHOLD = 8;

/**
 * The run picker.
 */
export class RunPicker {
  /**
   * @param {function(!Array<string>)} onChange  Called with the selected
   *     runs, in run order, after the user changed the selection.
   * @param {function()} onReload  Called when the user asks for a reload.
   */
  constructor(onChange, onReload) {
    this.onChange = onChange;
    /** @type {!Array<!RunInfo>} */
    this.runs = [];
    /** @type {!Set<string>} */
    this.selected = new Set();
    /** @type {function(string): string} */
    this.colorOf = () => '#9e9e9e';
    this.filter = /** @type {!HTMLInputElement} */ (
      h('input', {type: 'search', class: 'tbw-search', placeholder: 'Filter runs', 'aria-label': 'Filter runs', testid: 'run-filter'})
    );
    this.filter.addEventListener('input', () => this.renderList());
    this.filterBox = h('div', {class: 'tbw-search-box'}, this.filter);
    this.filterBox.hidden = true;
    this.list = h('div', {class: 'tbw-run-list', testid: 'run-list'});
    this.element = h(
      'div',
      {class: 'tbw-runs-section', testid: 'run-picker'},
      h(
        'div',
        {class: 'tbw-sidebar-header'},
        h('span', {class: 'tbw-sidebar-title', text: 'Runs'}),
        h('span', {class: 'tbw-spacer'}),
        h('button', {class: 'tbw-text-button', testid: 'runs-all', text: 'All', title: 'Select all runs', onclick: () => this.selectAll(true)}),
        h('button', {class: 'tbw-text-button', testid: 'runs-none', text: 'None', title: 'Deselect all runs', onclick: () => this.selectAll(false)}),
        h('button', {class: 'tbw-icon-button', testid: 'reload', title: 'Reload runs and data', 'aria-label': 'Reload', text: '↻', onclick: () => onReload()}),
      ),
      this.filterBox,
      this.list,
    );
  }

  /**
   * @param {!Array<!RunInfo>} runs
   * @param {!Set<string>} selected
   * @param {function(string): string} colorOf
   */
  setRuns(runs, selected, colorOf) {
    this.runs = runs;
    this.selected = new Set(selected);
    this.colorOf = colorOf;
    this.filterBox.hidden = runs.length <= FILTER_THRESHOLD;
    this.renderList();
  }

  /** @param {!HTMLElement} content  Shown instead of the list. */
  showMessage(content) {
    replace(this.list, content);
  }

  /** @return {!Array<string>} The selected runs in run order. */
  selection() {
    return this.runs.map((r) => r.run).filter((run) => this.selected.has(run));
  }

  /** @param {boolean} all  Selects all (shown) runs, or none. */
  selectAll(all) {
    const shown = this.shownRuns().map((r) => r.run);
    for (const run of shown) {
      if (all) this.selected.add(run);
      else this.selected.delete(run);
    }
    this.renderList();
    this.onChange(this.selection());
  }

  /** @return {!Array<!RunInfo>} The runs passing the filter. */
  shownRuns() {
    const query = this.filter.value.trim().toLowerCase();
    return query ? this.runs.filter((r) => r.run.toLowerCase().includes(query)) : this.runs;
  }

  /** Rebuilds the checkboxes. */
  renderList() {
    if (!this.runs.length) return;
    const rows = this.shownRuns().map((info) => {
      const color = this.colorOf(info.run);
      const box = /** @type {!HTMLInputElement} */ (
        h('input', {type: 'checkbox', checked: this.selected.has(info.run), style: {accentColor: color}, testid: 'run-checkbox', dataset: {run: info.run}})
      );
      box.addEventListener('change', () => {
        if (box.checked) this.selected.add(info.run);
        else this.selected.delete(info.run);
        this.onChange(this.selection());
      });
      const steps = info.steps;
      const detail = steps.length
        ? `${steps.length} step${steps.length === 1 ? '' : 's'} (${steps[0]}–${steps[steps.length - 1]}) · models: ${info.models.join(', ')}`
        : 'no steps';
      return h(
        'label',
        {class: 'tbw-run', title: `${info.run}\n${detail}`, testid: 'run-row'},
        box,
        h('span', {class: 'tbw-swatch', style: {background: color}}),
        h('span', {class: 'tbw-run-name', text: info.run}),
        h('span', {class: 'tbw-run-steps tbw-muted', text: steps.length ? `${steps.length} step${steps.length === 1 ? '' : 's'}` : ''}),
      );
    });
    replace(this.list, rows.length ? rows : message('No run matches the filter.'));
  }
}
