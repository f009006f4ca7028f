// Colours: the maps of the heat maps (diverging, sequential, symlog), the
// colours of NaN and infinities, and the run palette.
// Pure functions.

/**
 * @typedef {!Array<number>} Rgb  Three channels in 0..255.
 */

// ColorBrewer RdBu, reversed so negative is blue and positive red. Its stops
// are spaced evenly in lightness, so linear interpolation between them stays
// perceptually even; the centre is a near-white that reads as zero.
/** @type {!Array<!Rgb>} */
const DIVERGING_STOPS = [
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

// Viridis (matplotlib's default sequential map): dark purple to yellow,
// perceptually uniform and readable in greyscale.
/** @type {!Array<!Rgb>} */
const SEQUENTIAL_STOPS = [
  [68, 1, 84],
  [71, 45, 123],
  [59, 82, 139],
  [44, 114, 142],
  [33, 145, 140],
  [40, 174, 128],
  [94, 201, 98],
  [173, 220, 48],
  [253, 231, 37],
];

/** Colour of NaN cells: a grey-magenta that no value of either map takes. */
/** @type {!Rgb} */
export const NAN_RGB = [176, 112, 176];

/** Colour of +Inf cells: a saturated orange, outside both maps. */
/** @type {!Rgb} */
export const POSINF_RGB = [255, 140, 0];

/** Colour of -Inf cells: a saturated cyan, outside both maps. */
/** @type {!Rgb} */
export const NEGINF_RGB = [0, 220, 230];

/**
 * The kinds of colour scale: `diverging` (blue–white–red, symmetric around
 * zero), `sequential` (viridis from the minimum to the maximum), `symlog`
 * (diverging, linear within a small threshold of zero and logarithmic
 * beyond, so that small and large magnitudes both show).
 * @type {!Array<string>}
 */
export const SCALE_KINDS = ['diverging', 'sequential', 'symlog'];

/**
 * How values map to colours: positions in [0, 1] between `low` and `high`;
 * for `symlog`, `threshold` is the magnitude below which the map is linear.
 * @typedef {{kind: string, low: number, high: number, threshold: number}}
 */
export let ColorScale;

/**
 * Decades of magnitude a symlog scale shows above its linear threshold.
 */
export const SYMLOG_DECADES = 3;

/**
 * A colour scale for values in `[min, max]`. Diverging and symlog scales
 * are symmetric around zero (±max(|min|, |max|)); sequential ones span
 * `[min, max]`. Degenerate ranges (no finite value, all one value) are
 * widened so that every scale has `low < high`.
 * @param {string} kind  One of {@link SCALE_KINDS}; anything else is diverging.
 * @param {?number} min
 * @param {?number} max
 * @return {!ColorScale}
 */
export function makeScale(kind, min, max) {
  const finite = (x) => x !== null && x !== undefined && Number.isFinite(x);
  if (kind === 'sequential') {
    let low = finite(min) ? min : 0;
    let high = finite(max) ? max : 1;
    if (!(high > low)) {
      const pad = Math.abs(low) > 0 ? Math.abs(low) * 0.5 : 1;
      low -= pad;
      high += pad;
    }
    return {kind, low, high, threshold: 0};
  }
  const magnitude = symmetricScale(finite(min) ? min : null, finite(max) ? max : null);
  const threshold = magnitude / Math.pow(10, SYMLOG_DECADES);
  return {kind: kind === 'symlog' ? 'symlog' : 'diverging', low: -magnitude, high: magnitude, threshold};
}

/**
 * The position of a value on a scale, in [0, 1] (values beyond the range
 * are clamped, infinities go to the ends); NaN stays NaN.
 * @param {!ColorScale} scale
 * @param {number} value
 * @return {number}
 */
export function scalePosition(scale, value) {
  if (Number.isNaN(value)) return NaN;
  let t;
  if (scale.kind === 'symlog') {
    const top = Math.log1p(scale.high / scale.threshold);
    t = 0.5 + (0.5 * Math.sign(value) * Math.log1p(Math.abs(value) / scale.threshold)) / top;
  } else {
    t = (value - scale.low) / (scale.high - scale.low);
  }
  return Math.max(0, Math.min(1, Number.isNaN(t) ? (value > 0 ? 1 : 0) : t));
}

/**
 * The value at a position in [0, 1] of a scale: the inverse of
 * {@link scalePosition} within the range.
 * @param {!ColorScale} scale
 * @param {number} t
 * @return {number}
 */
export function scaleValue(scale, t) {
  if (scale.kind === 'symlog') {
    const top = Math.log1p(scale.high / scale.threshold);
    const u = (t - 0.5) * 2 * top;
    return Math.sign(u) * scale.threshold * Math.expm1(Math.abs(u));
  }
  return scale.low + t * (scale.high - scale.low);
}

/**
 * Interpolates evenly spaced colour stops at `t` in [0, 1] (clamped).
 * @param {!Array<!Rgb>} stops
 * @param {number} t
 * @return {!Rgb}
 */
function interpolate(stops, t) {
  const position = Math.max(0, Math.min(1, t)) * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(position));
  const f = position - i;
  const a = stops[i];
  const b = stops[i + 1];
  return [0, 1, 2].map((k) => Math.round(a[k] + (b[k] - a[k]) * f));
}

/**
 * The diverging colour of a position in [-1, 1] (clamped): -1 dark blue,
 * 0 white, +1 dark red.
 * @param {number} t
 * @return {!Rgb}
 */
export function diverging(t) {
  return interpolate(DIVERGING_STOPS, (Math.max(-1, Math.min(1, t)) + 1) / 2);
}

/**
 * The sequential (viridis) colour of a position in [0, 1] (clamped).
 * @param {number} t
 * @return {!Rgb}
 */
export function sequential(t) {
  return interpolate(SEQUENTIAL_STOPS, t);
}

/**
 * The colour of a value on a scale: NaN, +Inf and -Inf get their own
 * colours ({@link NAN_RGB}, {@link POSINF_RGB}, {@link NEGINF_RGB}); finite
 * values beyond the range saturate.
 * @param {!ColorScale} scale
 * @param {number} value
 * @return {!Rgb}
 */
export function scaleColor(scale, value) {
  if (Number.isNaN(value)) return NAN_RGB;
  if (value === Infinity) return POSINF_RGB;
  if (value === -Infinity) return NEGINF_RGB;
  return mapColor(scale.kind, scalePosition(scale, value));
}

/**
 * The colour of the map of a kind of scale at position `t` in [0, 1].
 * @param {string} kind
 * @param {number} t
 * @return {!Rgb}
 */
export function mapColor(kind, t) {
  return kind === 'sequential' ? sequential(t) : diverging(2 * t - 1);
}

// Entries of the sampled maps: odd, so that zero falls on the centre entry
// of a diverging map.
const TABLE_SIZE = 2049;

/** @type {!Map<string, !Int32Array>} */
const tables = new Map();

/**
 * A kind's map sampled at 2049 evenly spaced positions over [0, 1], then
 * the NaN, +Inf and -Inf colours, as opaque RGBA pixels in words of the
 * platform's byte order: an entry can be stored straight into an
 * `Int32Array` view of an `ImageData`'s pixels. (Int32 rather than Uint32
 * words: V8 keeps them unboxed, which makes painting several times faster.)
 * @param {string} kind
 * @return {!Int32Array}
 */
function colorTable(kind) {
  const key = kind === 'sequential' ? 'sequential' : 'diverging';
  let table = tables.get(key);
  if (!table) {
    const bytes = new Uint8ClampedArray(4 * (TABLE_SIZE + 3));
    for (let k = 0; k < TABLE_SIZE; k++) {
      const rgb = mapColor(key, k / (TABLE_SIZE - 1));
      bytes.set([rgb[0], rgb[1], rgb[2], 255], 4 * k);
    }
    [NAN_RGB, POSINF_RGB, NEGINF_RGB].forEach((rgb, k) => bytes.set([rgb[0], rgb[1], rgb[2], 255], 4 * (TABLE_SIZE + k)));
    table = new Int32Array(bytes.buffer);
    tables.set(key, table);
  }
  return table;
}

/**
 * How many values of each non-finite kind were painted.
 * @typedef {{nan: number, posinf: number, neginf: number}}
 */
export let NonfiniteCounts;

/**
 * Writes the colours of values on a scale as pixels. NaN, +Inf and -Inf get
 * their own colours; finite values beyond the scale saturate. One table
 * look-up per value and no allocation for linear scales: a 2048 × 1000
 * tensor takes about 10 ms.
 * @param {!ArrayLike<number>} values
 * @param {!ColorScale} scale
 * @param {!Int32Array} pixels  A view of an `ImageData`'s pixels, at least
 *     `offset + values.length` long.
 * @param {number=} offset  First pixel to write.
 * @return {!NonfiniteCounts}
 */
export function paintValues(values, scale, pixels, offset = 0) {
  const colors = colorTable(scale.kind);
  const last = TABLE_SIZE - 1;
  const counts = {nan: 0, posinf: 0, neginf: 0};
  const n = values.length;
  const symlog = scale.kind === 'symlog';
  const perUnit = last / (scale.high - scale.low);
  const top = symlog ? Math.log1p(scale.high / scale.threshold) : 1;
  // Adding 0.5 then truncating rounds to the nearest entry.
  for (let i = 0; i < n; i++) {
    const v = values[i];
    let x;
    if (symlog) {
      x = v >= 0 ? last * (0.5 + (0.5 * Math.log1p(v / scale.threshold)) / top) + 0.5
        : last * (0.5 - (0.5 * Math.log1p(-v / scale.threshold)) / top) + 0.5;
    } else {
      x = (v - scale.low) * perUnit + 0.5;
    }
    if (x >= 0 && x < TABLE_SIZE) {
      pixels[offset + i] = colors[x | 0];
    } else if (v === Infinity) {
      pixels[offset + i] = colors[TABLE_SIZE + 1];
      counts.posinf++;
    } else if (v === -Infinity) {
      pixels[offset + i] = colors[TABLE_SIZE + 2];
      counts.neginf++;
    } else if (x >= TABLE_SIZE) {
      pixels[offset + i] = colors[last];
    } else if (x < 0) {
      pixels[offset + i] = colors[0];
    } else {
      pixels[offset + i] = colors[TABLE_SIZE];
      counts.nan++;
    }
  }
  return counts;
}

/**
 * Values worth labelling on a colour bar of a scale: its ends, zero when
 * inside, and for symlog the linear threshold and the decades between.
 * @param {!ColorScale} scale
 * @return {!Array<number>}  Ascending.
 */
export function scaleTicks(scale) {
  const ticks = new Set([scale.low, scale.high]);
  if (scale.low < 0 && scale.high > 0) ticks.add(0);
  if (scale.kind === 'symlog') {
    for (let d = 1; d < SYMLOG_DECADES; d++) {
      const v = scale.threshold * Math.pow(10, d);
      ticks.add(v);
      ticks.add(-v);
    }
  }
  return [...ticks].sort((a, b) => a - b);
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
