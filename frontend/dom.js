// A tiny DOM builder. Text always goes in through text nodes, never as markup,
// because names and paths come from event files anyone can write.

/**
 * @typedef {(Node|string|number|null|undefined|false)} Child
 */

/**
 * Creates an element.
 *
 * `props` keys: `class` (class name), `text` (text content), `testid`
 * (`data-testid`), `style` (object of style properties), `on<event>` with a
 * function value (event listener), `dataset` (object), any other key is set
 * as an attribute (`true` sets an empty attribute, `false`/`null` skips it).
 *
 * @param {string} tag
 * @param {?Object<string, *>=} props
 * @param {...(Child|!Array<Child>)} children
 * @return {!HTMLElement}
 */
export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === 'class') {
      el.className = String(value);
    } else if (key === 'text') {
      el.textContent = String(value);
    } else if (key === 'testid') {
      el.dataset.testid = String(value);
    } else if (key === 'style') {
      Object.assign(el.style, value);
    } else if (key === 'dataset') {
      Object.assign(el.dataset, value);
    } else if (key.startsWith('on') && typeof value === 'function') {
      el.addEventListener(key.slice(2), /** @type {!EventListener} */ (value));
    } else if (key in el && typeof value !== 'string') {
      // Properties such as `checked`, `value` of inputs, `tabIndex`.
      /** @type {!Object} */ (el)[key] = value;
    } else {
      el.setAttribute(key, value === true ? '' : String(value));
    }
  }
  append(el, children);
  return el;
}

/**
 * Appends children (nested arrays flattened, empty values skipped).
 * @param {!Node} parent
 * @param {!Array<Child|!Array<Child>>} children
 */
export function append(parent, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(
      child instanceof Node ? child : document.createTextNode(String(child)),
    );
  }
}

/**
 * Replaces all children of `parent`.
 * @param {!Element} parent
 * @param {...(Child|!Array<Child>)} children
 */
export function replace(parent, ...children) {
  parent.replaceChildren();
  append(parent, children);
}

/**
 * A centred message for an empty or failed area.
 * @param {string} title
 * @param {string=} detail
 * @param {string=} kind  `empty` or `error`.
 * @return {!HTMLElement}
 */
export function message(title, detail = '', kind = 'empty') {
  return h(
    'div',
    {class: `tbw-message tbw-message-${kind}`, testid: `message-${kind}`},
    h('div', {class: 'tbw-message-title', text: title}),
    detail ? h('div', {class: 'tbw-message-detail', text: detail}) : null,
  );
}

/**
 * A small coloured dot, e.g. for a run's colour.
 * @param {string} color  CSS colour.
 * @return {!HTMLElement}
 */
export function swatch(color) {
  return h('span', {class: 'tbw-swatch', style: {background: color}});
}
