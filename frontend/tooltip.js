// One floating tooltip shared by every hoverable canvas.

import {h, append} from './dom.js';

/** @type {?HTMLElement} */
let tooltip = null;

/**
 * A line of the tooltip: plain text, or `[css colour, text]` for a line led
 * by a colour swatch, or `[null, text, 'muted']` for secondary text.
 * @typedef {(string|!Array<?string>)}
 */
export let TooltipLine;

/**
 * Shows the tooltip near a mouse event.
 * @param {!MouseEvent} event
 * @param {!Array<!TooltipLine>} lines
 */
export function showTooltip(event, lines) {
  if (!tooltip) {
    tooltip = h('div', {class: 'tbw-tooltip', testid: 'tooltip', role: 'tooltip'});
    document.body.appendChild(tooltip);
  }
  tooltip.replaceChildren();
  for (const line of lines) {
    if (typeof line === 'string') {
      append(tooltip, [h('div', {text: line})]);
      continue;
    }
    const [color, text, kind] = line;
    append(tooltip, [
      h(
        'div',
        {class: kind === 'muted' ? 'tbw-muted' : ''},
        color ? h('span', {class: 'tbw-swatch', style: {background: color}}) : null,
        text,
      ),
    ]);
  }
  tooltip.style.display = 'block';
  const margin = 14;
  const {innerWidth, innerHeight} = window;
  const box = tooltip.getBoundingClientRect();
  let left = event.clientX + margin;
  let top = event.clientY + margin;
  if (left + box.width > innerWidth - 4) left = event.clientX - margin - box.width;
  if (top + box.height > innerHeight - 4) top = event.clientY - margin - box.height;
  tooltip.style.left = `${Math.max(4, left)}px`;
  tooltip.style.top = `${Math.max(4, top)}px`;
}

/** Hides the tooltip. */
export function hideTooltip() {
  if (tooltip) tooltip.style.display = 'none';
}
