// The layer tree of the sidebar: collapsible modules, variables, references
// to shared objects, and a path filter.
//
// Only the rows in (and a little around) the scrolled window are in the DOM,
// absolutely placed in a box as tall as all rows, so a tree of thousands of
// variables renders and re-filters in milliseconds. A row element is kept
// while its path stays shown and looks the same, and the row with keyboard
// focus stays in the DOM when scrolled away, so it keeps the focus.

import {h, message, replace} from './dom.js';
import {Latest} from './data.js';
import {formatApprox, formatCompact, formatCount, formatFloat64, formatShape, plural} from './format.js';
import {OVERVIEW_FIELDS, fieldLabel} from './overview.js';
import {recordTiming} from './timing.js';

/** @typedef {import('./data.js').TreeNode} TreeNode */
/** @typedef {import('./data.js').Tree} Tree */
/** @typedef {import('./data.js').Overview} Overview */

/**
 * @typedef {{node: !TreeNode, depth: number, parent: ?string}}
 */
let Entry;

/**
 * A row to show, in display order.
 * @typedef {{
 *   node: !TreeNode, depth: number, hasChildren: boolean, open: boolean,
 *   position: number, siblings: number, label: string,
 * }}
 *     `position` (1-based) and `siblings`: among the shown children of the
 *     row's parent, for `aria-posinset` and `aria-setsize`; `label`: the
 *     name shown (the whole path in a sorted, flat list).
 */
let Line;

/**
 * A row element in the DOM and the key of what it shows.
 * @typedef {{el: !HTMLElement, key: string}}
 */
let Row;

const INDENT = 14;
// Height of a row in CSS pixels, as `.tbw-row` in style.css.
const ROW_HEIGHT = 24;
// Rows rendered beyond each edge of the visible window, so that scrolling
// does not uncover empty space before the next render.
const OVERSCAN = 20;
// Visible height assumed while the tree has no layout yet.
const FALLBACK_HEIGHT = 800;

/**
 * Every node of the forest by path.
 * @param {!Array<!TreeNode>} roots
 * @return {!Map<string, !Entry>}
 */
export function indexTree(roots) {
  /** @type {!Map<string, !Entry>} */
  const index = new Map();
  /**
   * @param {!TreeNode} node
   * @param {number} depth
   * @param {?string} parent
   */
  const visit = (node, depth, parent) => {
    // A path seen twice keeps its first node (the owner, per FORMAT.md).
    if (!index.has(node.path)) index.set(node.path, {node, depth, parent});
    for (const child of node.children || []) visit(child, depth + 1, node.path);
  };
  for (const root of roots) visit(root, 0, null);
  return index;
}

/**
 * The paths of the nodes to show for a filter: the nodes whose path contains
 * the query (case-insensitive) and their ancestors.
 * @param {!Array<!TreeNode>} roots
 * @param {string} query  Lower case, non-empty.
 * @return {!Set<string>}
 */
export function filterTree(roots, query) {
  /** @type {!Set<string>} */
  const visible = new Set();
  /**
   * @param {!TreeNode} node
   * @return {boolean}  whether the node is shown.
   */
  const visit = (node) => {
    let shown = node.path.toLowerCase().includes(query);
    for (const child of node.children || []) {
      if (visit(child)) shown = true;
    }
    if (shown) visible.add(node.path);
    return shown;
  };
  roots.forEach(visit);
  return visible;
}

/**
 * How the tree's rows are ordered: `tree` (the hierarchy), or a flat list
 * of the variables by the statistic column, `desc` or `asc`.
 * @typedef {string}
 */
export let SortOrder;

/** The order after `order` when the column header is clicked. */
const NEXT_SORT = {tree: 'desc', desc: 'asc', asc: 'tree'};

/**
 * Variable paths ordered by a value, largest first (`desc`) or smallest
 * first (`asc`); NaN, infinities and missing values go last (NaN, +Inf,
 * -Inf, missing, in that order), ties keep the given order.
 * @param {!Array<string>} paths  In tree order.
 * @param {function(string): ?number} valueOf
 * @param {!SortOrder} order  `desc` or `asc`.
 * @return {!Array<string>}
 */
export function sortByValue(paths, valueOf, order) {
  const sign = order === 'asc' ? 1 : -1;
  /** @param {?number} v @return {number} */
  const rank = (v) => (v === null || v === undefined ? 4 : Number.isNaN(v) ? 1 : v === Infinity ? 2 : v === -Infinity ? 3 : 0);
  return paths
    .map((path, k) => ({path, k, value: valueOf(path)}))
    .sort((a, b) => {
      const ra = rank(a.value);
      const rb = rank(b.value);
      if (ra !== rb) return ra - rb;
      if (ra === 0 && a.value !== b.value) return sign * (/** @type {number} */ (a.value) - /** @type {number} */ (b.value));
      return a.k - b.k;
    })
    .map(({path}) => path);
}

/**
 * The index into ascending `steps` of the latest step at or before `step`
 * (the latest of all when `step` is null).
 * @param {!Array<number>} steps
 * @param {?number} step
 * @return {number}  -1 when every step is later.
 */
export function stepIndex(steps, step) {
  if (step === null) return steps.length - 1;
  let found = -1;
  for (let k = 0; k < steps.length && steps[k] <= step; k++) found = k;
  return found;
}

/**
 * NaN and Inf counts of a node at one step: its own for a variable, summed
 * over the variables below it for a module.
 * @typedef {{nan: number, inf: number, variables: number}}
 */
export let NonfiniteMark;

/**
 * The marks of the variables holding NaN or Inf and of their ancestors.
 * @param {!Map<string, !Entry>} index
 * @param {!Map<string, !Array<number>>} counts  Per variable path: its
 *     `[nan count, inf count]` at the step.
 * @return {!Map<string, !NonfiniteMark>}
 */
export function nonfiniteMarks(index, counts) {
  /** @type {!Map<string, !NonfiniteMark>} */
  const marks = new Map();
  for (const [path, [nan, inf]] of counts) {
    if (!(nan > 0 || inf > 0)) continue;
    let entry = index.get(path);
    let at = path;
    while (entry) {
      const mark = marks.get(at) || {nan: 0, inf: 0, variables: 0};
      mark.nan += nan || 0;
      mark.inf += inf || 0;
      mark.variables += 1;
      marks.set(at, mark);
      if (entry.parent === null) break;
      at = entry.parent;
      entry = index.get(at);
    }
  }
  return marks;
}

/**
 * The sidebar's layer tree.
 */
export class LayerTree {
  /**
   * @param {function(!TreeNode)} onSelect  Called with the variable node the
   *     user selected.
   * @param {function(string, string): !Promise<!Overview>} getOverview  The
   *     data of the statistic column and the NaN/Inf marks (data.js).
   */
  constructor(onSelect, getOverview) {
    this.onSelect = onSelect;
    this.getOverview = getOverview;
    /** @type {function(string)} Called when the user picks the column's statistic. */
    this.onFieldChange = () => {};
    this.field = 'update_ratio';
    /** @type {!SortOrder} */
    this.sort = 'tree';
    /** @type {?number} The step of the column and marks; null: the latest. */
    this.step = null;
    /** @type {?Overview} The column's statistic of the tree's run. */
    this.statistic = null;
    /** @type {?Overview} */
    this.nanCounts = null;
    /** @type {?Overview} */
    this.infCounts = null;
    /** @type {!Map<string, ?number>} The column's value per variable path. */
    this.values = new Map();
    /** @type {!Set<string>} Variables first logged at the shown step. */
    this.firstLogged = new Set();
    /** @type {!Map<string, !NonfiniteMark>} */
    this.marks = new Map();
    /** @type {!Array<number>} Steps of the column's data. */
    this.columnSteps = [];
    this.columnRequests = new Latest();
    /** @type {!Array<!TreeNode>} */
    this.roots = [];
    /** @type {!Map<string, !Entry>} */
    this.index = new Map();
    /** @type {!Set<string>} */
    this.expanded = new Set();
    /** @type {!Set<string>} Module paths of every tree shown so far. */
    this.seen = new Set();
    /** @type {?string} */
    this.selectedPath = null;
    /** @type {?string} Row with keyboard focus. */
    this.focusPath = null;
    this.query = '';
    /** @type {?Tree} */
    this.tree = null;
    this.variableCount = 0;
    /** @type {!Array<!Line>} The rows to show, in display order. */
    this.lines = [];
    /** @type {!Array<string>} Paths of the rows in display order. */
    this.rowPaths = [];
    /** @type {!Map<string, number>} Display position of each shown path. */
    this.rowIndex = new Map();
    /** @type {!Map<string, !Row>} The row elements in the DOM, by path. */
    this.rows = new Map();

    this.search = /** @type {!HTMLInputElement} */ (
      h('input', {
        type: 'search',
        class: 'tbw-search',
        testid: 'tree-search',
        placeholder: 'Filter by path',
        'aria-label': 'Filter layers and variables by path',
        spellcheck: 'false',
      })
    );
    this.search.addEventListener('input', () => {
      const query = this.search.value.trim().toLowerCase();
      if (query === this.query) return;
      this.query = query;
      // The matches are read from the top.
      this.list.scrollTop = 0;
      this.renderRows('tree-filter');
    });
    this.search.addEventListener('keydown', (event) => {
      if (event.key === 'ArrowDown' && this.rowPaths.length) {
        event.preventDefault();
        this.focusRow(this.rowPaths[0]);
      } else if (event.key === 'Escape') {
        this.search.value = '';
        this.query = '';
        this.renderRows('tree-filter');
      }
    });
    this.runSelect = /** @type {!HTMLSelectElement} */ (
      h('select', {class: 'tbw-select', testid: 'tree-run', 'aria-label': 'Run whose layers are shown'})
    );
    this.runSelect.addEventListener('change', () => this.onRunPick(this.runSelect.value));
    /** @type {function(string)} */
    this.onRunPick = () => {};
    this.runChoice = h('span', {class: 'tbw-tree-run'}, 'Layers of ', this.runSelect);
    this.runChoice.hidden = true;
    this.captionText = h('span');
    this.caption = h('div', {class: 'tbw-tree-caption tbw-muted', testid: 'tree-caption'}, this.runChoice, this.captionText);
    this.searchBox = h('div', {class: 'tbw-search-box'}, this.search);
    this.fieldSelect = /** @type {!HTMLSelectElement} */ (
      h(
        'select',
        {class: 'tbw-select', testid: 'tree-field', 'aria-label': 'Statistic of the column'},
        OVERVIEW_FIELDS.map(({value, label}) => h('option', {value, text: label})),
      )
    );
    this.fieldSelect.addEventListener('change', () => {
      this.field = this.fieldSelect.value;
      this.updateSortButton();
      this.updateCaption();
      this.onFieldChange(this.field);
      this.loadColumn();
    });
    this.stepSelect = /** @type {!HTMLSelectElement} */ (
      h('select', {class: 'tbw-select', testid: 'tree-step', 'aria-label': 'Step of the column and of the NaN/Inf marks'})
    );
    this.stepSelect.addEventListener('change', () => this.setStep(Number(this.stepSelect.value)));
    this.sortButton = h('button', {class: 'tbw-sort-button', testid: 'tree-sort', onclick: () => this.setSort(NEXT_SORT[this.sort])});
    this.columns = h(
      'div',
      {class: 'tbw-tree-columns', testid: 'tree-columns'},
      h('label', {class: 'tbw-overview-control'}, h('span', {text: 'Step'}), this.stepSelect),
      h('span', {class: 'tbw-spacer'}),
      this.fieldSelect,
      this.sortButton,
    );
    this.columns.hidden = true;
    this.updateSortButton();
    this.list = h('div', {class: 'tbw-tree', testid: 'tree', role: 'tree', 'aria-label': 'Layers and variables'});
    // As tall as all rows; holds the rendered ones at their places.
    this.rowBox = h('div', {class: 'tbw-tree-rows', role: 'presentation'});
    this.list.addEventListener('keydown', (event) => this.onKey(event));
    this.list.addEventListener('scroll', () => this.renderWindow());
    new ResizeObserver(() => this.renderWindow()).observe(this.list);
    this.element = h(
      'div',
      {class: 'tbw-tree-section'},
      h(
        'div',
        {class: 'tbw-sidebar-header'},
        h('span', {class: 'tbw-sidebar-title', text: 'Layers'}),
        h('span', {class: 'tbw-spacer'}),
        h('button', {class: 'tbw-text-button', text: 'Expand all', title: 'Expand every module', onclick: () => this.expandAll(true)}),
        h('button', {class: 'tbw-text-button', text: 'Collapse', title: 'Collapse to the models', onclick: () => this.expandAll(false)}),
      ),
      this.searchBox,
      this.caption,
      this.columns,
      this.list,
    );
  }

  /** The caption: which run and step the tree is of, how many variables. */
  updateCaption() {
    if (!this.tree) return;
    const run = this.tree.run;
    const shown = this.shownStep();
    const step = shown === null ? this.tree.step : shown;
    const count = plural(this.variableCount, 'variable');
    const order = this.sort === 'tree' ? '' : ` · by ${fieldLabel(this.field)} ${this.sort === 'desc' ? '↓' : '↑'}`;
    this.captionText.textContent = this.runChoice.hidden
      ? `${run} at step ${step} · ${count}${order}`
      : ` at step ${step} · ${count}${order}`;
  }

  /**
   * Offers a choice of the run whose tree is shown, when several are
   * selected.
   * @param {!Array<string>} runs  The selected runs.
   * @param {?string} current  The run whose tree is shown.
   * @param {function(string)} onPick
   */
  setRunChoices(runs, current, onPick) {
    this.onRunPick = onPick;
    this.runChoice.hidden = runs.length <= 1;
    replace(this.runSelect, runs.map((run) => h('option', {value: run, text: run, selected: run === current})));
    this.updateCaption();
  }

  /**
   * Shows a message instead of the tree (loading, error, no run).
   * @param {!HTMLElement} content
   */
  showMessage(content) {
    this.tree = null;
    this.roots = [];
    this.index = new Map();
    this.searchBox.hidden = true;
    this.columns.hidden = true;
    this.captionText.textContent = '';
    this.setLines([]);
    this.clearRows();
    replace(this.list, content);
  }

  /**
   * Shows a run's tree. Expansion is kept by path.
   * @param {!Tree} tree
   * @param {?string=} selectedPath  The selected variable, whose ancestors
   *     are expanded; kept by path across trees.
   */
  setTree(tree, selectedPath = null) {
    const start = performance.now();
    this.searchBox.hidden = false;
    this.roots = tree.models;
    this.index = indexTree(this.roots);
    // Models and their direct children start expanded; modules seen before
    // (in an earlier tree) keep the state the user left them in.
    let variables = 0;
    for (const [path, entry] of this.index) {
      if (entry.node.kind === 'variable') variables++;
      if (entry.node.kind !== 'module' || this.seen.has(path)) continue;
      this.seen.add(path);
      if (entry.depth <= 1) this.expanded.add(path);
    }
    const runChanged = !this.tree || this.tree.run !== tree.run;
    this.tree = tree;
    this.variableCount = variables;
    if (runChanged) {
      this.statistic = null;
      this.nanCounts = null;
      this.infCounts = null;
      this.step = null;
      this.columnSteps = [];
    }
    this.updateColumnValues();
    this.updateCaption();
    if (!this.roots.length) {
      this.showMessage(message('No models', `Nothing was logged in ${tree.run} at step ${tree.step}.`));
      return;
    }
    // The nodes are new objects: no row element can be kept.
    this.clearRows();
    this.selectedPath = selectedPath;
    if (selectedPath) this.expandTo(selectedPath);
    this.columns.hidden = false;
    this.renderRows('tree-render', start);
    if (selectedPath) this.scrollTo(selectedPath);
    this.loadColumn();
  }

  /**
   * Fetches the column's statistic and the NaN and Inf counts of the
   * tree's run (cached by data.js), then shows them.
   */
  async loadColumn() {
    if (!this.tree) return;
    const isCurrent = this.columnRequests.next();
    const run = this.tree.run;
    const field = this.field;
    this.fieldSelect.value = field;
    const [statistic, nanCounts, infCounts] = await Promise.all(
      [field, 'nan_count', 'inf_count'].map((f) => this.getOverview(run, f).catch(() => null)),
    );
    if (!isCurrent() || !this.tree || this.tree.run !== run) return;
    this.statistic = statistic;
    this.nanCounts = nanCounts;
    this.infCounts = infCounts;
    const steps = (statistic || nanCounts || {steps: []}).steps;
    this.columnSteps = steps;
    replace(this.stepSelect, steps.map((s) => h('option', {value: String(s), text: String(s)})));
    this.stepSelect.disabled = steps.length <= 1;
    this.updateColumnValues();
    this.updateCaption();
    this.renderRows('tree-column');
  }

  /** @return {?number} The step the column and the marks show (null before they load). */
  shownStep() {
    const k = stepIndex(this.columnSteps, this.step);
    return k < 0 ? null : this.columnSteps[k];
  }

  /** Works out the column's values and the marks at the shown step. */
  updateColumnValues() {
    const k = stepIndex(this.columnSteps, this.step);
    /** @type {!Map<string, ?number>} */
    const values = new Map();
    /** @type {!Set<string>} */
    const firstLogged = new Set();
    for (const v of (this.statistic && this.statistic.variables) || []) {
      values.set(v.path, k < 0 ? null : v.values[k]);
      if (k >= 0 && v.values.findIndex((x) => x !== null) === k) firstLogged.add(v.path);
    }
    this.values = values;
    this.firstLogged = firstLogged;
    /** @type {!Map<string, !Array<number>>} */
    const counts = new Map();
    const add = (overview, slot) => {
      if (!overview || k < 0) return;
      const at = overview.steps.indexOf(this.columnSteps[k]);
      for (const v of overview.variables) {
        const c = counts.get(v.path) || [0, 0];
        c[slot] = at < 0 ? 0 : Number(v.values[at]) || 0;
        counts.set(v.path, c);
      }
    };
    add(this.nanCounts, 0);
    add(this.infCounts, 1);
    this.marks = nonfiniteMarks(this.index, counts);
    const shown = this.shownStep();
    if (shown !== null) this.stepSelect.value = String(shown);
  }

  /**
   * Shows the column and the marks at `step` (the latest logged step at or
   * before it), e.g. the step of the main view.
   * @param {?number} step  null: the latest.
   */
  setStep(step) {
    if (step === this.step) return;
    this.step = step;
    this.updateColumnValues();
    this.updateCaption();
    this.renderRows('tree-column');
  }

  /**
   * Sets the column's statistic (from the URL).
   * @param {string} field  One of the overview's fields.
   */
  setField(field) {
    if (field === this.field || !OVERVIEW_FIELDS.some((f) => f.value === field)) return;
    this.field = field;
    this.fieldSelect.value = field;
    this.updateSortButton();
    this.loadColumn();
  }

  /** @param {!SortOrder} order  Orders the rows: tree order, or flat by the column. */
  setSort(order) {
    this.sort = order;
    this.updateSortButton();
    this.updateCaption();
    this.list.scrollTop = 0;
    this.renderRows('tree-sort');
  }

  /** Shows the order on the column header. */
  updateSortButton() {
    const label = fieldLabel(this.field);
    const arrows = {tree: '⇅', desc: '↓', asc: '↑'};
    this.sortButton.textContent = arrows[this.sort];
    this.sortButton.classList.toggle('tbw-sorted', this.sort !== 'tree');
    this.sortButton.dataset.sort = this.sort;
    this.sortButton.title = {
      tree: `Tree order. Click to list the variables by ${label}, largest first`,
      desc: `Variables by ${label}, largest first. Click for smallest first`,
      asc: `Variables by ${label}, smallest first. Click for tree order`,
    }[this.sort];
    this.sortButton.setAttribute('aria-label', this.sortButton.title);
  }

  /**
   * The node at `path` in the current tree.
   * @param {string} path
   * @return {?TreeNode}
   */
  find(path) {
    const entry = this.index.get(path);
    return entry ? entry.node : null;
  }

  /**
   * Highlights `path` (or nothing) as the selected variable, expanding its
   * ancestors.
   * @param {?string} path
   */
  select(path) {
    this.selectedPath = path;
    if (path) this.expandTo(path);
    this.renderRows();
    if (path) this.scrollTo(path);
  }

  /** @param {string} path  Expands every ancestor of `path`. */
  expandTo(path) {
    let entry = this.index.get(path);
    while (entry && entry.parent) {
      this.expanded.add(entry.parent);
      entry = this.index.get(entry.parent);
    }
  }

  /** @param {boolean} open  Expands all modules, or collapses to the models. */
  expandAll(open) {
    this.expanded.clear();
    for (const [path, entry] of this.index) {
      if (entry.node.kind === 'module' && (open || entry.depth === 0)) this.expanded.add(path);
    }
    this.renderRows();
  }

  /** @param {string} path  Opens or closes a module. */
  toggle(path) {
    if (this.expanded.has(path)) this.expanded.delete(path);
    else this.expanded.add(path);
    this.renderRows();
  }

  /**
   * Acts on a row: selects a variable, toggles a module, follows a
   * reference to its target.
   * @param {!TreeNode} node
   */
  activate(node) {
    if (node.kind === 'variable') {
      this.focusPath = node.path;
      this.select(node.path);
      this.onSelect(node);
    } else if (node.kind === 'reference') {
      const target = node.target ? this.find(node.target) : null;
      if (!target) return;
      if (this.query && !filterTree(this.roots, this.query).has(target.path)) {
        this.search.value = '';
        this.query = '';
      }
      this.focusPath = target.path;
      if (target.kind === 'variable') {
        this.activate(target);
      } else {
        this.expandTo(target.path);
        this.expanded.add(target.path);
        this.renderRows();
        this.scrollTo(target.path);
        this.flash(target.path);
      }
    } else {
      this.focusPath = node.path;
      this.toggle(node.path);
    }
  }

  /**
   * The rows to show for the current filter and expansion, in display order.
   * @return {!Array<!Line>}
   */
  visibleLines() {
    const filtering = this.query !== '';
    const visible = filtering ? filterTree(this.roots, this.query) : null;
    /** @type {!Array<!Line>} */
    const lines = [];
    if (this.sort !== 'tree') {
      const paths = [];
      for (const [path, entry] of this.index) {
        if (entry.node.kind === 'variable' && (!visible || path.toLowerCase().includes(this.query))) paths.push(path);
      }
      const sorted = sortByValue(paths, (path) => this.values.get(path) ?? null, this.sort);
      sorted.forEach((path, k) => {
        const node = /** @type {!TreeNode} */ (this.find(path));
        lines.push({node, depth: 0, hasChildren: false, open: false, position: k + 1, siblings: sorted.length, label: path});
      });
      return lines;
    }
    /**
     * @param {!Array<!TreeNode>} nodes
     * @param {number} depth
     */
    const visit = (nodes, depth) => {
      const shown = visible ? nodes.filter((node) => visible.has(node.path)) : nodes;
      shown.forEach((node, k) => {
        const hasChildren = node.kind === 'module' && (node.children || []).length > 0;
        const open = hasChildren && (filtering || this.expanded.has(node.path));
        lines.push({node, depth, hasChildren, open, position: k + 1, siblings: shown.length, label: node.name});
        if (open) visit(/** @type {!Array<!TreeNode>} */ (node.children), depth + 1);
      });
    };
    visit(this.roots, 0);
    return lines;
  }

  /** @param {!Array<!Line>} lines  Sets the rows to show. */
  setLines(lines) {
    this.lines = lines;
    this.rowPaths = lines.map((line) => line.node.path);
    this.rowIndex = new Map(this.rowPaths.map((path, i) => [path, i]));
  }

  /** Removes every row element. */
  clearRows() {
    this.rows = new Map();
    this.rowBox.replaceChildren();
  }

  /**
   * Works out the rows to show and renders those in the scrolled window.
   * @param {string=} what  What caused the render, for {@link recordTiming}.
   * @param {number=} start  `performance.now()` when the render began.
   */
  renderRows(what = 'tree-toggle', start = performance.now()) {
    if (!this.roots.length) return;
    this.setLines(this.visibleLines());
    if (!this.lines.length) {
      this.clearRows();
      replace(this.list, message('No match', `No layer or variable path contains “${this.search.value.trim()}”.`));
      recordTiming(what, this.list, start, '0 rows');
      return;
    }
    if (this.focusPath === null || !this.rowIndex.has(this.focusPath)) {
      this.focusPath = this.rowIndex.has(this.selectedPath || '') ? this.selectedPath : this.rowPaths[0];
    }
    if (this.rowBox.parentNode !== this.list) replace(this.list, this.rowBox);
    this.rowBox.style.height = `${this.lines.length * ROW_HEIGHT}px`;
    this.renderWindow();
    recordTiming(what, this.list, start, `${this.lines.length} rows`);
  }

  /**
   * Puts the rows of the scrolled window (and the focused row) in the DOM,
   * reusing the elements of rows that look the same, and removes the rest.
   */
  renderWindow() {
    if (this.rowBox.parentNode !== this.list || !this.lines.length) return;
    const count = this.lines.length;
    const top = this.list.scrollTop;
    const height = this.list.clientHeight || FALLBACK_HEIGHT;
    const first = Math.max(0, Math.floor(top / ROW_HEIGHT) - OVERSCAN);
    const end = Math.min(count, Math.ceil((top + height) / ROW_HEIGHT) + OVERSCAN);
    const positions = [];
    const focus = this.rowIndex.get(this.focusPath || '');
    if (focus !== undefined && focus < first) positions.push(focus);
    for (let i = first; i < end; i++) positions.push(i);
    if (focus !== undefined && focus >= end) positions.push(focus);

    /** @type {!Map<string, !Row>} */
    const rows = new Map();
    for (const i of positions) {
      const line = this.lines[i];
      const path = line.node.path;
      const key = this.rowKey(line);
      let row = this.rows.get(path);
      if (!row || row.key !== key) row = {el: this.renderRow(line), key};
      const el = row.el;
      el.style.top = `${i * ROW_HEIGHT}px`;
      el.tabIndex = path === this.focusPath ? 0 : -1;
      el.setAttribute('aria-posinset', String(line.position));
      el.setAttribute('aria-setsize', String(line.siblings));
      rows.set(path, row);
    }
    for (const [path, row] of this.rows) {
      if (rows.get(path) !== row) row.el.remove();
    }
    // Kept rows are already in display order (it does not change between
    // renders); new ones go in between. A kept row is never moved, since
    // moving the focused element would blur it.
    let next = this.rowBox.firstChild;
    for (const {el} of rows.values()) {
      if (el.parentNode === this.rowBox) {
        next = el.nextSibling;
      } else {
        this.rowBox.insertBefore(el, next);
      }
    }
    this.rows = rows;
  }

  /**
   * What a row's element shows besides its place: a row whose key is
   * unchanged keeps its element.
   * @param {!Line} line
   * @return {string}
   */
  rowKey(line) {
    const path = line.node.path;
    const selected = path === this.selectedPath;
    const mark = this.marks.get(path);
    const value = this.values.get(path);
    return `${line.depth} ${line.open} ${selected} ${this.query} ${line.label} ${value} ${mark ? `${mark.nan}/${mark.inf}` : ''} ${this.step}`;
  }

  /**
   * The name, with the part matching the filter marked.
   * @param {string} name
   * @return {!Array<(string|!HTMLElement)>}
   */
  markedName(name) {
    const at = this.query ? name.toLowerCase().indexOf(this.query) : -1;
    if (at < 0) return [name];
    return [
      name.slice(0, at),
      h('mark', {text: name.slice(at, at + this.query.length)}),
      name.slice(at + this.query.length),
    ];
  }

  /**
   * One row.
   * @param {!Line} line
   * @return {!HTMLElement}
   */
  renderRow({node, depth, hasChildren, open, label}) {
    const selected = node.path === this.selectedPath;
    const caret = h('span', {
      class: `tbw-caret${hasChildren ? '' : ' tbw-caret-none'}${open ? ' tbw-caret-open' : ''}`,
      'aria-hidden': 'true',
    });
    const name = h('span', {class: 'tbw-node-name'}, this.markedName(label));
    /** @type {!Array<*>} */
    const meta = [];
    let count = null;
    if (node.kind === 'module') {
      meta.push(h('span', {class: 'tbw-node-class', text: node.class_name || ''}));
      if ((node.shared_with || []).length) {
        meta.push(h('span', {class: 'tbw-badge tbw-badge-shared', text: 'shared', title: `Also used by: ${(node.shared_with || []).join(', ')}`}));
      }
      count = node.parameter_count || 0;
    } else if (node.kind === 'variable') {
      // In a clipped wrapping box: what does not fit drops out whole (dtype
      // first, then the badge) instead of showing as "flo…".
      meta.push(
        h(
          'span',
          {class: 'tbw-node-meta'},
          h('span', {class: 'tbw-node-shape', text: formatShape(node.shape || [])}),
          node.trainable
            ? null
            : h('span', {class: 'tbw-badge tbw-badge-frozen', testid: 'non-trainable', text: 'non-trainable', title: 'Not trained by the optimizer'}),
          h('span', {class: 'tbw-node-dtype', text: node.dtype || ''}),
        ),
      );
      count = node.parameter_count || 0;
    } else {
      meta.push(
        h('span', {class: 'tbw-node-ref', title: `Shared ${node.class_name || 'object'}; it appears under ${node.target}. Click to go there.`, text: `shared → ${node.target || ''}`}),
      );
    }
    let title = node.path;
    if (count !== null) {
      title += `\n${formatCount(count)} parameter${count === 1 ? '' : 's'}`;
      if (node.kind === 'module' && node.trainable_parameter_count !== undefined && node.trainable_parameter_count !== count) {
        title += ` (${formatCount(node.trainable_parameter_count)} trainable)`;
      }
    }
    const row = h(
      'div',
      {
        class: `tbw-row tbw-row-${node.kind}${selected ? ' tbw-row-selected' : ''}${depth === 0 && this.sort === 'tree' ? ' tbw-row-root' : ''}`,
        role: 'treeitem',
        testid: `tree-${node.kind}`,
        title,
        'aria-level': String(depth + 1),
        'aria-selected': selected ? 'true' : 'false',
        'aria-expanded': hasChildren ? String(open) : null,
        dataset: {path: node.path},
        style: {paddingLeft: `${4 + depth * INDENT}px`},
      },
      node.kind === 'variable'
        ? h('span', {class: 'tbw-caret tbw-caret-none'}, h('span', {class: `tbw-var-dot${node.trainable ? '' : ' tbw-var-dot-frozen'}`, title: node.trainable ? 'trainable' : 'non-trainable'}))
        : caret,
      name,
      meta,
      h('span', {class: 'tbw-spacer'}),
      count !== null ? h('span', {class: 'tbw-node-count', text: formatCompact(count)}) : null,
      this.statCell(node),
    );
    const mark = this.markOf(node);
    if (mark) name.after(mark);
    if (mark) row.title += `\n${mark.title}`;
    row.addEventListener('click', (event) => {
      if (event.target === caret && hasChildren) {
        this.focusPath = node.path;
        this.toggle(node.path);
      } else {
        this.activate(node);
      }
      this.focusRow(this.focusPath || node.path);
    });
    return row;
  }

  /**
   * The statistic column's cell of a row: the value for a variable, empty
   * for the others (kept for alignment).
   * @param {!TreeNode} node
   * @return {?HTMLElement}
   */
  statCell(node) {
    if (!this.statistic) return null;
    if (node.kind !== 'variable') return h('span', {class: 'tbw-node-stat'});
    const value = this.values.get(node.path);
    const shown = this.shownStep();
    // An update ratio at a variable's first logged step has nothing to
    // compare with: no value rather than a NaN.
    const none = value === null || value === undefined || (this.field === 'update_ratio' && this.firstLogged.has(node.path) && Number.isNaN(value));
    let text = '–';
    let title = value === null || value === undefined
      ? `${fieldLabel(this.field)}: not logged at step ${shown}`
      : `${fieldLabel(this.field)}: none at step ${shown}, the first logged step`;
    if (!none) {
      text = Number.isNaN(value) ? 'NaN' : formatApprox(value, 2);
      title = `${fieldLabel(this.field)} at step ${shown}: ${formatFloat64(/** @type {number} */ (value))}`;
    }
    return h('span', {
      class: `tbw-node-stat${!none && !Number.isFinite(value) ? ' tbw-node-stat-bad' : ''}`,
      testid: 'tree-stat',
      title,
      text,
    });
  }

  /**
   * The red NaN/Inf mark of a row, if it or a variable below holds NaN or
   * Inf at the shown step.
   * @param {!TreeNode} node
   * @return {?HTMLElement}
   */
  markOf(node) {
    const mark = this.marks.get(node.path);
    if (!mark) return null;
    const counts = [mark.nan ? `${formatCount(mark.nan)} NaN` : '', mark.inf ? `${formatCount(mark.inf)} Inf` : ''].filter(Boolean).join(' and ');
    const step = this.shownStep();
    const own = node.kind === 'variable';
    const title = own
      ? `${counts} value${mark.nan + mark.inf === 1 ? '' : 's'} at step ${step}`
      : `${plural(mark.variables, 'variable')} below ${mark.variables === 1 ? 'holds' : 'hold'} NaN or Inf at step ${step} (${counts})`;
    return h('span', {
      class: `tbw-nonfinite-mark${own ? '' : ' tbw-nonfinite-mark-ancestor'}`,
      testid: 'nonfinite-mark',
      title,
      'aria-label': title,
      text: own ? '!' : String(mark.variables),
    });
  }

  /** Focuses the search box, selecting its text (the `/` key). */
  focusSearch() {
    if (this.searchBox.hidden) return;
    this.search.focus();
    this.search.select();
  }

  /** @param {string} path  Moves keyboard focus to a row, scrolling to it. */
  focusRow(path) {
    this.focusPath = path;
    this.scrollTo(path);
    for (const [rowPath, {el}] of this.rows) el.tabIndex = rowPath === path ? 0 : -1;
    const row = this.rows.get(path);
    if (row) row.el.focus({preventScroll: true});
  }

  /**
   * The row element of `path`, if rendered.
   * @param {string} path
   * @return {?HTMLElement}
   */
  rowOf(path) {
    const row = this.rows.get(path);
    return row ? row.el : null;
  }

  /** @param {string} path  Scrolls the least needed to show a row. */
  scrollTo(path) {
    const i = this.rowIndex.get(path);
    if (i === undefined) return;
    const height = this.list.clientHeight;
    if (height > 0) {
      const top = i * ROW_HEIGHT;
      if (top < this.list.scrollTop) this.list.scrollTop = top;
      else if (top + ROW_HEIGHT > this.list.scrollTop + height) this.list.scrollTop = top + ROW_HEIGHT - height;
    }
    this.renderWindow();
  }

  /** @param {string} path  Briefly highlights a row (a reference target). */
  flash(path) {
    const row = this.rowOf(path);
    if (!row) return;
    row.classList.add('tbw-row-flash');
    setTimeout(() => row.classList.remove('tbw-row-flash'), 1200);
  }

  /**
   * Keyboard navigation: arrows move and open/close, Enter selects.
   * @param {!KeyboardEvent} event
   */
  onKey(event) {
    const i = this.rowIndex.get(this.focusPath || '');
    if (i === undefined) return;
    const {node, open} = this.lines[i];
    const path = node.path;
    const entry = this.index.get(path);
    if (!entry) return;
    let handled = true;
    switch (event.key) {
      case 'ArrowDown':
        if (i + 1 < this.rowPaths.length) this.focusRow(this.rowPaths[i + 1]);
        break;
      case 'ArrowUp':
        if (i > 0) this.focusRow(this.rowPaths[i - 1]);
        else this.search.focus();
        break;
      case 'ArrowRight':
        if (node.kind === 'module' && !open && (node.children || []).length) {
          this.toggle(path);
          this.focusRow(path);
        } else if (open) {
          this.focusRow(this.rowPaths[i + 1]);
        }
        break;
      case 'ArrowLeft':
        if (open && this.query === '') {
          this.toggle(path);
          this.focusRow(path);
        } else if (entry.parent && this.rowIndex.has(entry.parent)) {
          this.focusRow(entry.parent);
        }
        break;
      case 'PageDown':
      case 'PageUp': {
        const page = Math.max(1, Math.floor(this.list.clientHeight / ROW_HEIGHT) - 1);
        const to = Math.max(0, Math.min(this.rowPaths.length - 1, i + (event.key === 'PageDown' ? page : -page)));
        this.focusRow(this.rowPaths[to]);
        break;
      }
      case 'Home':
        this.focusRow(this.rowPaths[0]);
        break;
      case 'End':
        this.focusRow(this.rowPaths[this.rowPaths.length - 1]);
        break;
      case 'Enter':
      case ' ':
        this.activate(node);
        this.focusRow(this.focusPath || path);
        break;
      default:
        handled = false;
    }
    if (handled) event.preventDefault();
  }
}
