/* Small DOM helper shared by the chat, FAQ and console pages (loaded before each page's script). */
"use strict";

window.ShenbaoDom = {
  /* el("p", {className: "x", text: "…"}, [children]): text is always set as text, never as HTML. */
  el(tag, attrs, children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (key === "text") node.textContent = value;
      else if (key === "className") node.className = value;
      else node.setAttribute(key, value === true ? "" : value);
    }
    for (const child of children || []) if (child) node.append(child);
    return node;
  },
};
