// The only way the pages build DOM: h() sets text with text nodes and attributes with
// setAttribute, so a string from a user (a first name, a question) can never become HTML.

const SVG = "http://www.w3.org/2000/svg";

function fill(element, attrs, children) {
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith("on")) element.addEventListener(name.slice(2), value);
    else if (name === "value") element.value = value;
    else if (name === "checked") element.checked = Boolean(value);
    else element.setAttribute(name, value === true ? "" : String(value));
  }
  append(element, children);
  return element;
}

/** Append children: nodes as they are, strings and numbers as text, arrays flattened. */
export function append(element, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

/** h("button", {class: "big", onclick}, "text", otherNode) */
export function h(tag, attrs, ...children) {
  return fill(document.createElement(tag), attrs, children);
}

/** The SVG counterpart of h(), for pictograms and the QR code. */
export function s(tag, attrs, ...children) {
  return fill(document.createElementNS(SVG, tag), attrs, children);
}

/** Replace an element's children. */
export function put(element, ...children) {
  element.replaceChildren();
  return append(element, children);
}

export const byId = (id) => document.getElementById(id);

/** Like put(), for a part that holds a form: what is being typed (fields with an id) and
 *  the focus survive the re-render, so live updates never eat a half-written answer. */
export function keep(element, ...children) {
  const typed = new Map();
  for (const field of element.querySelectorAll("input[id], textarea[id], select[id]")) {
    if (field.type !== "checkbox" && field.type !== "radio") typed.set(field.id, field.value);
  }
  const focused = element.contains(document.activeElement) ? document.activeElement.id : null;
  put(element, ...children);
  for (const [id, value] of typed) {
    const field = element.querySelector(`#${CSS.escape(id)}`);
    if (field) field.value = value;
  }
  if (focused) element.querySelector(`#${CSS.escape(focused)}`)?.focus();
  return element;
}
