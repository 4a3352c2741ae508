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

  /* A staff console API call: JSON in and out, the CSRF token on every write. Resolves to
     {status, ok, data} (data null for 204); a network failure rejects with status 0. */
  async staffRequest(method, url, body, csrfToken) {
    const headers = {};
    if (body !== undefined) headers["content-type"] = "application/json";
    if (method !== "GET" && csrfToken) headers["x-csrf-token"] = csrfToken;
    let response;
    try {
      response = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: "same-origin" });
    } catch (err) {
      throw Object.assign(new Error("网络不可用，请稍后重试"), { status: 0 });
    }
    const data = response.status === 204 ? null : await response.json().catch(() => ({}));
    return { status: response.status, ok: response.ok, data };
  },
};
