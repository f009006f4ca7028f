import test from 'node:test';
import assert from 'node:assert/strict';
import {
  NAN_RGB, NEGINF_RGB, POSINF_RGB, diverging, makeScale, paintValues, scaleColor, scalePosition, scaleTicks, scaleValue, sequential,
} from '../../frontend/colormap.js';

/** The RGB of a painted pixel word (little-endian RGBA). */
function rgbOf(word) {
  const bytes = new Uint8Array(new Int32Array([word]).buffer);
  return [bytes[0], bytes[1], bytes[2]];
}

test('diverging scales are symmetric around zero, zero is the centre white', () => {
  const scale = makeScale('diverging', -0.5, 2);
  assert.deepEqual([scale.low, scale.high], [-2, 2]);
  assert.equal(scalePosition(scale, 0), 0.5);
  assert.equal(scalePosition(scale, 2), 1);
  assert.equal(scalePosition(scale, -5), 0);
  assert.deepEqual(scaleColor(scale, 0), [247, 247, 247]);
  assert.deepEqual(diverging(-1), [5, 48, 97]);
  assert.deepEqual(diverging(1), [103, 0, 31]);
});

test('sequential scales span min to max with viridis', () => {
  const scale = makeScale('sequential', 1, 3);
  assert.deepEqual([scale.low, scale.high], [1, 3]);
  assert.equal(scalePosition(scale, 2), 0.5);
  assert.deepEqual(scaleColor(scale, 1), [68, 1, 84]);
  assert.deepEqual(scaleColor(scale, 3), [253, 231, 37]);
  assert.deepEqual(sequential(0.5), [33, 145, 140]);
  // A constant tensor still gets a range with the value inside.
  const flat = makeScale('sequential', 4, 4);
  assert.ok(flat.low < 4 && flat.high > 4);
});

test('symlog is linear near zero, logarithmic beyond, and inverts', () => {
  const scale = makeScale('symlog', -1, 1);
  assert.equal(scale.threshold, 0.001);
  assert.equal(scalePosition(scale, 0), 0.5);
  assert.equal(scalePosition(scale, 1), 1);
  assert.equal(scalePosition(scale, -1), 0);
  // Each decade above the threshold takes about the same share of the map.
  const d1 = scalePosition(scale, 0.1) - scalePosition(scale, 0.01);
  const d2 = scalePosition(scale, 1) - scalePosition(scale, 0.1);
  assert.ok(Math.abs(d1 - d2) < 0.02, `${d1} vs ${d2}`);
  // Small values get far more of the map than on a linear scale.
  assert.ok(scalePosition(scale, 0.01) > 0.65);
  for (const v of [-0.7, -0.003, 0, 0.0004, 0.25]) {
    assert.ok(Math.abs(scaleValue(scale, scalePosition(scale, v)) - v) < 1e-12, String(v));
  }
  assert.deepEqual(scaleTicks(scale), [-1, -0.1, -0.01, 0, 0.01, 0.1, 1]);
});

test('NaN, +Inf and -Inf get three distinct colours outside every map', () => {
  const colors = [NAN_RGB, POSINF_RGB, NEGINF_RGB];
  assert.equal(new Set(colors.map(String)).size, 3);
  for (const kind of ['diverging', 'sequential', 'symlog']) {
    const scale = makeScale(kind, -1, 1);
    assert.deepEqual(scaleColor(scale, NaN), NAN_RGB);
    assert.deepEqual(scaleColor(scale, Infinity), POSINF_RGB);
    assert.deepEqual(scaleColor(scale, -Infinity), NEGINF_RGB);
    // No colour of the map comes near them.
    for (let k = 0; k <= 100; k++) {
      const rgb = scaleColor(scale, scaleValue(scale, k / 100));
      for (const special of colors) {
        const distance = rgb.reduce((sum, c, i) => sum + Math.abs(c - special[i]), 0);
        assert.ok(distance > 90, `${kind} ${rgb} too close to ${special}`);
      }
    }
  }
});

test('paintValues writes one pixel per value and counts the non-finite ones', () => {
  for (const kind of ['diverging', 'sequential', 'symlog']) {
    const scale = makeScale(kind, -2, 2);
    const values = [NaN, Infinity, -Infinity, -2, 0, 2, 5, -5, NaN];
    const pixels = new Int32Array(values.length + 1);
    const counts = paintValues(values, scale, pixels, 1);
    assert.deepEqual(counts, {nan: 2, posinf: 1, neginf: 1});
    assert.equal(pixels[0], 0, 'offset respected');
    const rgb = Array.from(pixels.slice(1), rgbOf);
    assert.deepEqual(rgb[0], NAN_RGB);
    assert.deepEqual(rgb[1], POSINF_RGB);
    assert.deepEqual(rgb[2], NEGINF_RGB);
    assert.deepEqual(rgb[3], scaleColor(scale, -2));
    assert.deepEqual(rgb[5], scaleColor(scale, 2));
    // Finite values beyond the range saturate at the ends.
    assert.deepEqual(rgb[6], rgb[5]);
    assert.deepEqual(rgb[7], rgb[3]);
    if (kind !== 'sequential') assert.deepEqual(rgb[4], [247, 247, 247]);
  }
});
