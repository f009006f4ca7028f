// Colours: the diverging map of the heat maps and the run palette.
// Pure functions.

/**
 * @typedef {!Array<number>} Rgb  Three channels in 0..255.
 */

// ColorBrewer RdBu, reversed so negative is blue and positive red. Its stops
// are spaced evenly in lightness, so linear interpolation between them stays
// perceptually even; the centre is a near-white that reads as zero.
/** @type {!Array<!Rgb>} */
const STOPS = [
  [5, 48, 97],
  [33, 102, 172],
  [67, 147, 195],
  [146, 197, 222],
  [209, 229, 240],
  [247, 247, 247],
  [253, 219, 199],
  [244, 165, 130],
  [214, 96, 77],
  [178, 24, 43],
  [103, 0, 31],
];

/** Colour of NaN cells: a grey-magenta that no value of the map can take. */
/** @type {!Rgb} */
export const NAN_RGB = [176, 112, 176];

/**
 * The diverging colour of a position in [-1, 1] (clamped): -1 dark blue,
 * 0 white, +1 dark red.
 * @param {number} t
 * @return {!Rgb}
 */
export function diverging(t) {
  const clamped = Math.max(-1, Math.min(1, t));
  const position = ((clamped + 1) / 2) * (STOPS.length - 1);
  const i = Math.min(STOPS.length - 2, Math.floor(position));
  const f = position - i;
  const a = STOPS[i];
  const b = STOPS[i + 1];
  return [0, 1, 2].map((k) => Math.round(a[k] + (b[k] - a[k]) * f));
}

// Entries of the sampled map: odd, so that zero falls on the centre entry.
const TABLE_SIZE = 2049;

/** @type {?Int32Array} */
let table = null;

/**
 * The diverging map sampled at 2049 evenly spaced positions over [-1, 1],
 * then {@link NAN_RGB}, as opaque RGBA pixels in words of the platform's byte
 * order: an entry can be stored straight into an `Int32Array` view of an
 * `ImageData`'s pixels. (Int32 rather than Uint32 words: V8 keeps them
 * unboxed, which makes painting several times faster.)
 * @return {!Int32Array}
 */
function colorTable() {
  if (!table) {
    const bytes = new Uint8ClampedArray(4 * (TABLE_SIZE + 1));
    for (let k = 0; k <= TABLE_SIZE; k++) {
      const rgb = k < TABLE_SIZE ? diverging((2 * k) / (TABLE_SIZE - 1) - 1) : NAN_RGB;
      bytes.set([rgb[0], rgb[1], rgb[2], 255], 4 * k);
    }
    table = new Int32Array(bytes.buffer);
  }
  return table;
}

/**
 * Writes the colours of values on a scale symmetric around zero as pixels.
 * NaN gets {@link NAN_RGB}; infinities and values beyond the scale saturate.
 * One table look-up per value, no allocation: a 2048 × 1000 tensor takes
 * about 10 ms.
 * @param {!ArrayLike<number>} values
 * @param {number} scale  Positive magnitude that maps to the darkest colours.
 * @param {!Int32Array} pixels  A view of an `ImageData`'s pixels, at least
 *     `values.length` long.
 * @return {number}  How many values were NaN.
 */
export function paintValues(values, scale, pixels) {
  const colors = colorTable();
  const last = TABLE_SIZE - 1;
  const perUnit = last / 2 / scale;
  // Adding 0.5 then truncating rounds to the nearest entry.
  const offset = last / 2 + 0.5;
  const nan = colors[TABLE_SIZE];
  const n = values.length;
  let nanCount = 0;
  for (let i = 0; i < n; i++) {
    const x = values[i] * perUnit + offset;
    if (x >= 0) {
      pixels[i] = x < TABLE_SIZE ? colors[x | 0] : colors[last];
    } else if (x < 0) {
      pixels[i] = colors[0];
    } else {
      pixels[i] = nan;
      nanCount++;
    }
  }
  return nanCount;
}

/**
 * The symmetric scale for a tensor: max(|min|, |max|), or 1 when that is
 * zero or unknown (all zeros, or no finite element).
 * @param {?number} min
 * @param {?number} max
 * @return {number}
 */
export function symmetricScale(min, max) {
  const scale = Math.max(Math.abs(min ?? 0), Math.abs(max ?? 0));
  return Number.isFinite(scale) && scale > 0 ? scale : 1;
}

/**
 * CSS text of a colour.
 * @param {!Rgb} rgb
 * @return {string}
 */
export function cssRgb(rgb) {
  return `rgb(${rgb[0]}, ${rgb[1]}, ${rgb[2]})`;
}

// TensorBoard's default run palette (its "Default" colour setting), so a run
// looks the same here as in the other dashboards when the orders agree.
const RUN_PALETTE = [
  '#425066',
  '#12b5cb',
  '#e52592',
  '#f9ab00',
  '#9334e6',
  '#7cb342',
  '#e8710a',
];

/**
 * The colour of the run at `index` in the run list.
 * @param {number} index
 * @return {string}
 */
export function runColor(index) {
  return RUN_PALETTE[index % RUN_PALETTE.length];
}
