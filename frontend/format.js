// Number formatting. Pure functions.

const INTEGER_DTYPE = /^u?int\d*$/;

/**
 * Plain decimal notation for moderate magnitudes, exponent notation otherwise.
 * @param {number} x  A finite number.
 * @param {string} shortest  A decimal string that represents `x`.
 * @param {number} digits  Its number of significant digits.
 * @return {string}
 */
function notation(x, shortest, digits) {
  const value = Number(shortest);
  const abs = Math.abs(value);
  if (abs === 0 || (abs >= 1e-4 && abs < 1e7)) return String(value);
  return value.toExponential(digits - 1);
}

/**
 * Formats non-finite numbers and negative zero; `null` for other numbers.
 * @param {number} x
 * @return {?string}
 */
function special(x) {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return 'Infinity';
  if (x === -Infinity) return '-Infinity';
  if (Object.is(x, -0)) return '-0';
  return null;
}

/**
 * The shortest decimal that reads back as the same float32 value, so what is
 * shown is exactly what was logged (0.1f shows as `0.1`, not
 * `0.10000000149011612`).
 * @param {number} x
 * @return {string}
 */
export function formatFloat32(x) {
  const s = special(x);
  if (s !== null) return s;
  const target = Math.fround(x);
  for (let digits = 1; digits <= 9; digits++) {
    const candidate = target.toPrecision(digits);
    if (Math.fround(Number(candidate)) === target) {
      return notation(target, candidate, digits);
    }
  }
  return String(target);
}

/**
 * Rounds to the nearest number of a binary floating-point format with `bits`
 * significant bits whose smallest normal exponent is `minExponent`, ties to
 * even (subnormals keep the spacing of the smallest exponent). Overflow is
 * not handled: only used on values already of that format.
 * @param {number} x
 * @param {number} bits  11 for float16, 8 for bfloat16.
 * @param {number} minExponent  -14 for float16, -126 for bfloat16.
 * @return {number}
 */
function roundToBits(x, bits, minExponent) {
  if (!Number.isFinite(x) || x === 0) return x;
  let exponent = Math.floor(Math.log2(Math.abs(x)));
  if (Math.abs(x) < Math.pow(2, exponent)) exponent--;
  const ulp = Math.pow(2, Math.max(exponent, minExponent) - (bits - 1));
  const q = x / ulp;
  let rounded = Math.round(q);
  if (Math.abs(q % 1) === 0.5) rounded = 2 * Math.round(q / 2);
  return rounded * ulp;
}

/**
 * Formats of fewer bits than float32, by numpy dtype name:
 * `[significant bits, smallest normal exponent]`.
 * @type {!Object<string, !Array<number>>}
 */
const SHORT_FLOATS = {float16: [11, -14], bfloat16: [8, -126]};

/**
 * The shortest decimal that reads back as the same float16 or bfloat16
 * value (the float16 nearest 0.1, 0.0999755859375, shows as `0.1`).
 * @param {number} x
 * @param {string} dtype  `float16` or `bfloat16`.
 * @return {string}
 */
function formatShortFloat(x, dtype) {
  const s = special(x);
  if (s !== null) return s;
  const [bits, minExponent] = SHORT_FLOATS[dtype];
  const target = roundToBits(x, bits, minExponent);
  for (let digits = 1; digits <= 5; digits++) {
    const candidate = target.toPrecision(digits);
    if (roundToBits(Number(candidate), bits, minExponent) === target) {
      return notation(target, candidate, digits);
    }
  }
  return formatFloat32(target);
}

/**
 * The shortest decimal that reads back as the same float64 value.
 * @param {number} x
 * @return {string}
 */
export function formatFloat64(x) {
  const s = special(x);
  if (s !== null) return s;
  const shortest = String(x);
  const digits = shortest
    .replace(/e.*$/, '')
    .replace(/[-.]/g, '')
    .replace(/^0+/, '').length;
  return notation(x, shortest, Math.max(1, digits));
}

/**
 * Formats one element of a tensor exactly, according to its dtype.
 * @param {number|boolean} x
 * @param {string} dtype  numpy dtype name, e.g. `float32`, `int64`, `bool`.
 * @return {string}
 */
export function formatValue(x, dtype) {
  if (typeof x === 'boolean') return String(x);
  if (dtype === 'bool') return x ? 'true' : 'false';
  if (INTEGER_DTYPE.test(dtype) && Number.isInteger(x)) return String(x);
  if (dtype === 'float64') return formatFloat64(x);
  if (dtype in SHORT_FLOATS) return formatShortFloat(x, dtype);
  return formatFloat32(x);
}

/**
 * A value rounded to a few significant digits, for statistics and labels.
 * @param {?number} x
 * @param {number=} digits
 * @return {string}
 */
export function formatApprox(x, digits = 4) {
  if (x === null || x === undefined) return '–';
  const s = special(x);
  if (s !== null) return s === '-0' ? '0' : s;
  const text = notation(x, x.toPrecision(digits), digits);
  // Drop trailing zeros of the fraction only: 0.1200 → 0.12, 1.0e-7 → 1e-7.
  return text.includes('.') ? text.replace(/\.?0+(?=e|$)/, '') : text;
}

/**
 * `1 parameter`, `2,048 parameters`.
 * @param {number} n
 * @param {string} noun  Singular.
 * @return {string}
 */
export function plural(n, noun) {
  return `${formatCount(n)} ${noun}${n === 1 ? '' : 's'}`;
}

/**
 * A count with thousands separators: 23851784 → `23,851,784`.
 * @param {number} n
 * @return {string}
 */
export function formatCount(n) {
  return Math.round(n)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/**
 * A compact count with three significant digits: 23851784 → `23.9M`.
 * @param {number} n
 * @return {string}
 */
export function formatCompact(n) {
  const abs = Math.abs(n);
  if (abs < 1000) return String(Math.round(n));
  const units = [
    [1e12, 'T'],
    [1e9, 'B'],
    [1e6, 'M'],
    [1e3, 'K'],
  ];
  for (const [size, suffix] of units) {
    if (abs >= size * 0.9995) {
      const scaled = n / /** @type {number} */ (size);
      const text = scaled.toPrecision(3);
      return `${Number(text)}${suffix}`;
    }
  }
  return String(n);
}

/**
 * A shape as `64×32`; `scalar` for rank 0.
 * @param {!Array<number>} shape
 * @return {string}
 */
export function formatShape(shape) {
  return shape.length === 0 ? 'scalar' : shape.join('×');
}

/**
 * A label for an axis tick, with just the decimals the tick spacing needs.
 * @param {number} value
 * @param {number} spacing  Distance between consecutive ticks (> 0).
 * @return {string}
 */
export function formatTick(value, spacing) {
  if (value === 0) return '0';
  const abs = Math.abs(value);
  if (abs >= 1e5 || abs < 1e-3) {
    const digits = Math.max(
      1,
      Math.floor(Math.log10(abs)) - Math.floor(Math.log10(spacing)) + 1,
    );
    return value.toExponential(Math.min(digits, 6) - 1).replace(
      /\.?0+e/,
      'e',
    );
  }
  const decimals = Math.max(0, -Math.floor(Math.log10(spacing) + 1e-9));
  return value.toFixed(Math.min(decimals, 8));
}

/**
 * `1st`, `2nd`, `3rd`, `4th`, `11th`, `22nd`.
 * @param {number} n
 * @return {string}
 */
export function ordinal(n) {
  const tens = n % 100;
  const suffix = tens >= 11 && tens <= 13 ? 'th' : ['th', 'st', 'nd', 'rd'][n % 10] || 'th';
  return `${n}${suffix}`;
}

/**
 * View indices `first, first + stride, ..., last` as text: `12`, `12–15`,
 * or `0–12 (every 4th)`.
 * @param {{first: number, last: number, stride: number}} indices
 * @return {string}
 */
export function formatIndices({first, last, stride}) {
  if (first === last) return String(first);
  return stride === 1 ? `${first}–${last}` : `${first}–${last} (every ${ordinal(stride)})`;
}
