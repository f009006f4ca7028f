// Entry point of the Weights dashboard. TensorBoard's plugin iframe imports
// this module and calls render() once. This file only wires the data module
// to the views; the views live in ./static/.

import * as data from './static/data.js';
import {h, message} from './static/dom.js';
import {runColor} from './static/colormap.js';
import {RunPicker} from './static/run_picker.js';
import {LayerTree} from './static/tree.js';
import {VariableView} from './static/variable_view.js';

/** @typedef {import('./static/data.js').RunInfo} RunInfo */
/** @typedef {import('./static/data.js').Tree} Tree */
/** @typedef {import('./static/data.js').TreeNode} TreeNode */

const NO_DATA_HINT =
  'Log with tb_weights_plugin.WeightsCallback or ' +
  'tb_weights_plugin.summary.weights(...), then reload with ↻.';

/**
 * Builds the dashboard in document.body.
 * @return {!Promise<void>}
 */
export async function render() {
  for (const sheet of ['style.css', 'overview.css', 'histograms.css']) {
    document.body.appendChild(h('link', {rel: 'stylesheet', href: `./static/${sheet}`}));
  }

  /** @type {!Array<!RunInfo>} */
  let runs = [];
  /** @type {!Array<string>} */
  let selected = [];
  // Colours stay with a run across reloads, in order of first appearance.
  /** @type {!Map<string, string>} */
  const colors = new Map();
  /** @type {?Tree} */
  let tree = null;
  /** @type {?string} The run whose tree is shown or loading. */
  let treeRun = null;
  let treeLoaded = false;
  /** @type {?TreeNode} */
  let variable = null;
  // Whether the run list has loaded once.
  let loaded = false;
  const treeRequests = new data.Latest();
  const runRequests = new data.Latest();

  const mainView = new VariableView(data);
  const layerTree = new LayerTree((node) => {
    variable = node;
    updateMain();
  });
  const picker = new RunPicker(
    (runsSelected) => {
      selected = runsSelected;
      updateTree();
      updateMain();
    },
    () => {
      data.clearCaches();
      treeLoaded = false;
      loadRuns();
    },
  );

  /** @param {string} run @return {string} */
  const colorOf = (run) => colors.get(run) || '#9e9e9e';

  /** Shows the selected variable, or the right message. */
  function updateMain() {
    if (!runs.length) {
      mainView.showMessage(message('No weights data yet.', NO_DATA_HINT));
    } else if (!selected.length) {
      mainView.showMessage(message('No run selected', 'Select one or more runs on the left.'));
    } else if (!variable) {
      mainView.showOverview(tree);
    } else {
      const byName = new Map(runs.map((r) => [r.run, r]));
      mainView.show(
        variable,
        selected.map((run) => ({run, color: colorOf(run), steps: byName.get(run)?.steps || []})),
      );
    }
  }

  /**
   * Loads the tree of the run to show: the one shown so far while it stays
   * selected (so adding a run does not swap the tree), else the first
   * selected run.
   * @param {?string=} wanted  A run the user picked for the tree.
   */
  async function updateTree(wanted = null) {
    const run = wanted || (treeRun && selected.includes(treeRun) ? treeRun : selected[0] || null);
    layerTree.setRunChoices(selected, run, (picked) => updateTree(picked));
    if (run === treeRun && treeLoaded) return;
    treeRun = run;
    treeLoaded = false;
    const isCurrent = treeRequests.next();
    if (!run) {
      tree = null;
      layerTree.showMessage(message('No run selected', 'Select a run to see its layers.'));
      return;
    }
    if (!tree) layerTree.showMessage(h('div', {class: 'tbw-muted tbw-loading-text', text: 'Loading layers…'}));
    try {
      const answer = await data.getTree(run);
      if (!isCurrent()) return;
      tree = answer;
      treeLoaded = true;
      layerTree.setTree(answer, variable ? variable.path : null);
      // Keep the selection when the new tree has the same variable; take its
      // node since the tags come from it.
      if (variable) {
        const node = layerTree.find(variable.path);
        if (node && node.kind === 'variable') variable = node;
      }
      if (!variable) updateMain();
    } catch (e) {
      if (!isCurrent()) return;
      tree = null;
      layerTree.showMessage(message('Could not load the layers', e instanceof Error ? e.message : String(e), 'error'));
    }
  }

  /** Loads the run list, keeping the selection of runs still present. */
  async function loadRuns() {
    const isCurrent = runRequests.next();
    try {
      const answer = await data.getRuns();
      if (!isCurrent()) return;
      runs = answer;
    } catch (e) {
      if (!isCurrent()) return;
      const text = e instanceof Error ? e.message : String(e);
      picker.showMessage(message('Could not load runs', text, 'error'));
      layerTree.showMessage(h('div'));
      mainView.showMessage(message('Could not load runs', text, 'error'));
      return;
    }
    for (const {run} of runs) {
      if (!colors.has(run)) colors.set(run, runColor(colors.size));
    }
    const names = new Set(runs.map((r) => r.run));
    const kept = selected.filter((run) => names.has(run));
    // The first run starts selected, and again when every selected run is
    // gone; a selection the user emptied stays empty.
    if (!kept.length && runs.length && (!loaded || selected.length)) kept.push(runs[0].run);
    selected = kept;
    loaded = true;
    picker.setRuns(runs, new Set(selected), colorOf);
    if (!runs.length) {
      picker.showMessage(message('No runs', 'No run holds weights data.'));
      layerTree.showMessage(h('div'));
      updateMain();
      return;
    }
    updateTree();
    updateMain();
  }

  document.body.appendChild(
    h(
      'div',
      {class: 'tbw-app', testid: 'weights-app'},
      h('aside', {class: 'tbw-sidebar', testid: 'sidebar'}, picker.element, layerTree.element),
      h('main', {class: 'tbw-main'}, mainView.element),
    ),
  );
  mainView.showMessage(h('div', {class: 'tbw-muted tbw-loading-text', text: 'Loading…'}));
  await loadRuns();
}
