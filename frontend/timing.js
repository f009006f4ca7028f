// Render timings, so the dashboard's speed can be measured in a real browser
// (tests/test_browser_performance.py) or from the developer console.

/**
 * A recorded render.
 * @typedef {{what: string, ms: number, detail: string}}
 *     `what`: `tree-render` (a run's tree shown), `tree-filter` (the filter
 *     changed, e.g. a keystroke), `tree-toggle` (modules expanded or
 *     collapsed), `heatmap` (a heat map drawn); `detail`: e.g. the heat map's
 *     cells as `2048×1000`, or the number of tree rows.
 */
export let Timing;

/**
 * Records how long a render took.
 *
 * Every render of the layer tree and of a heat map calls this, which
 *  - sets `data-render-ms` on `element` (the tree's `[data-testid="tree"]`,
 *    the heat map's `[data-testid="heatmap"]` canvas) to the duration in
 *    milliseconds, and
 *  - appends a {@link Timing} to `window.tbwTimings`, but only when the page
 *    defined that as an array (`window.tbwTimings = []` in the plugin's
 *    iframe); otherwise nothing is kept.
 *
 * The duration runs from `start` (a `performance.now()` taken when the render
 * began) to after the style and layout the render caused, which are forced
 * here; the browser would do them before the next paint anyway, so that
 * costs nothing extra. Painting itself is not included.
 *
 * @param {string} what
 * @param {!HTMLElement} element  The rendered element; must be in the document.
 * @param {number} start  `performance.now()` at the start of the render.
 * @param {string=} detail
 * @return {number}  The duration in milliseconds.
 */
export function recordTiming(what, element, start, detail = '') {
  element.getBoundingClientRect();
  const ms = Math.round((performance.now() - start) * 100) / 100;
  element.dataset.renderMs = String(ms);
  const timings = /** @type {*} */ (window).tbwTimings;
  if (Array.isArray(timings)) timings.push({what, ms, detail});
  return ms;
}
