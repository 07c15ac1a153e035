// Tiny DOM helpers. Everything that comes from the server is inserted as text:
// el() turns string children into text nodes and never touches innerHTML.

/** el('button', {class: 'x', type: 'button', onclick: fn, dataset: {id: 1}}, 'text', node, …) */
export function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === 'class') node.className = value;
    else if (key === 'dataset') Object.assign(node.dataset, value);
    else if (key.startsWith('on') && typeof value === 'function') node.addEventListener(key.slice(2), value);
    else if (value === true) node.setAttribute(key, '');
    else node.setAttribute(key, String(value));
  }
  append(node, children);
  return node;
}

function append(node, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(node, child);
    else node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export const $ = (id) => document.getElementById(id);

/** Sets an element's text only when it changed (avoids needless layout work while polling). */
export function setText(node, text) {
  const value = String(text);
  if (node.textContent !== value) node.textContent = value;
}

const numberFormat = new Intl.NumberFormat('en-US');
/** 100000 → "100,000" (one format whatever the browser's locale, like the rest of the page). */
export const fmt = (n) => numberFormat.format(n);

export function debounce(fn, ms) {
  let timer = 0;
  const debounced = (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
  debounced.cancel = () => clearTimeout(timer);
  return debounced;
}

/** "1 duplicate skipped" / "3 duplicates skipped" */
export const plural = (n, one, many) => `${fmt(n)} ${n === 1 ? one : many}`;

/** RFC 3339 timestamp → local time, e.g. "14:03:07"; "" for null. */
export function time(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '' : d.toLocaleTimeString([], {hour: '2-digit', minute: '2-digit', second: '2-digit'});
}
