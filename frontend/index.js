// Entry point of the Weights dashboard. TensorBoard's plugin iframe imports
// this module and calls render() once. This file only wires the data module
// to the views; the views live in ./static/.

import * as data from './static/data.js';
import {h, message} from './static/dom.js';
import {runColor} from './static/colormap.js';
import {FirstNonfiniteControl} from './static/first_nonfinite.js';
import {ModelOverview} from './static/overview.js';
import {RunPicker} from './static/run_picker.js';
import {LayerTree} from './static/tree.js';
import {KEY_PREFIX, emptyState, onLocationHashChange, parseHash, readLocationHash, readState, writeLocationHash, writeState} from './static/url_state.js';
import {VariableView} from './static/variable_view.js';

/** @typedef {import('./static/data.js').RunInfo} RunInfo */
/** @typedef {import('./static/data.js').Tree} Tree */
/** @typedef {import('./static/data.js').TreeNode} TreeNode */
/** @typedef {import('./static/url_state.js').UrlState} UrlState */

const NO_DATA_HINT =
  'Log with tb_weights_plugin.WeightsCallback or ' +
  'tb_weights_plugin.summary.weights(...), then reload with ↻.';

// The statistic the overview and the tree's column show unless the URL
// says otherwise (left out of the URL).
const DEFAULT_FIELD = 'update_ratio';

/**
 * Whether a key typed into `target` is text being entered, which `/` must
 * not interrupt.
 * @param {?EventTarget} target
 * @return {boolean}
 */
function isTextEntry(target) {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable || target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true;
  return target instanceof HTMLInputElement && !['checkbox', 'radio', 'range', 'button', 'submit', 'reset', 'color', 'file'].includes(target.type);
}

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
  // What the URL asked for, applied once the runs and the tree have loaded;
  // the URL is written only after that, so a link is not overwritten first.
  /** @type {?UrlState} */
  let pending = readState(readLocationHash());

  const mainView = new VariableView(data);
  const overview = new ModelOverview(data, (run, path, step) => openVariable(run, path, step));
  overview.onStateChange = () => writeUrl();
  const layerTree = new LayerTree((node) => {
    variable = node;
    updateMain();
  }, data.getOverview);
  layerTree.onFieldChange = () => writeUrl();
  const firstNonfinite = new FirstNonfiniteControl(data.getFirstNonfinite, (run, path, step) => openVariable(run, path, step));
  const picker = new RunPicker(
    (runsSelected) => {
      selected = runsSelected;
      firstNonfinite.setRuns(selected);
      updateTree();
      updateMain();
    },
    () => {
      data.clearCaches();
      overview.invalidate();
      treeLoaded = false;
      loadRuns();
    },
  );
  const overviewButton = h('button', {
    class: 'tbw-text-button tbw-overview-link',
    testid: 'show-overview',
    text: 'Model overview',
    title: 'Every variable × every logged step, coloured by a statistic',
    onclick: () => showOverview(),
  });
  // Helper A's VariableView keeps its options (step, axes, ...) as a flat
  // object of strings; until it has them, only the variable is kept.
  const viewStateSupported = typeof mainView.viewState === 'function';
  if (viewStateSupported) {
    mainView.onViewStateChange((state) => {
      if (state && state.step !== undefined && state.step !== '') layerTree.setStep(Number(state.step));
      writeUrl();
    });
  }

  /** @param {string} run @return {string} */
  const colorOf = (run) => colors.get(run) || '#9e9e9e';

  /** Shows the selected variable, or the overview, or the right message. */
  function updateMain() {
    overviewButton.classList.toggle('tbw-active', !variable);
    if (!runs.length) {
      mainView.showMessage(message('No weights data yet.', NO_DATA_HINT));
    } else if (!selected.length) {
      mainView.showMessage(message('No run selected', 'Select one or more runs on the left.'));
    } else if (!variable && pending && pending.variable) {
      // A link's variable shows once the tree has loaded.
      mainView.showMessage(h('div', {class: 'tbw-muted tbw-loading-text', text: 'Loading…'}));
    } else if (!variable) {
      const wanted = pending ? {field: pending.overviewField || DEFAULT_FIELD, run: pending.overviewRun} : {};
      overview.show(selected, wanted);
      if (!mainView.element.contains(overview.element)) mainView.showMessage(overview.element);
    } else {
      const byName = new Map(runs.map((r) => [r.run, r]));
      mainView.show(
        variable,
        selected.map((run) => ({run, color: colorOf(run), steps: byName.get(run)?.steps || []})),
      );
      // The tree's column and marks show the main view's step.
      const step = viewStateSupported ? mainView.viewState().step : '';
      if (step) layerTree.setStep(Number(step));
    }
    writeUrl();
  }

  /** Deselects the variable and shows the model overview. */
  function showOverview() {
    variable = null;
    layerTree.select(null);
    updateMain();
  }

  /**
   * Opens a variable of a run at a step: from an overview cell or a first
   * NaN/Inf result. The tree switches to that run.
   * @param {string} run  A selected run.
   * @param {string} path
   * @param {?number} step  null: the latest.
   */
  async function openVariable(run, path, step) {
    await updateTree(run);
    const node = layerTree.find(path);
    if (!node || node.kind !== 'variable') return;
    variable = node;
    layerTree.select(path);
    updateMain();
    if (step !== null && viewStateSupported) {
      // applyViewState does not call the view-state listeners.
      mainView.applyViewState({step: String(step)});
      writeUrl();
    }
    layerTree.setStep(step);
  }

  /**
   * What the dashboard shows, as kept in the URL.
   * @return {!UrlState}
   */
  function currentState() {
    return {
      ...emptyState(),
      runs: selected,
      variable: variable ? variable.path : null,
      overviewField: overview.field === DEFAULT_FIELD ? null : overview.field,
      overviewRun: overview.run && overview.run !== selected[0] ? overview.run : null,
      treeField: layerTree.field === DEFAULT_FIELD ? null : layerTree.field,
      view: variable && viewStateSupported ? mainView.viewState() : {},
    };
  }

  /** Keeps the runs, variable, overview and view options in the page's URL. */
  function writeUrl() {
    if (pending || !loaded) return;
    writeLocationHash(writeState(readLocationHash(), currentState()));
  }

  /**
   * Follows a URL changed by hand (a link pasted or edited in the same tab)
   * as opening it would: its runs, variable (none: the model overview),
   * overview and tree statistic (absent: the defaults), and view options.
   * Runs and view options the link leaves out stay as they are. A link
   * followed while an earlier one is still loading replaces it. A hash of
   * another dashboard is left alone; one without any of the dashboard's
   * keys (TensorBoard switching back to it) gets them back.
   */
  function followUrl() {
    const hash = readLocationHash();
    const {head, entries} = parseHash(hash);
    if (head !== 'weights' || !loaded) return;
    const shown = currentState();
    const wanted = readState(hash);
    const sameVariable = wanted.variable === shown.variable;
    /** @type {!UrlState} */
    const asWanted = {...wanted, runs: wanted.runs ?? shown.runs, view: sameVariable ? {...shown.view, ...wanted.view} : wanted.view};
    if (!entries.some(([key]) => key.startsWith(KEY_PREFIX)) || (!pending && writeState(hash, asWanted) === writeState(hash, shown))) {
      writeUrl(); // nothing to follow; puts back keys the hash dropped
      return;
    }
    pending = wanted;
    if (wanted.runs) {
      const want = new Set(wanted.runs);
      selected = runs.map((r) => r.run).filter((run) => want.has(run));
      picker.setRuns(runs, new Set(selected), colorOf);
      firstNonfinite.setRuns(selected);
    }
    if (!wanted.variable) {
      variable = null;
      layerTree.select(null);
      // The overview takes the link's statistic and run while it is pending.
      updateMain();
    }
    updateTree();
    // The same tree, already loaded: apply now (a new tree applies on load).
    if (treeLoaded && pending) applyPending();
    else if (!treeLoaded && wanted.variable) updateMain();
  }

  /**
   * Applies what the URL asked for once the tree has loaded: the variable
   * and the main view's options; then the URL follows the dashboard.
   */
  function applyPending() {
    const wanted = pending;
    if (!wanted) return;
    pending = null;
    layerTree.setField(wanted.treeField || DEFAULT_FIELD);
    const node = wanted.variable ? layerTree.find(wanted.variable) : null;
    if (node && node.kind === 'variable') {
      variable = node;
      layerTree.select(node.path);
      updateMain();
      if (viewStateSupported && Object.keys(wanted.view).length) mainView.applyViewState(wanted.view);
      if (wanted.view.step) layerTree.setStep(Number(wanted.view.step));
    }
    // Also rewrites the link's view keys as the view read them.
    writeUrl();
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
      pending = null;
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
      if (pending) applyPending();
      else if (!variable) updateMain();
    } catch (e) {
      if (!isCurrent()) return;
      tree = null;
      pending = null;
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
    // A link's runs, in run order, on the first load.
    const fromUrl = !loaded && pending && pending.runs ? new Set(pending.runs) : null;
    const kept = fromUrl ? runs.map((r) => r.run).filter((run) => fromUrl.has(run)) : selected.filter((run) => names.has(run));
    // The first run starts selected, and again when every selected run is
    // gone; a selection the user emptied stays empty.
    if (!kept.length && runs.length && (!loaded || selected.length) && !(fromUrl && pending && pending.runs && !pending.runs.length)) kept.push(runs[0].run);
    selected = kept;
    loaded = true;
    picker.setRuns(runs, new Set(selected), colorOf);
    firstNonfinite.setRuns(selected);
    if (!runs.length) {
      pending = null;
      picker.showMessage(message('No runs', 'No run holds weights data.'));
      layerTree.showMessage(h('div'));
      updateMain();
      return;
    }
    updateTree();
    updateMain();
  }

  onLocationHashChange(followUrl);

  // `/` focuses the tree's filter, unless a key is being typed somewhere.
  document.addEventListener('keydown', (event) => {
    if (event.key !== '/' || event.ctrlKey || event.metaKey || event.altKey || isTextEntry(event.target)) return;
    event.preventDefault();
    layerTree.focusSearch();
  });

  document.body.appendChild(
    h(
      'div',
      {class: 'tbw-app', testid: 'weights-app'},
      h(
        'aside',
        {class: 'tbw-sidebar', testid: 'sidebar'},
        picker.element,
        h('div', {class: 'tbw-nonfinite-section'}, h('div', {class: 'tbw-model-actions'}, overviewButton, h('span', {class: 'tbw-spacer'}), firstNonfinite.button), firstNonfinite.results),
        layerTree.element,
      ),
      h('main', {class: 'tbw-main'}, mainView.element),
    ),
  );
  mainView.showMessage(h('div', {class: 'tbw-muted tbw-loading-text', text: 'Loading…'}));
  await loadRuns();
}
