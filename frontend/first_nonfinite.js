// The "first NaN/Inf" control of the sidebar: for each selected run, the
// earliest logged step at which any variable held NaN or Inf, and which
// variables did, each a link that opens the variable at that step.

import {h, replace} from './dom.js';
import {Latest} from './data.js';

/**
 * @typedef {{run: string, step: ?number,
 *     variables: !Array<{path: string, nan_count: number, inf_count: number}>}}
 */
export let FirstNonfinite;

/**
 * `1 NaN, 2 Inf`, leaving out a zero count.
 * @param {number} nanCount
 * @param {number} infCount
 * @return {string}
 */
export function describeCounts(nanCount, infCount) {
  const parts = [];
  if (nanCount) parts.push(`${nanCount} NaN`);
  if (infCount) parts.push(`${infCount} Inf`);
  return parts.join(', ') || 'none';
}

/**
 * The report of one run as text, e.g.
 * `nan_run: first NaN/Inf at step 2 in convnet/conv/kernel (1 NaN, 2 Inf)`.
 * @param {!FirstNonfinite} answer
 * @return {string}
 */
export function describeFirstNonfinite(answer) {
  if (answer.step === null) return `${answer.run}: no NaN or Inf logged`;
  const where = answer.variables.map((v) => `${v.path} (${describeCounts(v.nan_count, v.inf_count)})`).join(', ');
  return `${answer.run}: first NaN/Inf at step ${answer.step} in ${where}`;
}

/**
 * The sidebar control.
 */
export class FirstNonfiniteControl {
  /**
   * @param {function(string): !Promise<!FirstNonfinite>} getFirstNonfinite
   * @param {function(string, string, number)} onOpen  Called with the run,
   *     the variable path and the step of a clicked result.
   */
  constructor(getFirstNonfinite, onOpen) {
    this.getFirstNonfinite = getFirstNonfinite;
    this.onOpen = onOpen;
    /** @type {!Array<string>} */
    this.runs = [];
    this.latest = new Latest();
    this.button = h('button', {
      class: 'tbw-text-button',
      testid: 'first-nonfinite',
      text: 'Find first NaN/Inf',
      title: 'The earliest logged step at which any variable of each selected run held NaN or Inf',
      onclick: () => this.find(),
    });
    // The button and the results are placed by the caller.
    this.results = h('div', {class: 'tbw-nonfinite-results', testid: 'first-nonfinite-results', 'aria-live': 'polite'});
  }

  /**
   * Sets the runs to search; earlier results are cleared when they change.
   * @param {!Array<string>} runs
   */
  setRuns(runs) {
    const same = runs.length === this.runs.length && runs.every((r, k) => r === this.runs[k]);
    this.runs = runs;
    this.button.disabled = !runs.length;
    if (!same) {
      this.latest.next();
      this.results.replaceChildren();
    }
  }

  /** Asks for every selected run and lists the answers in run order. */
  async find() {
    const isCurrent = this.latest.next();
    const runs = this.runs;
    replace(this.results, h('div', {class: 'tbw-muted', text: 'Searching…'}));
    const answers = await Promise.all(
      runs.map((run) => this.getFirstNonfinite(run).then((answer) => ({answer}), (error) => ({run, error}))),
    );
    if (!isCurrent()) return;
    replace(
      this.results,
      answers.map((result) => {
        if (!result.answer) {
          const text = result.error instanceof Error ? result.error.message : String(result.error);
          return h('div', {class: 'tbw-nonfinite-result tbw-message-error', testid: 'first-nonfinite-result', text: `${result.run}: ${text}`});
        }
        const answer = result.answer;
        if (answer.step === null) {
          return h('div', {class: 'tbw-nonfinite-result tbw-muted', testid: 'first-nonfinite-result', dataset: {run: answer.run}, text: describeFirstNonfinite(answer)});
        }
        const step = answer.step;
        return h(
          'div',
          {class: 'tbw-nonfinite-result', testid: 'first-nonfinite-result', dataset: {run: answer.run, step: String(step)}},
          h('span', {class: 'tbw-nonfinite-bad', text: `${answer.run}: first NaN/Inf at step ${step} in `}),
          answer.variables.map((v, k) => [
            k ? ', ' : '',
            h('button', {
              class: 'tbw-link',
              testid: 'first-nonfinite-variable',
              dataset: {path: v.path},
              title: `Open ${v.path} of ${answer.run} at step ${step}`,
              text: v.path,
              onclick: () => this.onOpen(answer.run, v.path, step),
            }),
            ` (${describeCounts(v.nan_count, v.inf_count)})`,
          ]),
        );
      }),
    );
  }
}
