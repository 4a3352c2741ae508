/* 申报助手 web chat (served by the gateway at /chat; no build step, no dependencies).
 *
 * Transport: one WebSocket to /ws (protocol in connectors/web.py). The browser keeps its
 * session id in localStorage and the id of the last message it has; on every (re)connect it
 * says {"type":"hello","session_id","after":lastId} and the server replays what it missed.
 * A message typed while offline waits in an outbox (also in localStorage) and is (re)sent
 * after the server's "welcome"; its client_id lets the server drop a repeat.
 */
(() => {
  "use strict";

  const { el } = window.ShenbaoDom; // dom.js

  const KEYS = { session: "shenbao.session", outbox: "shenbao.outbox", token: "shenbao.token" };
  const GAP_FOR_TIME_MS = 5 * 60 * 1000; // time separator when messages are > 5 min apart
  const TYPING_LIMIT_MS = 45 * 1000;
  const PING_EVERY_MS = 20 * 1000;
  const SILENCE_LIMIT_MS = 45 * 1000;
  const HANDOFF_TEXT = "转人工";
  const GREETING = {
    text:
      "您好！我是申报助手，可以为您：\n" +
      "· 解答上海市和国家“5G+医疗健康应用试点”、上海市“智慧医疗专项研究”的截止时间、申报条件、所需材料、提交方式和联系方式，每个回答都注明政策依据；\n" +
      "· 做申报资格预审；\n· 一项项引导您填写申报书并生成文档；\n· 转接人工客服。",
    buttons: [
      { title: "咨询问题", local: "ask" },
      { title: "资格预审", payload: "我想先做一下资格预审" },
      { title: "填写申报书", payload: "我要填写申报书" },
      { title: "转人工", payload: "转人工" },
    ],
  };
  const SAMPLE_QUESTIONS = {
    text: "请直接输入您的问题，例如：",
    buttons: [
      { title: "上海5G+医疗试点什么时候截止？", payload: "上海5G+医疗试点什么时候截止？" },
      { title: "申报需要准备哪些材料？", payload: "申报需要准备哪些材料？" },
      { title: "国家5G试点材料寄到哪里？", payload: "国家5G试点材料寄到哪里？" },
    ],
  };
  const AVATARS = {
    bot: "/static/bot-avatar.svg",
    staff: "/static/staff-avatar.svg",
    user: "/static/user-avatar.svg",
  };
  const NAMES = { bot: "申报助手", staff: "人工客服", user: "我" };

  const $ = (id) => document.getElementById(id);
  const ui = {
    log: $("log"), input: $("input"), send: $("send"), form: $("composer"), counter: $("counter"),
    handoff: $("handoff"), status: $("status"), conn: $("conn"), toast: $("toast"),
    newBelow: $("new-below"), close: $("close"),
  };

  const state = {
    sessionId: loadSession(),
    token: storageGet(KEYS.token), // the session's secret (POST /api/session): only this page reaches it
    maxChars: 2000,
    lastId: 0,
    rendered: new Map(), // message id -> element
    lastStored: null, // the newest stored message {id, sender, created_at, sentHere}
    lastTimeShown: 0,
    outbox: loadOutbox(), // [{client_id, text, title, created}]
    ws: null,
    ready: false,
    everReady: false,
    retries: 0,
    retryTimer: null,
    pingTimer: null,
    lastHeard: 0,
    composing: false,
  };

  // --- storage ----------------------------------------------------------------------------------

  function randomId(prefix) {
    const bytes = new Uint8Array(9);
    (window.crypto || window.msCrypto).getRandomValues(bytes);
    return prefix + Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  function storageGet(key) {
    try { return window.localStorage.getItem(key); } catch (e) { return null; }
  }

  function storageSet(key, value) {
    try { window.localStorage.setItem(key, value); } catch (e) { /* private mode: memory only */ }
  }

  function loadSession() {
    let id = storageGet(KEYS.session);
    if (!id || !/^[A-Za-z0-9_\-.:]{1,64}$/.test(id)) {
      id = randomId("web-");
      storageSet(KEYS.session, id);
    }
    return id;
  }

  function loadOutbox() {
    try {
      const items = JSON.parse(storageGet(KEYS.outbox) || "[]");
      return Array.isArray(items) ? items.filter((m) => m && m.client_id && typeof m.text === "string") : [];
    } catch (e) {
      return [];
    }
  }

  function saveOutbox() {
    storageSet(KEYS.outbox, JSON.stringify(state.outbox));
  }

  // --- rendering -----------------------------------------------------------------------------------


  /* Web addresses are ASCII: one ends at the first other character (a full-width "（" and the
     words after it are not part of it) and before trailing punctuation. Phone numbers: mainland
     mobiles and landlines with their area code, not inside a longer run of digits. */
  const LINKABLE = /(?:https?:\/\/|www\.)[A-Za-z0-9\-._~:/?#[\]@!$&'*+,;=%]+|(?<![\d-])(?:0\d{2,3}-\d{7,8}|1[3-9]\d{9})(?![\d-])/g;

  function linkNode(found) {
    if (/^(?:https?:|www\.)/.test(found)) {
      const url = found.replace(/[.,;:!?'*]+$/, "");
      const href = url.startsWith("www.") ? "https://" + url : url;
      return [url, el("a", { href, target: "_blank", rel: "noopener noreferrer", text: url })];
    }
    return [found, el("a", { href: `tel:${found.replace(/-/g, "")}`, className: "tel", "aria-label": `拨打电话 ${found}`, text: found })];
  }

  /* Text with web addresses and phone numbers as links (never HTML from the server). */
  function richText(text) {
    const frag = document.createDocumentFragment();
    let last = 0;
    for (const match of text.matchAll(LINKABLE)) {
      const [shown, node] = linkNode(match[0]);
      frag.append(text.slice(last, match.index), node);
      last = match.index + shown.length;
    }
    frag.append(text.slice(last));
    return frag;
  }

  /* A form prompt's "例：是" says nothing a button does not already say: shown as the button only. */
  function withoutButtonExamples(text, buttons) {
    const titles = new Set((buttons || []).map((b) => b.title));
    if (!titles.size) return text;
    return text.split("\n").filter((line) => !(line.startsWith("例：") && titles.has(line.slice(2).trim()))).join("\n");
  }

  function formatTime(date) {
    const now = new Date();
    const hm = `${String(date.getHours()).padStart(2, "0")}:${String(date.getMinutes()).padStart(2, "0")}`;
    const day = (d) => new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();
    const days = Math.round((day(now) - day(date)) / 86400000);
    if (days === 0) return hm;
    if (days === 1) return `昨天 ${hm}`;
    if (date.getFullYear() === now.getFullYear()) return `${date.getMonth() + 1}月${date.getDate()}日 ${hm}`;
    return `${date.getFullYear()}年${date.getMonth() + 1}月${date.getDate()}日 ${hm}`;
  }

  function citationsBlock(citations) {
    if (!citations || !citations.length) return null;
    const items = citations.map((c) =>
      el("li", {}, [
        el("div", { className: "doc", text: c.title || c.doc || "" }),
        c.clause ? el("div", { className: "clause", text: c.clause }) : null,
        c.quote ? el("blockquote", { text: c.quote }) : null,
      ])
    );
    const label = citations.length > 1 ? `依据（${citations.length}条）` : "依据";
    const details = el("details", { className: "cite" }, [el("summary", { text: label }), el("ol", {}, items)]);
    details.addEventListener("toggle", () => {
      if (details.open) details.scrollIntoView({ block: "nearest", behavior: "smooth" });
    });
    return details;
  }

  function fileCard(attachment) {
    if (!attachment || !attachment.url || !/^(https?:\/\/|\/)/i.test(attachment.url)) return null;
    const name = attachment.filename || attachment.url.split("/").pop() || "文件";
    const ext = (name.split(".").pop() || "").slice(0, 4).toUpperCase();
    return el("a", { className: "file-card", href: attachment.url, download: name, "aria-label": `下载文件：${name}` }, [
      el("span", { className: "fname" }, [name, el("span", { className: "fhint", text: "点击下载" })]),
      el("span", { className: "ficon", "aria-hidden": "true", text: ext || "FILE" }),
    ]);
  }

  function quickReplies(buttons, caption) {
    if (!buttons || !buttons.length) return null;
    const group = el("div", { className: "quick", role: "group", "aria-label": caption || "快捷回复" });
    if (caption) group.append(el("div", { className: "quick-caption", text: `${caption}：` }));
    for (const button of buttons) {
      const node = el("button", { type: "button", text: button.title });
      node.addEventListener("click", () => (button.local === "ask" ? offerSampleQuestions() : sendText(button.payload || button.title, button.title)));
      group.append(node);
    }
    return group;
  }

  /* "咨询问题" in the greeting: the input gets the focus, with examples to tap (not stored). */
  function offerSampleQuestions() {
    if (!ui.log.querySelector(".samples")) {
      const node = messageNode({ sender: "bot", text: SAMPLE_QUESTIONS.text, buttons: SAMPLE_QUESTIONS.buttons }, { local: true });
      node.classList.add("samples");
      const greeting = ui.log.querySelector(".greeting");
      if (greeting) greeting.after(node);
      else ui.log.prepend(node);
    }
    ui.input.focus();
  }

  const THUMB = "M2 21h4V9H2v12zm20-11a2 2 0 0 0-2-2h-6.3l1-4.6v-.3c0-.4-.2-.8-.4-1.1L13.2 1 6.6 7.6c-.4.4-.6.9-.6 1.4v10a2 2 0 0 0 2 2h9c.8 0 1.5-.5 1.8-1.2l3-7.1c.1-.2.2-.5.2-.7v-2z";

  function thumbIcon(down) {
    const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    if (down) svg.setAttribute("transform", "rotate(180)");
    const path = document.createElementNS("http://www.w3.org/2000/svg", "path");
    path.setAttribute("d", THUMB);
    svg.append(path);
    return svg;
  }

  const DOWNVOTE_REASONS = ["答非所问", "信息有误", "不够详细", "其他"];

  // After 👎: why? (quick choices and optional words, sent as "<choice>：<words>")
  function reasonPicker(rate) {
    const form = el("form", { className: "quick why", "aria-label": "没帮助的原因" });
    const note = el("input", { type: "text", maxlength: "480", placeholder: "补充说明（可选）", "aria-label": "补充说明（可选）" });
    let choice = null;
    const choices = DOWNVOTE_REASONS.map((reason) => {
      const button = el("button", { type: "button", text: reason, "aria-pressed": "false" });
      button.addEventListener("click", () => {
        choice = reason;
        for (const other of choices) other.setAttribute("aria-pressed", String(other === button));
      });
      return button;
    });
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const words = note.value.trim();
      const reason = [choice || (words ? "其他" : null), words].filter(Boolean).join("：");
      if (!reason) return showToast("请选择原因或填写说明");
      if (await rate("down", reason)) form.remove();
    });
    form.append(el("span", { text: "哪里没帮到您？" }), ...choices, note, el("button", { type: "submit", className: "send-why", text: "提交" }));
    return form;
  }

  function ratingButtons(message) {
    const group = el("div", { className: "rate", role: "group", "aria-label": "这条回答有帮助吗" });
    const up = el("button", { type: "button", className: "up", "aria-label": "有帮助", title: "有帮助", "aria-pressed": String(message.rating === "up") }, [thumbIcon(false)]);
    const down = el("button", { type: "button", className: "down", "aria-label": "没帮助", title: "没帮助", "aria-pressed": String(message.rating === "down") }, [thumbIcon(true)]);
    const rate = async (rating, reason) => {
      try {
        const response = await fetch("/api/feedback", {
          method: "POST",
          headers: { "content-type": "application/json", "x-session-token": state.token || "" },
          body: JSON.stringify({ session_id: state.sessionId, message_id: message.id, rating, ...(reason ? { reason } : {}) }),
        });
        const body = await response.json().catch(() => ({}));
        if (!response.ok) throw new Error(body.detail || "评价失败，请稍后再试");
        up.setAttribute("aria-pressed", String(rating === "up"));
        down.setAttribute("aria-pressed", String(rating === "down"));
        showToast("感谢您的反馈");
        return true;
      } catch (err) {
        showToast(err.message && /[\u4e00-\u9fa5]/.test(err.message) ? err.message : "网络不可用，评价未提交");
        return false;
      }
    };
    const picker = () => group.parentNode && group.parentNode.querySelector(".why");
    up.addEventListener("click", async () => {
      if (await rate("up") && picker()) picker().remove();
    });
    down.addEventListener("click", async () => {
      if (await rate("down") && !picker()) group.after(reasonPicker(rate));
    });
    group.append(up, down);
    return group;
  }

  function messageNode(message, options) {
    const sender = message.sender === "user" ? "user" : message.sender === "staff" ? "staff" : "bot";
    const mine = sender === "user";
    const shown = mine && message.title ? message.title : withoutButtonExamples(message.text || "", message.buttons);
    const bubble = el("div", { className: "bubble" });
    if (shown) bubble.append(richText(shown));
    if (!mine) {
      const cite = citationsBlock(message.citations);
      if (cite) bubble.append(cite);
    }
    const row = el("div", { className: "bubble-row" }, [shown || !mine ? bubble : null]);
    const body = el("div", { className: "body" }, [
      el("span", { className: "sr-only", text: `${NAMES[sender]}说：` }),
      sender === "staff" ? el("div", { className: "name", "aria-hidden": "true", text: NAMES.staff }) : null,
      row,
    ]);
    let empty = false;
    if (!mine) {
      if (!shown && !(message.citations || []).length) row.remove();
      const cited = (message.citations || []).length > 0;
      const extras = [fileCard(message.attachment), quickReplies(message.buttons, cited ? "您可能还想问" : "")].filter(Boolean);
      body.append(...extras);
      empty = !row.isConnected && !body.contains(row) && !extras.length;
      // thumbs on the assistant's answers and documents only: not on a question back ("which
      // program?"), a form's prompt, a greeting or a notice
      const isAnswer = (cited || Boolean(message.attachment)) && message.kind !== "form_prompt";
      if (message.sender === "bot" && message.id && isAnswer && !empty && !(options && options.local)) {
        body.append(ratingButtons(message));
      }
    }
    const node = el("div", { className: `msg ${mine ? "mine" : "theirs"} from-${sender}` }, [
      el("div", { className: "avatar", "aria-hidden": "true" }, [el("img", { src: AVATARS[sender], alt: "" })]),
      body,
    ]);
    if (message.id) node.dataset.id = String(message.id);
    if (message.client_id) node.dataset.clientId = message.client_id;
    if (empty) node.hidden = true; // nothing this page can show (e.g. an unsafe link)
    return node;
  }

  function timeNode(date) {
    return el("div", { className: "time", text: formatTime(date) });
  }

  function nearBottom() {
    return ui.log.scrollHeight - ui.log.scrollTop - ui.log.clientHeight < 80;
  }

  function scrollToBottom() {
    ui.log.scrollTop = ui.log.scrollHeight;
    ui.newBelow.hidden = true;
  }

  /* Where stored messages go: before the pending ones and the typing indicator. */
  function storedTail() {
    return ui.log.querySelector(".msg.pending, .msg.failed, .typing");
  }

  function addStored(message, fromReplay) {
    if (state.rendered.has(message.id)) return;
    const stick = nearBottom() || message.sender === "user";
    const created = new Date(message.created_at);
    const tail = storedTail();
    const insert = (node) => (tail ? ui.log.insertBefore(node, tail) : ui.log.append(node));
    if (!state.lastTimeShown || created - state.lastTimeShown > GAP_FOR_TIME_MS) {
      insert(timeNode(created));
      state.lastTimeShown = created.getTime();
    }
    const node = messageNode(message);
    insert(node);
    state.rendered.set(message.id, node);
    state.lastId = Math.max(state.lastId, message.id);
    if (!state.lastStored || message.id > state.lastStored.id) {
      state.lastStored = { id: message.id, sender: message.sender, at: Date.now(), live: !fromReplay };
    }
    if (message.client_id) settleOutgoing(message.client_id);
    updateTyping();
    if (stick) scrollToBottom();
    else ui.newBelow.hidden = false;
  }

  function addPending(item) {
    const node = messageNode({ sender: "user", text: item.text, title: item.title, client_id: item.client_id });
    node.classList.add("pending");
    node.querySelector(".bubble-row").prepend(el("span", { className: "pending-mark", role: "img", "aria-label": "发送中" }));
    const typing = ui.log.querySelector(".typing");
    if (typing) ui.log.insertBefore(node, typing);
    else ui.log.append(node);
    updateTyping();
    scrollToBottom();
  }

  function settleOutgoing(clientId) {
    const before = state.outbox.length;
    state.outbox = state.outbox.filter((m) => m.client_id !== clientId);
    if (state.outbox.length !== before) saveOutbox();
    for (const node of ui.log.querySelectorAll(".msg.pending, .msg.failed")) {
      if (node.dataset.clientId === clientId) node.remove();
    }
  }

  function failOutgoing(clientId, detail, retryable) {
    const item = state.outbox.find((m) => m.client_id === clientId);
    state.outbox = state.outbox.filter((m) => m.client_id !== clientId);
    saveOutbox();
    for (const node of ui.log.querySelectorAll(".msg.pending")) {
      if (node.dataset.clientId !== clientId) continue;
      node.classList.replace("pending", "failed");
      const mark = node.querySelector(".pending-mark");
      const failed = el("button", {
        type: "button", className: "failed-mark", text: "!",
        "aria-label": retryable ? `发送失败：${detail}。点击重新发送` : `发送失败：${detail}`,
      });
      if (retryable && item) {
        failed.addEventListener("click", () => {
          node.remove();
          sendText(item.text, item.title);
        });
      }
      mark.replaceWith(failed);
      node.querySelector(".body").append(el("div", { className: "error-text", text: detail }));
    }
    updateTyping();
  }

  function updateTyping() {
    const waiting =
      (state.ready && state.outbox.length > 0) ||
      (state.lastStored && state.lastStored.sender === "user" && state.lastStored.live &&
        Date.now() - state.lastStored.at < TYPING_LIMIT_MS);
    let node = ui.log.querySelector(".typing");
    if (waiting && !node) {
      node = el("div", { className: "msg theirs typing" }, [
        el("div", { className: "avatar", "aria-hidden": "true" }, [el("img", { src: AVATARS.bot, alt: "" })]),
        el("div", { className: "body" }, [
          el("div", { className: "bubble", role: "status", "aria-label": "申报助手正在输入" }, [
            el("span", { className: "dot" }), el("span", { className: "dot" }), el("span", { className: "dot" }),
          ]),
        ]),
      ]);
      const stick = nearBottom();
      ui.log.append(node);
      if (stick) scrollToBottom();
      window.setTimeout(updateTyping, TYPING_LIMIT_MS + 100);
    } else if (!waiting && node) {
      node.remove();
    }
  }

  let toastTimer = null;
  function showToast(text) {
    ui.toast.textContent = text;
    ui.toast.hidden = false;
    window.clearTimeout(toastTimer);
    toastTimer = window.setTimeout(() => { ui.toast.hidden = true; }, 2200);
  }

  function setStatus(text) {
    ui.status.textContent = text || "";
    ui.status.hidden = !text;
    ui.conn.textContent = state.ready ? "" : "（连接中…）";
  }

  // --- sending -----------------------------------------------------------------------------------

  function transmit(item) {
    if (!state.ready || !state.ws) return;
    const frame = { type: "message", client_id: item.client_id, text: item.text };
    if (item.title && item.title !== item.text) frame.title = item.title;
    state.ws.send(JSON.stringify(frame));
  }

  function sendText(text, title) {
    const clean = (text || "").trim();
    if (!clean || clean.length > state.maxChars) return false;
    const item = { client_id: randomId("c-"), text: clean, title: title || null, created: Date.now() };
    state.outbox.push(item);
    saveOutbox();
    addPending(item);
    transmit(item);
    return true;
  }

  function updateInput() {
    const length = ui.input.value.trim().length;
    const over = ui.input.value.length > state.maxChars;
    ui.send.disabled = length === 0 || over;
    ui.input.setAttribute("aria-invalid", String(over));
    if (over) {
      ui.counter.textContent = `已超出${state.maxChars}字上限（当前${ui.input.value.length}字），请删减后发送`;
    } else {
      ui.counter.textContent = `${ui.input.value.length}/${state.maxChars}`;
    }
    ui.counter.classList.toggle("over", over);
    ui.counter.hidden = !over && ui.input.value.length < state.maxChars * 0.8;
    ui.input.style.height = "auto";
    ui.input.style.height = `${Math.min(ui.input.scrollHeight, 120)}px`;
  }

  function submit() {
    if (ui.send.disabled) return;
    if (sendText(ui.input.value)) {
      ui.input.value = "";
      updateInput();
      ui.input.focus();
    }
  }

  ui.form.addEventListener("submit", (event) => {
    event.preventDefault();
    submit();
  });
  ui.input.addEventListener("compositionstart", () => { state.composing = true; });
  ui.input.addEventListener("compositionend", () => {
    state.composing = false;
    updateInput();
  });
  ui.input.addEventListener("keydown", (event) => {
    if (event.key !== "Enter" || event.shiftKey) return;
    // Enter that confirms a Chinese IME candidate must not send (Safari: keyCode 229).
    if (state.composing || event.isComposing || event.keyCode === 229) return;
    event.preventDefault();
    submit();
  });
  ui.input.addEventListener("input", updateInput);
  ui.handoff.addEventListener("click", () => sendText(HANDOFF_TEXT));
  ui.newBelow.addEventListener("click", scrollToBottom);
  ui.log.addEventListener("scroll", () => { if (nearBottom()) ui.newBelow.hidden = true; });

  // --- connection --------------------------------------------------------------------------------

  function socketUrl() {
    return `${window.location.protocol === "https:" ? "wss" : "ws"}://${window.location.host}/ws`;
  }

  /* The server makes the conversation and its secret together (once per browser); a session id
     without its token (a page of an older version) cannot be reclaimed: a new conversation starts. */
  async function ensureToken() {
    if (state.token) return true;
    try {
      const response = await fetch("/api/session", { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
      if (!response.ok) return false;
      const issued = await response.json();
      state.sessionId = issued.session_id;
      state.token = issued.token;
      storageSet(KEYS.session, issued.session_id);
      storageSet(KEYS.token, issued.token);
      return true;
    } catch (err) {
      return false;
    }
  }

  async function connect() {
    window.clearTimeout(state.retryTimer);
    state.retryTimer = null;
    if (state.ws && state.ws.readyState <= 1) return;
    if (!(await ensureToken())) {
      scheduleReconnect();
      return;
    }
    if (state.ws && state.ws.readyState <= 1) return;
    let ws;
    try {
      ws = new WebSocket(socketUrl());
    } catch (err) {
      scheduleReconnect();
      return;
    }
    state.ws = ws;
    ws.addEventListener("open", () => {
      state.lastHeard = Date.now();
      ws.send(JSON.stringify({ type: "hello", session_id: state.sessionId, after: state.lastId, token: state.token }));
      window.clearInterval(state.pingTimer);
      state.pingTimer = window.setInterval(() => heartbeat(ws), PING_EVERY_MS);
    });
    ws.addEventListener("message", (event) => {
      if (ws !== state.ws) return;
      state.lastHeard = Date.now();
      let frame;
      try { frame = JSON.parse(event.data); } catch (e) { return; }
      onFrame(frame);
    });
    ws.addEventListener("close", () => {
      if (ws !== state.ws) return;
      state.ws = null;
      state.ready = false;
      window.clearInterval(state.pingTimer);
      if (state.everReady) setStatus("网络连接已断开，正在重新连接…");
      else setStatus("");
      updateTyping();
      scheduleReconnect();
    });
  }

  function heartbeat(ws) {
    if (ws !== state.ws || ws.readyState !== 1) return;
    if (Date.now() - state.lastHeard > SILENCE_LIMIT_MS) {
      ws.close(); // half-open connection after a network change: start over
      return;
    }
    ws.send(JSON.stringify({ type: "ping" }));
  }

  function scheduleReconnect() {
    if (state.retryTimer) return;
    const base = Math.min(8000, 500 * 2 ** state.retries);
    state.retries += 1;
    state.retryTimer = window.setTimeout(connect, base * (0.75 + Math.random() * 0.5));
  }

  function reconnectNow() {
    if (state.ws && state.ws.readyState <= 1) return;
    state.retries = 0;
    connect();
  }

  window.addEventListener("online", reconnectNow);
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") reconnectNow();
  });

  function onFrame(frame) {
    switch (frame.type) {
      case "message":
        if (typeof frame.id === "number") addStored(frame, !state.ready);
        break;
      case "welcome":
        state.ready = true;
        state.everReady = true;
        state.retries = 0;
        if (typeof frame.max_chars === "number") {
          state.maxChars = frame.max_chars;
          updateInput();
        }
        setStatus("");
        for (const item of state.outbox) transmit(item);
        updateTyping();
        break;
      case "error":
        onError(frame);
        break;
      default:
        break; // pong, and types of later versions
    }
  }

  function onError(frame) {
    const pending = frame.client_id && state.outbox.some((m) => m.client_id === frame.client_id);
    if (pending) {
      failOutgoing(frame.client_id, frame.detail || "发送失败", frame.code === "store_error" || frame.code === "too_many");
    } else if (frame.code === "bad_session" || frame.code === "bad_token") {
      state.sessionId = randomId("web-");
      storageSet(KEYS.session, state.sessionId);
      state.token = null;
      try { window.localStorage.removeItem(KEYS.token); } catch (e) { /* memory only */ }
      state.lastId = 0;
      if (state.ws) state.ws.close();
    } else if (frame.detail) {
      showToast(frame.detail);
    }
  }

  // --- start ---------------------------------------------------------------------------------------

  function start() {
    const params = new URLSearchParams(window.location.search);
    if (params.get("embed") === "1" && window.parent !== window) {
      ui.close.hidden = false;
      const closePanel = () => window.parent.postMessage({ type: "shenbao:close" }, "*");
      ui.close.addEventListener("click", closePanel);
      document.addEventListener("keydown", (event) => { if (event.key === "Escape") closePanel(); });
    }
    const greeting = messageNode({ sender: "bot", text: GREETING.text, buttons: GREETING.buttons }, { local: true });
    greeting.classList.add("greeting");
    ui.log.append(greeting);
    for (const item of state.outbox) addPending(item);

    const question = params.get("q");
    if (question) {
      ui.input.value = question.slice(0, state.maxChars * 2);
      window.setTimeout(() => ui.input.focus(), 0);
    }
    updateInput();
    setStatus("");

    fetch("/api/config")
      .then((response) => (response.ok ? response.json() : null))
      .then((config) => {
        if (config && typeof config.max_message_chars === "number") {
          state.maxChars = config.max_message_chars;
          updateInput();
        }
      })
      .catch(() => {});
    connect();
  }

  start();
})();
