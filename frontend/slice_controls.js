// Which part of an N-D variable a panel shows: the axes shown as rows and
// columns (or the grid of a filter-tile view), and for every other axis an
// index or a reduction. The pure functions come first; the controls that
// edit a slice are built by createSliceControls.

import {h} from './dom.js';

/** @typedef {import('./data.js').TreeNode} TreeNode */
/** @typedef {import('./data.js').SliceOptions} SliceOptions */

/**
 * The reductions over an axis that is not shown (http_api.md, `other`).
 * @type {!Array<{value: string, label: string}>}
 */
export const REDUCTIONS = [
  {value: 'mean', label: 'mean'},
  {value: 'max_abs', label: 'max-abs'},
  {value: 'l2', label: 'L2'},
];

/**
 * A slice of a variable. `layout`: `heatmap` or `filters`. `axes`: the axes
 * shown (rows then columns; one axis for a 1-D selection; the grid's rows
 * and columns for filters). `picks[k]`: for axis k when it is not shown, an
 * index into it or a reduction (`mean`, `max_abs`, `l2`); kept for every
 * axis so that a choice survives showing the axis for a while.
 * @typedef {{layout: string, axes: !Array<number>, picks: !Array<(number|string)>}}
 */
export let Slice;

/**
 * The names of a variable's axes: its `axis_names`, else `axis 0`, ...
 * @param {!TreeNode} node
 * @return {!Array<string>}
 */
export function axisNames(node) {
  const shape = node.shape || [];
  const names = Array.isArray(node.axis_names) && node.axis_names.length === shape.length ? node.axis_names : null;
  return shape.map((_, k) => (names && names[k] ? String(names[k]) : `axis ${k}`));
}

/**
 * Whether a variable has a filter-grid layout (a convolution kernel).
 * @param {!TreeNode} node
 * @return {boolean}
 */
export function hasFilterLayout(node) {
  const layout = node.filter_layout;
  return Boolean(layout && Array.isArray(layout.tile_axes) && Array.isArray(layout.grid_axes) && layout.grid_axes.length === 2);
}

/**
 * The default slice of a variable: its filter grid for convolution kernels
 * (when `layout` allows), else the last two axes as rows and columns (a
 * Dense kernel `[in, out]`: rows `in`, columns `out`), every other axis at
 * index 0.
 * @param {!TreeNode} node
 * @param {string=} layout  `filters` or `heatmap`; filters only apply to
 *     nodes with a `filter_layout`.
 * @return {!Slice}
 */
export function defaultSlice(node, layout = 'filters') {
  const rank = (node.shape || []).length;
  const picks = new Array(rank).fill(0);
  if (layout === 'filters' && hasFilterLayout(node)) {
    const grid = /** @type {!Object} */ (node.filter_layout).grid_axes.map(Number);
    return {layout: 'filters', axes: grid, picks};
  }
  const axes = rank >= 2 ? [rank - 2, rank - 1] : rank === 1 ? [0] : [];
  return {layout: 'heatmap', axes, picks};
}

/**
 * The tile axes of a slice: the node's for a filter grid, else none.
 * @param {!TreeNode} node
 * @param {!Slice} slice
 * @return {!Array<number>}
 */
export function tileAxes(node, slice) {
  return slice.layout === 'filters' && hasFilterLayout(node) ? /** @type {!Object} */ (node.filter_layout).tile_axes.map(Number) : [];
}

/**
 * The axes neither shown nor in a tile, ascending: those `other` covers.
 * @param {!TreeNode} node
 * @param {!Slice} slice
 * @return {!Array<number>}
 */
export function otherAxes(node, slice) {
  const used = new Set([...slice.axes, ...tileAxes(node, slice)]);
  return (node.shape || []).map((_, k) => k).filter((k) => !used.has(k));
}

/**
 * The request options of a slice (without window, diff or cell budget).
 * @param {!TreeNode} node
 * @param {!Slice} slice
 * @return {!SliceOptions}
 */
export function sliceOptions(node, slice) {
  /** @type {!SliceOptions} */
  const options = {axes: slice.axes, other: otherAxes(node, slice).map((k) => slice.picks[k])};
  if (slice.layout === 'filters') {
    options.layout = 'filters';
    options.tile_axes = tileAxes(node, slice);
  }
  return options;
}

/**
 * Reads a slice from view-state text, falling back to the default for
 * anything malformed or out of range.
 * @param {!TreeNode} node
 * @param {{layout: (string|undefined), axes: (string|undefined), other: (string|undefined)}} state
 * @return {!Slice}
 */
export function parseSlice(node, state) {
  const shape = node.shape || [];
  const layout = state.layout === 'heatmap' || !hasFilterLayout(node) ? 'heatmap' : 'filters';
  const slice = defaultSlice(node, layout);
  if (typeof state.axes === 'string') {
    const axes = state.axes === '' ? [] : state.axes.split(',').map(Number);
    const valid =
      axes.every((k) => Number.isInteger(k) && k >= 0 && k < shape.length) &&
      new Set(axes).size === axes.length &&
      (layout === 'filters'
        ? axes.length === 2 && axes.every((k) => !tileAxes(node, slice).includes(k))
        : axes.length <= Math.min(2, shape.length));
    if (valid) slice.axes = axes;
  }
  if (typeof state.other === 'string' && state.other !== '') {
    const entries = state.other.split(',');
    const others = otherAxes(node, slice);
    if (entries.length === others.length) {
      others.forEach((axis, k) => {
        const entry = entries[k];
        if (REDUCTIONS.some((r) => r.value === entry)) slice.picks[axis] = entry;
        else if (/^\d+$/.test(entry) && Number(entry) < shape[axis]) slice.picks[axis] = Number(entry);
      });
    }
  }
  return slice;
}

/**
 * View-state text of a slice (the inverse of {@link parseSlice}).
 * @param {!TreeNode} node
 * @param {!Slice} slice
 * @return {{layout: string, axes: string, other: string}}
 */
export function formatSlice(node, slice) {
  return {
    layout: slice.layout,
    axes: slice.axes.join(','),
    other: otherAxes(node, slice).map((k) => slice.picks[k]).join(','),
  };
}

/**
 * A pick in words: `kd 1`, `kd mean`, `kd max-abs`.
 * @param {string} name
 * @param {(number|string)} pick
 * @return {string}
 */
function describePick(name, pick) {
  const reduction = REDUCTIONS.find((r) => r.value === pick);
  return `${name} ${reduction ? reduction.label : pick}`;
}

/**
 * A slice in words: `in × out`, `in × out at kh 1, kw mean`, `kh×kw tiles
 * of in × out at kd 0`.
 * @param {!TreeNode} node
 * @param {!Slice} slice
 * @return {string}
 */
export function describeSlice(node, slice) {
  const names = axisNames(node);
  const tiles = tileAxes(node, slice);
  const shown = slice.axes.map((k) => names[k]).join(' × ') || 'the value';
  const head = tiles.length ? `${tiles.map((k) => names[k]).join('×')} tiles of ${shown}` : shown;
  const others = otherAxes(node, slice).map((k) => describePick(names[k], slice.picks[k]));
  return others.length ? `${head} at ${others.join(', ')}` : head;
}

/**
 * A slice as part of a file name: `axes2-3_kd0_in-mean`.
 * @param {!TreeNode} node
 * @param {!Slice} slice
 * @return {string}
 */
export function sliceFileLabel(node, slice) {
  const names = axisNames(node).map((name) => name.replace(/[^\w-]+/g, ''));
  const parts = [`${slice.layout === 'filters' ? 'filters' : 'axes'}${slice.axes.join('-')}`];
  for (const k of otherAxes(node, slice)) parts.push(`${names[k] || `axis${k}`}${slice.picks[k]}`);
  return parts.join('_');
}

/**
 * An axis as a user reads it: `in · 64`.
 * @param {!Array<string>} names
 * @param {!Array<number>} shape
 * @param {number} axis
 * @return {string}
 */
export function axisLabel(names, shape, axis) {
  return `${names[axis]} · ${shape[axis]}`;
}

/**
 * A select of axes.
 * @param {string} testid
 * @param {string} label
 * @param {!Array<{value: string, text: string}>} options
 * @param {string} value
 * @param {function(string)} onChange
 * @return {!HTMLElement}
 */
function axisSelect(testid, label, options, value, onChange) {
  const select = /** @type {!HTMLSelectElement} */ (
    h('select', {class: 'tbw-select', testid, 'aria-label': label}, options.map((o) => h('option', {value: o.value, text: o.text})))
  );
  select.value = value;
  select.addEventListener('change', () => onChange(select.value));
  return h('label', {class: 'tbw-scale-control'}, h('span', {class: 'tbw-muted', text: label}), select);
}

/**
 * The controls of a slice: the layout (filters or heat map, for
 * convolution kernels), the row and column axes, and for each other axis an
 * index slider or a reduction. Calls `onChange` with a new slice on every
 * edit.
 * @param {!TreeNode} node
 * @param {!Slice} slice
 * @param {function(!Slice)} onChange
 * @return {!HTMLElement}
 */
export function createSliceControls(node, slice, onChange) {
  const shape = node.shape || [];
  const names = axisNames(node);
  const rank = shape.length;
  const controls = h('div', {class: 'tbw-slice-controls', testid: 'slice-controls'});
  if (rank === 0) return controls;
  const tiles = tileAxes(node, slice);
  // The controls stay while sliders move: edits build on the latest slice.
  let current = slice;
  /** @param {!Object} change */
  const emit = (change) => {
    current = {...current, picks: [...current.picks], ...change};
    onChange(current);
  };

  const row = [];
  if (hasFilterLayout(node)) {
    row.push(
      axisSelect(
        'layout-mode',
        'View',
        [
          {value: 'filters', text: 'filter grid'},
          {value: 'heatmap', text: 'heat map'},
        ],
        slice.layout,
        (value) => emit({layout: value, axes: defaultSlice(node, value).axes}),
      ),
    );
  }
  if (rank >= 2) {
    const candidates = names.map((_, k) => k).filter((k) => !tiles.includes(k));
    const options = candidates.map((k) => ({value: String(k), text: axisLabel(names, shape, k)}));
    /**
     * Shows `axis` at `position`, swapping with the other shown axis when it
     * was there.
     * @param {number} position
     * @param {string} value
     */
    const setAxis = (position, value) => {
      const axes = [...current.axes];
      if (value === '') {
        emit({axes: [axes[0]]});
        return;
      }
      const axis = Number(value);
      const other = axes.indexOf(axis);
      if (other >= 0 && other !== position) axes[other] = axes[position];
      axes[position] = axis;
      emit({axes: axes.filter((k) => k !== undefined)});
    };
    const gridWord = slice.layout === 'filters' ? 'Grid rows' : 'Rows';
    row.push(axisSelect('row-axis', gridWord, options, String(slice.axes[0]), (v) => setAxis(0, v)));
    const columnOptions = slice.layout === 'filters' ? options : [...options, {value: '', text: 'none (1-D)'}];
    row.push(
      axisSelect(
        'column-axis',
        slice.layout === 'filters' ? 'Grid columns' : 'Columns',
        columnOptions,
        slice.axes.length > 1 ? String(slice.axes[1]) : '',
        (v) => setAxis(1, v),
      ),
    );
  } else {
    row.push(h('span', {class: 'tbw-muted', text: axisLabel(names, shape, 0)}));
  }
  if (tiles.length) {
    row.push(
      h('span', {class: 'tbw-muted tbw-slice-tiles', testid: 'tile-axes', text: `tiles: ${tiles.map((k) => axisLabel(names, shape, k)).join(' × ')}`}),
    );
  }
  controls.appendChild(h('div', {class: 'tbw-slice-row'}, row));

  // Axes of length 1 have nothing to choose: one line says so.
  const single = otherAxes(node, slice).filter((k) => shape[k] === 1);
  if (single.length) {
    controls.appendChild(
      h('div', {class: 'tbw-slice-row tbw-muted', testid: 'single-axes', text: `${single.map((k) => axisLabel(names, shape, k)).join(', ')}: index 0`}),
    );
  }
  for (const axis of otherAxes(node, slice).filter((k) => shape[k] > 1)) {
    const pick = slice.picks[axis];
    const isIndex = typeof pick === 'number';
    const mode = /** @type {!HTMLSelectElement} */ (
      h(
        'select',
        {class: 'tbw-select', testid: `axis-mode-${axis}`, 'aria-label': `How to take ${names[axis]}`},
        h('option', {value: 'index', text: 'index'}),
        REDUCTIONS.map((r) => h('option', {value: r.value, text: r.label})),
      )
    );
    mode.value = isIndex ? 'index' : String(pick);
    mode.addEventListener('change', () => {
      const picks = [...current.picks];
      picks[axis] = mode.value === 'index' ? 0 : mode.value;
      emit({picks});
    });
    const slider = /** @type {!HTMLInputElement} */ (
      h('input', {
        type: 'range',
        class: 'tbw-step-slider tbw-axis-slider',
        testid: `axis-slider-${axis}`,
        min: '0',
        max: String(shape[axis] - 1),
        step: '1',
        'aria-label': `Index of ${names[axis]}`,
      })
    );
    slider.value = String(isIndex ? pick : 0);
    slider.hidden = !isIndex;
    slider.disabled = shape[axis] <= 1;
    const readout = h('span', {class: 'tbw-axis-index', testid: `axis-index-${axis}`, text: isIndex ? `${pick} of 0–${shape[axis] - 1}` : `over all ${shape[axis]}`});
    slider.addEventListener('input', () => {
      const picks = [...current.picks];
      picks[axis] = Number(slider.value);
      readout.textContent = `${slider.value} of 0–${shape[axis] - 1}`;
      emit({picks});
    });
    controls.appendChild(
      h(
        'div',
        {class: 'tbw-slice-row', testid: `other-axis-${axis}`},
        h('span', {class: 'tbw-axis-name', text: axisLabel(names, shape, axis)}),
        mode,
        slider,
        readout,
      ),
    );
  }
  return controls;
}

/**
 * The full tensor index of a shown element, as text: every axis in order,
 * named, with the index the slice and the hover give it, or the reduction
 * taken over it (`kh 1, kw 2, in 3, out 17`; `kd mean, kh 0, ...`).
 * @param {!TreeNode} node
 * @param {!Slice} slice
 * @param {!Object<number, string>} shown  Index text of the shown axes (and
 *     tile axes), by axis: a number, or a range `4–7` for a block.
 * @return {string}
 */
export function formatIndex(node, slice, shown) {
  const names = axisNames(node);
  return names
    .map((name, axis) => {
      if (axis in shown) return `${name} ${shown[axis]}`;
      return describePick(name, slice.picks[axis]);
    })
    .join(', ');
}
