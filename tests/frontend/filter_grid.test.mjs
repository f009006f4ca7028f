import test from 'node:test';
import assert from 'node:assert/strict';
import {MAX_TILE_CELL, filterLayout, tileAt, tileRanges, tilesThatFit, wrapColumns, wrappedPosition} from '../../frontend/filter_grid.js';

test('a small conv kernel gets large tiles with gaps', () => {
  // Conv2D [3, 3, 2, 6]: 2 rows (in) × 6 columns (out) of 3×3 tiles.
  const layout = filterLayout([2, 6], [3, 3], {maxWidth: 470, maxHeight: 400});
  assert.equal(layout.cell, MAX_TILE_CELL);
  assert.equal(layout.gap, 2);
  assert.equal(layout.width, 6 * (3 * 16 + 2) - 2);
  assert.equal(layout.height, 2 * (3 * 16 + 2) - 2);
});

test('tiles shrink to fit, never below one pixel; 1×1 tiles have no gaps', () => {
  const layout = filterLayout([64, 128], [3, 3], {maxWidth: 470, maxHeight: 400});
  assert.equal(layout.cell, 1);
  assert.equal(layout.gap, 1);
  const pointwise = filterLayout([256, 256], [1, 1], {maxWidth: 470, maxHeight: 440});
  assert.equal(pointwise.gap, 0);
  assert.equal(pointwise.cell, 1);
  assert.equal(pointwise.width, 256);
  // Conv1D tiles are k × 1.
  const conv1d = filterLayout([3, 5], [3, 1], {maxWidth: 470, maxHeight: 400});
  assert.equal(conv1d.width, 5 * (conv1d.cell + conv1d.gap) - conv1d.gap);
  assert.equal(conv1d.height, 3 * (3 * conv1d.cell + conv1d.gap) - conv1d.gap);
});

test('tiles that fit a panel and the cell budget (ResNet 3×3×512×512)', () => {
  const box = {maxWidth: 470, maxHeight: 400};
  assert.deepEqual(tilesThatFit([512, 512], [3, 3], box, 1 << 22), [100, 117]);
  const [rows, columns] = tilesThatFit([512, 512], [3, 3], box, 9000);
  assert.ok(rows * columns * 9 <= 9000 && rows * columns * 9 > 8000, `${rows}×${columns}`);
  assert.deepEqual(tilesThatFit([2, 6], [3, 3], box, 1 << 22), [2, 6]);
  // The first view of a large grid keeps tiles legible: 3 pixels per element, 2 between tiles.
  assert.deepEqual(tilesThatFit([512, 512], [3, 3], box, 1 << 22, 3), [36, 42]);
});

test('hit testing finds tile and element, and nothing in gaps', () => {
  const layout = filterLayout([2, 6], [3, 3], {maxWidth: 470, maxHeight: 400});
  assert.deepEqual(tileAt(layout, 0, 0), {row: 0, column: 0, tileRow: 0, tileColumn: 0});
  // Second tile column, third element column, second tile row, first element row.
  assert.deepEqual(tileAt(layout, 50 + 2 * 16 + 3, 50 + 5), {row: 1, column: 1, tileRow: 0, tileColumn: 2});
  assert.equal(tileAt(layout, 48.5, 10), null);
  assert.equal(tileAt(layout, 10, 1000), null);
  assert.equal(tileAt(layout, -1, 10), null);
});

test('per-tile ranges ignore non-finite values', () => {
  const values = [1, -2, NaN, 4, Infinity, 0.5, 0.25, -0.5, NaN, NaN, NaN, NaN];
  assert.deepEqual(tileRanges(values, 4), [[-2, 4], [-0.5, 0.5], null]);
});

test('a strip of tiles wraps into the rows that give the largest tiles', () => {
  const box = {maxWidth: 500, maxHeight: 360};
  // Depthwise 3×3×256×1. At 8 px per element (pitch 26) at most 19 tiles fit
  // a row, 14 rows: 362 px > 360. At 7 px (pitch 23): 21 per row fit, and
  // 20 per row is the first length with the fewest rows (13).
  assert.equal(wrapColumns(256, [3, 3], box), 20);
  const wrapped = filterLayout([13, 20], [3, 3], box);
  assert.equal(wrapped.cell, 7);
  assert.equal(filterLayout([256, 1], [3, 3], box).cell, 1); // unwrapped: one tall column
  // Conv2D over one input channel, 3×3×1×16: tiles at their largest (16 px
  // per element, pitch 50), 10 fit a row; 8 per row is the first with 2 rows.
  assert.equal(wrapColumns(16, [3, 3], box), 8);
  assert.equal(filterLayout([2, 8], [3, 3], box).cell, MAX_TILE_CELL);
  // A box narrower than one tile: one per row.
  assert.equal(wrapColumns(5, [3, 3], {maxWidth: 2, maxHeight: 100}), 1);
  assert.equal(wrapColumns(1, [5, 5], box), 1);
});

test('the k-th tile of a wrapped strip is at row k / columns, column k mod columns', () => {
  assert.deepEqual(wrappedPosition(0, 20), [0, 0]);
  assert.deepEqual(wrappedPosition(19, 20), [0, 19]);
  assert.deepEqual(wrappedPosition(20, 20), [1, 0]);
  assert.deepEqual(wrappedPosition(255, 20), [12, 15]);
});
