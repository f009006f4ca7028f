import test from 'node:test';
import assert from 'node:assert/strict';
import {MAX_TILE_CELL, filterLayout, tileAt, tileRanges, tilesThatFit} from '../../frontend/filter_grid.js';

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
