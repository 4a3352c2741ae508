/* 申报助手 chat widget: one line embeds the chat in any portal page.
 *
 *   <script src="http://HOST:8000/static/widget.js" defer></script>
 *
 * Adds an "在线咨询" button at the bottom right; it opens the chat (/chat on the gateway that
 * served this script) in a panel, full screen on phones. Options on the script tag:
 *   data-open="true"     open the panel at once
 *   data-label="…"       text of the button (default 在线咨询)
 * A page address with ?q=… opens the panel with the question filled in (links from the FAQ).
 */
(() => {
  "use strict";
  if (window.__shenbaoWidget) return;
  window.__shenbaoWidget = true;

  const script = document.currentScript;
  const origin = new URL(script ? script.src : "/static/widget.js", window.location.href).origin;
  const question = new URLSearchParams(window.location.search).get("q");
  const startOpen = (script && script.dataset.open === "true") || Boolean(question);
  const label = (script && script.dataset.label) || "在线咨询";

  // The styles come as a file, not as an inline <style>: pages with a Content-Security-Policy
  // (the gateway's own, many portals') refuse inline styles.
  const stylesheet = document.createElement("link");
  stylesheet.rel = "stylesheet";
  stylesheet.href = new URL("/static/widget.css", origin).toString();
  const styled = new Promise((resolve) => {
    stylesheet.addEventListener("load", resolve);
    stylesheet.addEventListener("error", resolve);
  });
  document.head.append(stylesheet);

  const launcher = document.createElement("button");
  launcher.type = "button";
  launcher.className = "sbw-launcher";
  launcher.setAttribute("aria-expanded", "false");
  launcher.setAttribute("aria-controls", "shenbao-chat-panel");
  launcher.innerHTML =
    '<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z"/></svg>';
  launcher.append(document.createTextNode(label));

  const panel = document.createElement("div");
  panel.id = "shenbao-chat-panel";
  panel.className = "sbw-panel";
  panel.hidden = true;
  panel.setAttribute("role", "dialog");
  panel.setAttribute("aria-label", "申报助手在线咨询");

  let frame = null;
  function open() {
    if (!frame) {
      frame = document.createElement("iframe");
      frame.title = "申报助手在线咨询";
      const src = new URL("/chat", origin);
      src.searchParams.set("embed", "1");
      if (question) src.searchParams.set("q", question);
      frame.src = src.toString();
      panel.append(frame);
    }
    panel.hidden = false;
    document.documentElement.classList.add("sbw-open");
    launcher.setAttribute("aria-expanded", "true");
    frame.focus();
  }
  function close() {
    panel.hidden = true;
    document.documentElement.classList.remove("sbw-open");
    launcher.setAttribute("aria-expanded", "false");
    launcher.focus();
  }

  launcher.addEventListener("click", () => (panel.hidden ? open() : close()));
  window.addEventListener("message", (event) => {
    if (event.origin === origin && event.data && event.data.type === "shenbao:close") close();
  });
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && !panel.hidden) close();
  });

  function mount() {
    // only once styled, so that the button never shows unstyled in the page's flow
    styled.then(() => {
      document.body.append(panel, launcher);
      if (startOpen) open();
    });
  }
  if (document.body) mount();
  else document.addEventListener("DOMContentLoaded", mount);
})();
