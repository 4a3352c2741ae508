/* 人工客服控制台 (served by the gateway at /console; no build step, no dependencies).
 *
 * Data comes from /api/console/* (cookie login; changes carry the login's X-CSRF-Token).
 * /ws/console only says what changed ({"type":"queue"} or {"type":"messages","session_id"});
 * the page then reloads the queue or fetches the open conversation's new messages.
 */
(() => {
  "use strict";

  const { el } = window.ShenbaoDom; // dom.js

  const PING_EVERY_MS = 25 * 1000;
  const QUEUE_REFRESH_MS = 30 * 1000;
  const STATUS = { waiting: "排队中", active: "处理中", closed: "已结束", returned: "已交回机器人", cancelled: "申请人已取消" };
  const CHANNEL = { web: "网页", wechat: "微信公众号" };
  const SENDER = { user: "申请人", bot: "申报助手", staff: "工作人员", system: "系统通知" };

  const $ = (id) => document.getElementById(id);
  const state = {
    me: null, queue: null, open: null, lastId: 0, ws: null, retries: 0, pingTimer: null, programs: [],
    filter: "all", seenWaiting: null, canned: [], cannedEditing: null, confirmAction: null, round: null, editingFact: null,
  };
  const PAGE_TITLE = document.title;
  const SOUND_KEY = "shenbao-console-sound";

  // --- helpers -------------------------------------------------------------------------------------


  let toastTimer = null;
  function toast(text) {
    $("toast").textContent = text;
    $("toast").hidden = false;
    window.clearTimeout(toastTimer);
    toastTimer = window.setTimeout(() => { $("toast").hidden = true; }, 2500);
  }

  function minutes(seconds) {
    if (seconds < 60) return `${seconds}秒`;
    if (seconds < 3600) return `${Math.floor(seconds / 60)}分钟`;
    return `${Math.floor(seconds / 3600)}小时${Math.floor((seconds % 3600) / 60)}分`;
  }

  function clock(iso) {
    const d = new Date(iso);
    return `${d.getMonth() + 1}月${d.getDate()}日 ${String(d.getHours()).padStart(2, "0")}:${String(d.getMinutes()).padStart(2, "0")}`;
  }

  class ApiError extends Error {
    constructor(status, detail) { super(detail); this.status = status; }
  }

  async function api(method, url, body) {
    let reply;
    try {
      reply = await ShenbaoDom.staffRequest(method, url, body, state.me && state.me.csrf_token);
    } catch (err) {
      throw new ApiError(0, err.message);
    }
    const data = reply.data || {};
    if (reply.status === 401 && url !== "/api/console/login") {
      showLogin();
      throw new ApiError(401, data.detail || "请先登录");
    }
    if (!reply.ok) throw new ApiError(reply.status, typeof data.detail === "string" ? data.detail : "操作失败，请重试");
    return reply.data;
  }

  async function act(promise) {
    try {
      return await promise;
    } catch (err) {
      if (err.status !== 401) toast(err.message);
      return null;
    }
  }

  // --- login ---------------------------------------------------------------------------------------

  function showLogin() {
    state.me = null;
    if (state.ws) state.ws.close();
    $("desk").hidden = true;
    $("login").hidden = false;
    $("login-username").focus();
  }

  async function showDesk(me) {
    state.me = me;
    $("me-name").textContent = me.display_name;
    $("login").hidden = true;
    $("desk").hidden = false;
    connect();
    await loadQueue();
    await loadCanned();
  }

  $("login-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const error = $("login-error");
    error.hidden = true;
    const username = $("login-username").value.trim();
    const password = $("login-password").value;
    if (!username || !password) {
      error.textContent = "请输入用户名和密码";
      error.hidden = false;
      return;
    }
    try {
      const me = await api("POST", "/api/console/login", { username, password });
      $("login-password").value = "";
      await showDesk(me);
    } catch (err) {
      error.textContent = err.message;
      error.hidden = false;
    }
  });

  $("logout").addEventListener("click", async () => {
    await act(api("POST", "/api/console/logout"));
    state.open = null;
    showLogin();
  });

  // --- queue ---------------------------------------------------------------------------------------

  function item(h, list) {
    const ended = !["waiting", "active"].includes(h.status);
    const when = ended ? (h.ended_at ? clock(h.ended_at) : "") : `等待${minutes(h.waiting_seconds)}`;
    const tags = [el("span", { className: `tag ${h.kind}`, text: h.kind === "message" ? "留言" : CHANNEL[h.channel] || h.channel })];
    if (h.mine) tags.push(el("span", { className: "tag mine", text: "我的" }));
    if (h.contact_left) tags.push(el("span", { className: "tag contact", text: "留了联系方式", title: "申请人在对话中留下了电话或邮箱" }));
    const line2 = ended
      ? `${STATUS[h.status] || h.status}${h.rating ? ` · 评分${h.rating}分` : ""}${h.resolution ? ` · ${h.resolution}` : ""}`
      : `${h.reason_label}${h.program_label ? ` · ${h.program_label}` : ""}${h.staff_name ? ` · ${h.staff_name}` : ""}`;
    const node = el("li", { className: "queue-item", "data-id": String(h.id), tabindex: "0", role: "button",
      "aria-label": `会话${h.id}，${h.question || "无问题"}，${when}` }, [
      el("div", { className: "line1" }, [el("span", { text: h.question || "（未提问）" }), el("span", {}, tags)]),
      el("div", { className: "line2", text: `${when} · ${line2}` }),
    ]);
    if (state.open && state.open.id === h.id) node.classList.add("selected");
    const open = () => openHandoff(h.id);
    node.addEventListener("click", open);
    node.addEventListener("keydown", (e) => { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); open(); } });
    return node;
  }

  async function loadQueue() {
    const queue = await act(api("GET", "/api/console/queue"));
    if (!queue) return;
    state.queue = queue;
    $("waiting").replaceChildren(...queue.waiting.map((h) => item(h, "waiting")));
    $("active").replaceChildren(...queue.active.map((h) => item(h, "active")));
    $("recent").replaceChildren(...queue.recent.map((h) => item(h, "recent")));
    $("waiting-count").textContent = String(queue.waiting.length);
    applyFilter();
    alertNewHandoffs(queue.waiting);
    $("office").textContent = `${queue.office_open ? "工作时间内" : "非工作时间"}（${queue.office_hours}）· 在线${queue.online_staff}人`;
    if (state.open) {
      const fresh = [...queue.waiting, ...queue.active].find((h) => h.id === state.open.id);
      if (fresh) setOpen(fresh);
      else if (["waiting", "active"].includes(state.open.status)) await openHandoff(state.open.id, true);
    }
  }

  // --- one conversation ----------------------------------------------------------------------------

  function messageNode(m) {
    const sender = SENDER[m.sender] ? m.sender : "bot";
    const shown = m.sender === "user" && m.title ? m.title : m.text;
    const bubble = el("div", { className: "bubble" }, [
      sender === "system" ? null : el("div", { className: "who", text: `${SENDER[sender]} · ${clock(m.created_at)}` }),
      document.createTextNode(shown || ""),
    ]);
    if (m.citations && m.citations.length) {
      bubble.append(el("details", {}, [
        el("summary", { text: `依据（${m.citations.length}条）` }),
        ...m.citations.map((c) => el("div", {}, [
          el("div", { text: `${c.title || c.doc} ${c.clause || ""}` }),
          c.quote ? el("blockquote", { text: c.quote }) : null,
        ])),
      ]));
    }
    if (m.buttons && m.buttons.length) bubble.append(el("div", { className: "buttons", text: `按钮：${m.buttons.map((b) => b.title).join(" / ")}` }));
    if (m.attachment && m.attachment.filename) bubble.append(el("div", { className: "buttons", text: `文件：${m.attachment.filename}` }));
    if (m.rating) bubble.append(el("div", { className: "buttons", text: m.rating === "down" ? `申请人点了“没帮助”${m.rating_reason ? `：${m.rating_reason}` : ""}` : "申请人点了“有帮助”" }));
    return el("div", { className: `msg from-${sender}`, "data-id": String(m.id) }, [bubble]);
  }

  function appendMessages(messages) {
    const log = $("transcript");
    const stick = log.scrollHeight - log.scrollTop - log.clientHeight < 80;
    for (const m of messages) {
      if (m.id <= state.lastId) continue;
      log.append(messageNode(m));
      state.lastId = m.id;
    }
    if (stick) log.scrollTop = log.scrollHeight;
  }

  function setOpen(h) {
    state.open = h;
    const mine = h.status === "active" && h.mine;
    $("conv-title").textContent = `会话 ${h.id} · ${STATUS[h.status] || h.status}${h.staff_name ? `（${h.staff_name}）` : ""}`;
    $("conv-meta").textContent = [
      `渠道：${CHANNEL[h.channel] || h.channel}${h.kind === "message" ? "（留言）" : ""}`,
      `原因：${h.reason_label}`,
      h.program_label ? `项目：${h.program_label}` : null,
      `${h.status === "waiting" ? "已等待" : "等待了"}${minutes(h.waiting_seconds)}`,
      h.resolution ? `处理结果：${h.resolution}` : null,
      h.rating ? `评分：${h.rating}分` : null,
    ].filter(Boolean).join(" · ");
    $("claim").disabled = h.status !== "waiting";
    $("release").disabled = !mine;
    $("hand-back").disabled = !(mine || h.status === "waiting");
    $("close").disabled = !(mine || h.status === "waiting");
    $("reply-input").disabled = !mine;
    $("reply-send").disabled = !mine;
    for (const node of document.querySelectorAll(".queue-item")) node.classList.toggle("selected", node.dataset.id === String(h.id));
  }

  function showDialogue(d, form) {
    const box = $("dialogue");
    const intents = !d.available ? "对话引擎记录暂不可用"
      : d.intents.length ? d.intents.map((i) => `${i.name}${i.confidence ? `（${Math.round(i.confidence * 100)}%）` : ""}`).join("、") : "无";
    const rows = [["最近识别的意图", intents]];
    if (form) {
      rows.push(
        ["表单", `${form.title}（编号 ${form.code}，${form.phase}）`],
        ["正在询问", form.asking || "无"],
        [`已填写 ${form.filled.length}/${form.total}`, form.filled.length ? form.filled.map((f) => `${f.label}：${f.value}`).join("\n") : "无"],
      );
    } else {
      rows.push(["表单", "未填写表单"]);
    }
    box.replaceChildren(el("dl", {}, rows.flatMap(([k, v]) => [el("dt", { text: k }), el("dd", { text: v })])));
  }

  async function openHandoff(id, quiet) {
    const data = await act(api("GET", `/api/console/handoffs/${id}`));
    if (!data) return;
    $("empty").hidden = true;
    $("panel").hidden = false;
    state.lastId = 0;
    $("transcript").replaceChildren();
    setOpen(data.handoff);
    appendMessages(data.messages);
    $("transcript").scrollTop = $("transcript").scrollHeight;
    showDialogue(data.dialogue, data.form);
    if (!quiet) {
      loadSuggestions();
      loadCanned();
    }
  }

  async function loadNewMessages() {
    if (!state.open) return;
    const data = await act(api("GET", `/api/console/handoffs/${state.open.id}/messages?after=${state.lastId}`));
    if (!data || !state.open) return;
    const fromApplicant = data.messages.some((m) => m.sender === "user");
    appendMessages(data.messages);
    if (fromApplicant) loadSuggestions();
  }

  async function loadSuggestions() {
    if (!state.open) return;
    const id = state.open.id;
    const data = await act(api("GET", `/api/console/handoffs/${id}/suggestions`));
    if (!data || !state.open || state.open.id !== id) return;
    $("suggest-question").textContent = data.question ? `申请人的问题：${data.question}` : "申请人还没有提问";
    $("suggestions").replaceChildren(...data.suggestions.map((s) => {
      const send = el("button", { type: "button", className: "primary send-suggestion", text: "发送" });
      const fill = el("button", { type: "button", text: "填入" });
      send.addEventListener("click", () => reply(s.answer));
      fill.addEventListener("click", () => { $("reply-input").value = s.answer; $("reply-input").focus(); });
      const source = s.source === "staff" ? "工作人员整理" : (s.citations[0] ? `${s.citations[0].title} ${s.citations[0].clause}` : "政策知识库");
      return el("li", { className: "suggestion" }, [
        s.question ? el("div", { className: "q", text: s.question }) : null,
        el("div", { className: "a", text: s.answer }),
        el("div", { className: "src", text: `依据：${source}` }),
        el("div", { className: "row" }, [send, fill]),
      ]);
    }));
    if (!data.suggestions.length && data.question) $("suggestions").replaceChildren(el("li", { className: "muted", text: "知识库中没有找到相近的回答" }));
  }

  async function change(path, body) {
    if (!state.open) return;
    const updated = await act(api("POST", `/api/console/handoffs/${state.open.id}/${path}`, body));
    if (updated) {
      setOpen({ ...state.open, ...updated });
      await loadQueue();
      await loadNewMessages();
    }
  }

  async function reply(text) {
    const clean = (text || "").trim();
    if (!clean || !state.open) return false;
    const sent = await act(api("POST", `/api/console/handoffs/${state.open.id}/reply`, { text: clean }));
    if (!sent) return false;
    if (!sent.delivered) toast("申请人当前不在线，消息已保存，对方回来后可见");
    await loadNewMessages();
    return true;
  }

  $("claim").addEventListener("click", () => change("claim"));
  $("release").addEventListener("click", () => change("release"));
  $("hand-back").addEventListener("click", () => confirmEnd("return", "交回机器人？", "申请人之后的问题将由申报助手回答，并请申请人评价本次服务。"));
  $("close").addEventListener("click", () => confirmEnd("close", "结束本次人工服务？", "会话将从处理中移到最近结束，并请申请人评价本次服务。"));
  $("composer").addEventListener("submit", async (event) => {
    event.preventDefault();
    if (await reply($("reply-input").value)) $("reply-input").value = "";
  });
  $("reply-input").addEventListener("keydown", (event) => {
    if (event.key !== "Enter" || event.shiftKey || event.isComposing || event.keyCode === 229) return;
    event.preventDefault();
    $("composer").requestSubmit();
  });

  // --- add to FAQ ------------------------------------------------------------------------------------

  $("faq-open").addEventListener("click", () => {
    const staffAnswers = [...$("transcript").querySelectorAll(".msg.from-staff .bubble")];
    const last = staffAnswers.length ? staffAnswers[staffAnswers.length - 1].lastChild.textContent : "";
    const question = ($("suggest-question").textContent || "").replace(/^申请人的问题：/, "");
    $("faq-questions").value = question && !question.startsWith("申请人还没有") ? question : "";
    $("faq-answer").value = last;
    $("faq-error").hidden = true;
    $("faq-dialog").showModal();
  });
  $("faq-cancel").addEventListener("click", () => $("faq-dialog").close());
  $("faq-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const questions = $("faq-questions").value.split("\n").map((q) => q.trim()).filter(Boolean);
    const answer = $("faq-answer").value.trim();
    const error = $("faq-error");
    if (!questions.length || !answer) {
      error.textContent = "请填写至少一个问题和答案";
      error.hidden = false;
      return;
    }
    const body = { questions, answer };
    if ($("faq-program").value) body.program = $("faq-program").value;
    const title = $("faq-cite-title").value.trim();
    const clause = $("faq-cite-clause").value.trim();
    if (title || clause) body.citation = { title, clause, quote: $("faq-cite-quote").value.trim() };
    if (state.open) body.handoff_id = state.open.id;
    try {
      await api("POST", "/api/console/faq", body);
      $("faq-dialog").close();
      toast("已加入常见问题，智能助手和常见问题检索立即可用");
    } catch (err) {
      error.textContent = err.message;
      error.hidden = false;
    }
  });

  // --- filters and search ----------------------------------------------------------------------------

  const FILTER_LISTS = { waiting: ["waiting"], mine: ["active"], all: ["waiting", "active", "recent"], closed: ["recent"] };

  function applyFilter() {
    for (const button of document.querySelectorAll(".filter")) button.setAttribute("aria-pressed", String(button.dataset.filter === state.filter));
    for (const section of document.querySelectorAll("[data-list]")) section.hidden = !FILTER_LISTS[state.filter].includes(section.dataset.list);
    for (const node of $("active").querySelectorAll(".queue-item")) {
      const h = state.queue && state.queue.active.find((x) => String(x.id) === node.dataset.id);
      node.hidden = state.filter === "mine" && !(h && h.mine);
    }
  }

  for (const button of document.querySelectorAll(".filter")) {
    button.addEventListener("click", () => { state.filter = button.dataset.filter; applyFilter(); });
  }

  $("search-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const params = new URLSearchParams();
    const fields = { q: "search-text", program: "search-program", channel: "search-channel", status: "search-status", since: "search-since", until: "search-until" };
    for (const [name, id] of Object.entries(fields)) if ($(id).value.trim()) params.set(name, $(id).value.trim());
    const found = await act(api("GET", `/api/console/conversations?${params}`));
    if (!found) return;
    $("search-results").replaceChildren(...(found.length ? found.map((h) => item(h, "search"))
      : [el("li", { className: "muted", text: "没有找到符合条件的会话" })]));
  });

  // --- new handoffs: title badge, sound, desktop notification ------------------------------------------

  function beep() {
    const Context = window.AudioContext || window.webkitAudioContext;
    if (!Context) return;
    const audio = new Context();
    const tone = audio.createOscillator();
    const gain = audio.createGain();
    tone.frequency.value = 880;
    gain.gain.value = 0.15;
    tone.connect(gain).connect(audio.destination);
    tone.start();
    tone.stop(audio.currentTime + 0.25);
    tone.addEventListener("ended", () => audio.close());
  }

  function alertNewHandoffs(waiting) {
    document.title = waiting.length ? `(${waiting.length}) ${PAGE_TITLE}` : PAGE_TITLE;
    const ids = new Set(waiting.map((h) => h.id));
    const fresh = state.seenWaiting ? waiting.filter((h) => !state.seenWaiting.has(h.id)) : [];
    state.seenWaiting = ids;
    if (!fresh.length) return;
    if ($("alert-sound").checked) beep();
    if ("Notification" in window && Notification.permission === "granted") {
      const first = fresh[0];
      const note = new Notification("新的转人工请求", { body: `${first.question || "（未提问）"}${first.program_label ? ` · ${first.program_label}` : ""}`, tag: `handoff-${first.id}` });
      note.addEventListener("click", () => { window.focus(); openHandoff(first.id); });
    }
  }

  $("alert-sound").checked = localStorage.getItem(SOUND_KEY) === "on";
  $("alert-sound").addEventListener("change", () => localStorage.setItem(SOUND_KEY, $("alert-sound").checked ? "on" : "off"));
  $("alert-notify").hidden = !("Notification" in window) || Notification.permission !== "default";
  $("alert-notify").addEventListener("click", async () => {
    const permission = await Notification.requestPermission();
    $("alert-notify").hidden = permission !== "default";
    toast(permission === "granted" ? "已开启桌面通知" : "浏览器未允许通知");
  });

  // --- confirmation before hand-back and close -------------------------------------------------------------

  function confirmEnd(path, title, text) {
    state.confirmAction = path;
    $("confirm-title").textContent = title;
    $("confirm-text").textContent = text;
    $("confirm-resolution").value = "";
    $("confirm-dialog").showModal();
  }

  $("confirm-cancel").addEventListener("click", () => $("confirm-dialog").close());
  $("confirm-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const path = state.confirmAction;
    $("confirm-dialog").close();
    if (path) await change(path, { resolution: $("confirm-resolution").value.trim() });
  });

  // --- canned replies --------------------------------------------------------------------------------------

  function insertReply(text) {
    const box = $("reply-input");
    const at = box.disabled ? box.value.length : box.selectionStart;
    box.value = `${box.value.slice(0, at)}${text}${box.value.slice(box.disabled ? at : box.selectionEnd)}`;
    if (!box.disabled) {
      box.focus();
      box.selectionStart = box.selectionEnd = at + text.length;
    } else {
      toast("接入会话后即可发送");
    }
  }

  function programLabel(key) {
    const found = state.programs.find((p) => p.key === key);
    return found ? found.label : key;
  }

  async function loadCanned() {
    const program = state.open && state.open.program;
    const replies = await act(api("GET", `/api/console/canned${program ? `?program=${encodeURIComponent(program)}` : ""}`));
    if (!replies) return;
    state.canned = replies;
    $("canned").replaceChildren(...(replies.length ? replies.map((r) => {
      const insert = el("button", { type: "button", className: "primary canned-insert", text: "插入", "aria-label": `插入常用回复：${r.title}` });
      const edit = el("button", { type: "button", className: "link", text: "编辑", "aria-label": `编辑常用回复：${r.title}` });
      insert.addEventListener("click", () => insertReply(r.text));
      edit.addEventListener("click", () => openCanned(r));
      const tags = r.programs.length ? r.programs.map(programLabel).join("、") : "所有项目";
      return el("li", { className: "canned-item", "data-id": String(r.id) }, [
        el("div", { className: "q", text: r.title }), el("div", { className: "a", text: r.text }),
        el("div", { className: "src", text: `${tags} · ${r.author}` }), el("div", { className: "row" }, [insert, edit]),
      ]);
    }) : [el("li", { className: "muted", text: "还没有常用回复，点“新建”添加" })]));
  }

  function openCanned(reply) {
    state.cannedEditing = reply;
    $("canned-name").value = reply ? reply.title : "";
    $("canned-text").value = reply ? reply.text : "";
    $("canned-programs").replaceChildren(...state.programs.map((p) => el("label", {}, [
      el("input", { type: "checkbox", value: p.key, checked: Boolean(reply && reply.programs.includes(p.key)) }),
      document.createTextNode(` ${p.label}`),
    ])));
    $("canned-delete").hidden = !reply;
    $("canned-error").hidden = true;
    $("canned-dialog").showModal();
  }

  $("canned-new").addEventListener("click", () => openCanned(null));
  $("canned-cancel").addEventListener("click", () => $("canned-dialog").close());
  $("canned-delete").addEventListener("click", async () => {
    if (!state.cannedEditing) return;
    await act(api("DELETE", `/api/console/canned/${state.cannedEditing.id}`));
    $("canned-dialog").close();
    await loadCanned();
  });
  $("canned-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = {
      title: $("canned-name").value.trim(), text: $("canned-text").value.trim(),
      programs: [...$("canned-programs").querySelectorAll("input:checked")].map((box) => box.value),
    };
    const error = $("canned-error");
    if (!body.title || !body.text) {
      error.textContent = "请填写标题和回复内容";
      error.hidden = false;
      return;
    }
    try {
      const editing = state.cannedEditing;
      await api(editing ? "PUT" : "POST", editing ? `/api/console/canned/${editing.id}` : "/api/console/canned", body);
      $("canned-dialog").close();
      await loadCanned();
    } catch (err) {
      error.textContent = err.message;
      error.hidden = false;
    }
  });

  // --- round facts (admins change them; every answer uses them at once) -------------------------------------

  const FACT_SOURCE = { notice: "通知原文", staff: "工作人员更新" };

  async function loadRound() {
    const program = $("rounds-program").value;
    if (!program) return;
    const round = await act(api("GET", `/api/console/rounds/${encodeURIComponent(program)}`));
    if (!round) return;
    state.round = round;
    $("rounds-note").textContent = round.can_edit
      ? "修改后，智能助手的回答、常见问题和表单清单立即使用新值，并注明“工作人员更新”；可随时撤销。"
      : "只有管理员可以修改；这里可以查看当前值和修改记录。";
    $("rounds-facts").replaceChildren(...round.facts.map((f) => {
      const edit = round.can_edit ? el("button", { type: "button", className: "link fact-edit", text: "修改", "aria-label": `修改${f.title}的${f.label}` }) : null;
      if (edit) edit.addEventListener("click", () => editFact(f));
      return el("tr", { className: `fact from-${f.source}`, "data-item": f.item_id, "data-field": f.field }, [
        el("td", { text: f.title }), el("td", { text: f.label }), el("td", { className: "value", text: f.value || "（无）" }),
        el("td", { text: f.source === "staff" ? `${FACT_SOURCE.staff}（${f.changed_by}，${clock(f.changed_at)}）` : FACT_SOURCE.notice }),
        el("td", {}, [edit]),
      ]);
    }));
    $("rounds-history").replaceChildren(...(round.history.length ? round.history.map((c) => {
      const undo = round.can_edit && !c.reverted_by ? el("button", { type: "button", className: "link revert", text: "撤销" }) : null;
      if (undo) undo.addEventListener("click", () => revertChange(c));
      return el("li", { className: "change", "data-id": String(c.id) }, [
        el("div", { text: `${clock(c.created_at)} ${c.author}：${factTitle(c.item_id)} · ${c.label}` }),
        el("div", { className: "diff" }, [
          el("del", { text: c.old_value || "（无）" }), document.createTextNode(" → "), el("ins", { text: c.new_value || "（无）" }),
        ]),
        el("div", { className: "muted", text: `原因：${c.reason}${c.reverts ? `（撤销第${c.reverts}号修改）` : ""}${c.reverted_by ? ` · 已被第${c.reverted_by}号修改撤销` : ""}` }),
        undo,
      ]);
    }) : [el("li", { className: "muted", text: "还没有修改，全部为通知原文" })]));
  }

  function factTitle(itemId) {
    const fact = state.round && state.round.facts.find((f) => f.item_id === itemId);
    return fact ? fact.title : itemId;
  }

  function editFact(fact) {
    state.editingFact = fact;
    $("rounds-editing").textContent = `${fact.title} · ${fact.label}`;
    $("rounds-notice-value").textContent = `通知原文：${fact.notice_value || "（无）"}${fact.group === "deadlines" && ["start", "end"].includes(fact.field) ? "（日期写作 2027-03-31 或 2027-03-31T17:00）" : ""}`;
    $("rounds-value").value = fact.value;
    $("rounds-reason").value = "";
    $("rounds-error").hidden = true;
    $("rounds-form").hidden = false;
    $("rounds-value").focus();
  }

  async function revertChange(changeRow) {
    const done = await act(api("POST", `/api/console/rounds/changes/${changeRow.id}/revert`, { reason: "" }));
    if (done) {
      toast("已撤销，回答恢复为修改前的值");
      await loadRound();
    }
  }

  $("rounds-open").addEventListener("click", async () => {
    $("rounds-form").hidden = true;
    $("rounds-dialog").showModal();
    await loadRound();
  });
  $("rounds-close").addEventListener("click", () => $("rounds-dialog").close());
  $("rounds-program").addEventListener("change", () => { $("rounds-form").hidden = true; loadRound(); });
  $("rounds-cancel").addEventListener("click", () => { $("rounds-form").hidden = true; });
  $("rounds-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const fact = state.editingFact;
    if (!fact) return;
    const error = $("rounds-error");
    if (!$("rounds-reason").value.trim()) {
      error.textContent = "请写明修改原因（例如：2027年度申报通知）";
      error.hidden = false;
      return;
    }
    try {
      await api("POST", `/api/console/rounds/${encodeURIComponent($("rounds-program").value)}/changes`, {
        item_id: fact.item_id, field: fact.field, value: $("rounds-value").value.trim(), reason: $("rounds-reason").value.trim(),
      });
      $("rounds-form").hidden = true;
      toast("已保存，智能助手立即使用新值");
      await loadRound();
    } catch (err) {
      error.textContent = err.message;
      error.hidden = false;
    }
  });

  // --- live updates ------------------------------------------------------------------------------------

  function connect() {
    if (!state.me || (state.ws && state.ws.readyState <= 1)) return;
    const ws = new WebSocket(`${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/ws/console`);
    state.ws = ws;
    ws.addEventListener("open", () => {
      state.retries = 0;
      $("conn").textContent = "";
      window.clearInterval(state.pingTimer);
      state.pingTimer = window.setInterval(() => ws.readyState === 1 && ws.send('{"type":"ping"}'), PING_EVERY_MS);
      loadQueue();
      loadNewMessages();
    });
    ws.addEventListener("message", (event) => {
      let frame;
      try { frame = JSON.parse(event.data); } catch (e) { return; }
      if (frame.type === "queue") loadQueue();
      else if (frame.type === "messages" && state.open && frame.session_id === state.open.session_id) loadNewMessages();
      else if (frame.type === "logout") showLogin();
    });
    ws.addEventListener("close", () => {
      if (ws !== state.ws) return;
      state.ws = null;
      window.clearInterval(state.pingTimer);
      if (!state.me) return;
      $("conn").textContent = "实时连接已断开，正在重连…";
      const delay = Math.min(10000, 500 * 2 ** state.retries++);
      window.setTimeout(connect, delay);
    });
  }

  // --- start ---------------------------------------------------------------------------------------------

  async function start() {
    fetch("/api/config").then((r) => (r.ok ? r.json() : null)).then((config) => {
      if (!config) return;
      state.programs = config.programs;
      for (const p of config.programs) {
        for (const id of ["faq-program", "search-program", "rounds-program"]) $(id).append(el("option", { value: p.key, text: p.label }));
      }
    }).catch(() => {});
    window.setInterval(() => { if (state.me) loadQueue(); }, QUEUE_REFRESH_MS);
    try {
      const me = await api("GET", "/api/console/me");
      await showDesk(me);
    } catch (err) {
      showLogin();
    }
  }

  start();
})();
