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
 * An inclusive index range from a half-open one: `12` or `12–15`.
 * @param {!Array<number>} range  `[start, end)`.
 * @return {string}
 */
export function formatRange([start, end]) {
  return end - start <= 1 ? String(start) : `${start}–${end - 1}`;
}
