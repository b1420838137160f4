// Tiny DOM helpers. Everything is built with createElement + text nodes:
// strings passed as children always become text, never markup.

const SVG_NS = 'http://www.w3.org/2000/svg';

/** Return the URL if it is an absolute http(s) URL, else null (never clickable). */
export function safeHttpUrl(value) {
  if (typeof value !== 'string' || !value) return null;
  let url;
  try {
    url = new URL(value);
  } catch {
    return null;
  }
  return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : null;
}

function appendChildren(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false || child === '') continue;
    el.append(child instanceof Node ? child : String(child));
  }
}

function setProps(el, props) {
  for (const [key, value] of Object.entries(props || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === 'class') {
      el.setAttribute('class', Array.isArray(value) ? value.filter(Boolean).join(' ') : value);
    } else if (key === 'dataset') {
      for (const [k, v] of Object.entries(value)) if (v !== null && v !== undefined) el.dataset[k] = String(v);
    } else if (key.startsWith('on') && typeof value === 'function') {
      el.addEventListener(key.slice(2), value);
    } else if (key === 'style' || key === 'innerHTML') {
      throw new Error(`h(): "${key}" is not allowed`);
    } else if (key === 'href' || key === 'src') {
      const v = String(value);
      if (!v.startsWith('#') && !v.startsWith('/') && safeHttpUrl(v) === null) {
        throw new Error('h(): refusing an unsafe URL');
      }
      el.setAttribute(key, v);
    } else {
      el.setAttribute(key, value === true ? '' : String(value));
    }
  }
}

/** h('button', {class: 'x', onclick: fn}, 'text', childNode, ...) */
export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  setProps(el, props);
  appendChildren(el, children);
  return el;
}

/** SVG element builder for the few inline icons. */
export function svg(tag, attrs, ...children) {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v !== null && v !== undefined) el.setAttribute(k, String(v));
  }
  for (const child of children) {
    if (child) el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

let idCounter = 0;
export function uid(prefix = 'id') {
  idCounter += 1;
  return `${prefix}-${idCounter}`;
}

/** A plain object (not null, not an array): what the API answers are checked against. */
export function isObject(v) {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** A value as text ('' for null and undefined). */
export function str(v) {
  return typeof v === 'string' ? v : v === null || v === undefined ? '' : String(v);
}

/** A finite number, or null. */
export function num(v) {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}
