// The layer tree of the sidebar: collapsible modules, variables, references
// to shared objects, and a path filter.

import {h, message, replace} from './dom.js';
import {formatCompact, formatCount, formatShape, plural} from './format.js';

/** @typedef {import('./data.js').TreeNode} TreeNode */
/** @typedef {import('./data.js').Tree} Tree */

/**
 * @typedef {{node: !TreeNode, depth: number, parent: ?string}}
 */
let Entry;

const INDENT = 14;

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
 * The sidebar's layer tree.
 */
export class LayerTree {
  /**
   * @param {function(!TreeNode)} onSelect  Called with the variable node the
   *     user selected.
   */
  constructor(onSelect) {
    this.onSelect = onSelect;
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
    /** @type {!Array<string>} Paths of the rows in display order. */
    this.rowPaths = [];

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
      this.query = this.search.value.trim().toLowerCase();
      this.renderRows();
    });
    this.search.addEventListener('keydown', (event) => {
      if (event.key === 'ArrowDown' && this.rowPaths.length) {
        event.preventDefault();
        this.focusRow(this.rowPaths[0]);
      } else if (event.key === 'Escape') {
        this.search.value = '';
        this.query = '';
        this.renderRows();
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
    this.list = h('div', {class: 'tbw-tree', testid: 'tree', role: 'tree', 'aria-label': 'Layers and variables'});
    this.list.addEventListener('keydown', (event) => this.onKey(event));
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
      this.list,
    );
  }

  /** The caption: which run and step the tree is of, how many variables. */
  updateCaption() {
    if (!this.tree) return;
    const {run, step} = this.tree;
    const count = plural(this.variableCount, 'variable');
    this.captionText.textContent = this.runChoice.hidden
      ? `${run} at step ${step} · ${count}`
      : ` at step ${step} · ${count}`;
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
    this.captionText.textContent = '';
    this.rowPaths = [];
    replace(this.list, content);
  }

  /**
   * Shows a run's tree. Expansion and selection are kept by path.
   * @param {!Tree} tree
   */
  setTree(tree) {
    this.searchBox.hidden = false;
    this.roots = tree.models;
    this.index = indexTree(this.roots);
    // Models and their direct children start expanded; modules seen before
    // (in an earlier tree) keep the state the user left them in.
    for (const [path, entry] of this.index) {
      if (entry.node.kind !== 'module' || this.seen.has(path)) continue;
      this.seen.add(path);
      if (entry.depth <= 1) this.expanded.add(path);
    }
    const variables = [...this.index.values()].filter((e) => e.node.kind === 'variable').length;
    this.tree = tree;
    this.variableCount = variables;
    this.updateCaption();
    if (!this.roots.length) {
      this.showMessage(message('No models', `Nothing was logged in ${tree.run} at step ${tree.step}.`));
      return;
    }
    this.renderRows();
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

  /** Rebuilds the visible rows. */
  renderRows() {
    if (!this.roots.length) return;
    const filtering = this.query !== '';
    const visible = filtering ? filterTree(this.roots, this.query) : null;
    /** @type {!Array<!HTMLElement>} */
    const rows = [];
    this.rowPaths = [];
    /**
     * @param {!TreeNode} node
     * @param {number} depth
     */
    const visit = (node, depth) => {
      if (visible && !visible.has(node.path)) return;
      rows.push(this.renderRow(node, depth, filtering));
      this.rowPaths.push(node.path);
      const open = filtering || this.expanded.has(node.path);
      if (node.kind === 'module' && open) {
        for (const child of node.children || []) visit(child, depth + 1);
      }
    };
    this.roots.forEach((root) => visit(root, 0));
    if (!rows.length) {
      replace(this.list, message('No match', `No layer or variable path contains “${this.search.value.trim()}”.`));
      return;
    }
    if (this.focusPath === null || !this.rowPaths.includes(this.focusPath)) {
      this.focusPath = this.rowPaths.includes(this.selectedPath || '') ? this.selectedPath : this.rowPaths[0];
    }
    for (const row of rows) {
      row.tabIndex = row.dataset.path === this.focusPath ? 0 : -1;
    }
    this.list.replaceChildren(...rows);
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
   * @param {!TreeNode} node
   * @param {number} depth
   * @param {boolean} filtering
   * @return {!HTMLElement}
   */
  renderRow(node, depth, filtering) {
    const isModule = node.kind === 'module';
    const hasChildren = isModule && (node.children || []).length > 0;
    const open = hasChildren && (filtering || this.expanded.has(node.path));
    const selected = node.path === this.selectedPath;
    const caret = h('span', {
      class: `tbw-caret${hasChildren ? '' : ' tbw-caret-none'}${open ? ' tbw-caret-open' : ''}`,
      'aria-hidden': 'true',
    });
    const name = h('span', {class: 'tbw-node-name'}, this.markedName(node.name));
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
      if (isModule && node.trainable_parameter_count !== undefined && node.trainable_parameter_count !== count) {
        title += ` (${formatCount(node.trainable_parameter_count)} trainable)`;
      }
    }
    const row = h(
      'div',
      {
        class: `tbw-row tbw-row-${node.kind}${selected ? ' tbw-row-selected' : ''}${depth === 0 ? ' tbw-row-root' : ''}`,
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
    );
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

  /** @param {string} path  Moves keyboard focus to a row. */
  focusRow(path) {
    this.focusPath = path;
    for (const row of this.list.querySelectorAll('.tbw-row')) {
      const el = /** @type {!HTMLElement} */ (row);
      el.tabIndex = el.dataset.path === path ? 0 : -1;
      if (el.dataset.path === path) el.focus({preventScroll: false});
    }
  }

  /**
   * The row element of `path`, if shown.
   * @param {string} path
   * @return {?HTMLElement}
   */
  rowOf(path) {
    for (const row of this.list.querySelectorAll('.tbw-row')) {
      if (/** @type {!HTMLElement} */ (row).dataset.path === path) return /** @type {!HTMLElement} */ (row);
    }
    return null;
  }

  /** @param {string} path  Scrolls a row into view. */
  scrollTo(path) {
    const row = this.rowOf(path);
    if (row) row.scrollIntoView({block: 'nearest'});
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
    const i = this.rowPaths.indexOf(this.focusPath || '');
    if (i < 0) return;
    const path = this.rowPaths[i];
    const entry = this.index.get(path);
    if (!entry) return;
    const node = entry.node;
    const isOpenModule = node.kind === 'module' && (this.query !== '' || this.expanded.has(path)) && (node.children || []).length > 0;
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
        if (node.kind === 'module' && !isOpenModule && (node.children || []).length) {
          this.toggle(path);
          this.focusRow(path);
        } else if (isOpenModule) {
          this.focusRow(this.rowPaths[i + 1]);
        }
        break;
      case 'ArrowLeft':
        if (isOpenModule && this.query === '') {
          this.toggle(path);
          this.focusRow(path);
        } else if (entry.parent) {
          this.focusRow(entry.parent);
        }
        break;
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
