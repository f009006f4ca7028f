import test from 'node:test';
import assert from 'node:assert/strict';
import {
  cellsToRequest, clampWindow, describeDownsample, formatWindow, isWhole, minimumWindow, panWindow, parseWindow, viewSize,
  wholeWindow, zoomWindow,
} from '../../frontend/zoom.js';

test('zooming in keeps the anchored cell under the anchor and stops at the minimum', () => {
  const shape = [256, 256];
  const whole = wholeWindow(shape);
  const centre = zoomWindow(whole, shape, 2, [0.5, 0.5]);
  assert.deepEqual(centre, {rows: [64, 192], columns: [64, 192]});
  const corner = zoomWindow(whole, shape, 2, [0, 1]);
  assert.deepEqual(corner, {rows: [0, 128], columns: [128, 256]});
  let window = whole;
  for (let k = 0; k < 30; k++) window = zoomWindow(window, shape, 1.5, [0.5, 0.5], [4, 6]);
  assert.deepEqual([window.rows[1] - window.rows[0], window.columns[1] - window.columns[0]], [4, 6]);
});

test('zooming out always grows and stops at the whole selection', () => {
  const shape = [10, 3];
  let window = {rows: [4, 5], columns: [1, 2]};
  window = zoomWindow(window, shape, 1 / 1.5, [0.5, 0.5]);
  assert.ok(window.rows[1] - window.rows[0] >= 2, JSON.stringify(window));
  for (let k = 0; k < 20; k++) window = zoomWindow(window, shape, 1 / 1.5, [0.5, 0.5]);
  assert.ok(isWhole(window, shape));
});

test('panning moves by cells and stops at the edges', () => {
  const shape = [100, 50];
  const window = {rows: [10, 30], columns: [0, 10]};
  assert.deepEqual(panWindow(window, shape, 5, 3), {rows: [15, 35], columns: [3, 13]});
  assert.deepEqual(panWindow(window, shape, -50, 100), {rows: [0, 20], columns: [40, 50]});
});

test('a window from another shape is clamped into this one', () => {
  assert.deepEqual(clampWindow({rows: [4, 12], columns: [5, 8]}, [6, 6]), {rows: [0, 6], columns: [3, 6]});
});

test('cells asked for: every cell when each gets two pixels, else what fits', () => {
  assert.equal(cellsToRequest({rows: [0, 100], columns: [0, 200]}, 400, 300), 20000);
  assert.equal(cellsToRequest({rows: [0, 2048], columns: [0, 1000]}, 480, 240), 240 * 120);
  assert.deepEqual(minimumWindow(480, 240), [5, 10]);
});

test('view size: square cells up to 24 pixels; skinny selections keep room', () => {
  assert.deepEqual(viewSize([8, 12], 500, 400), {width: 288, height: 192});
  assert.deepEqual(viewSize([256, 256], 470, 440), {width: 440, height: 440});
  const skinny = viewSize([50000, 16], 470, 440);
  assert.ok(skinny.width >= 160 && skinny.height === 440, JSON.stringify(skinny));
});

test('windows round-trip through URL text; downsampling in words', () => {
  const window = {rows: [3, 40], columns: [0, 7]};
  assert.equal(formatWindow(window), '3:40,0:7');
  assert.deepEqual(parseWindow('3:40,0:7'), window);
  assert.equal(parseWindow('3:2,0:7'), null);
  assert.equal(parseWindow('junk'), null);
  assert.equal(describeDownsample('block_mean', [4, 4]), 'block mean of 4×4');
  assert.equal(describeDownsample('block_max_abs', [2, 3]), 'block max-abs of 2×3');
});
