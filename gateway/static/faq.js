/* FAQ page: browse by program and topic (GET /api/faq), search (GET /api/faq/search), and ask
 * a question in the chat with it filled in (/?q=…). Plain JS, no dependencies. */
(() => {
  "use strict";

  const { el } = window.ShenbaoDom; // dom.js

  const ui = {
    form: document.getElementById("search"),
    q: document.getElementById("q"),
    programs: document.getElementById("programs"),
    topics: document.getElementById("topics"),
    summary: document.getElementById("summary"),
    results: document.getElementById("results"),
  };
  const params = new URLSearchParams(window.location.search);
  const state = {
    program: params.get("program") || "",
    topic: params.has("topic") ? params.get("topic") : "deadline",
    query: params.get("q") || "",
    programLabels: {},
    topicLabels: {},
    request: 0,
  };
  /* What the assistant does besides answering (the chat starts it): found by search too, so that
     "填申报书" finds the guided form. */
  const SERVICES = [
    {
      title: "在线填写申报书",
      words: /填|申报书|申请书|申请表|申报表|统计表|表格|生成.*(word|文档)/i,
      text: "申报助手一项项问您，生成按通知模板排版、可下载的申报书（Word），并列出需要附上的材料；填到一半可以暂停，凭填写编号继续。",
      ask: "我要填写申报书",
      action: "在对话中开始填写 ›",
    },
    {
      title: "申报资格预审",
      words: /预审|自查|自测|够不够格|能不能报|能否申报|符合.*条件/,
      text: "申报助手按通知的申报条件逐条问您，告诉您哪些已满足、哪些不满足或需要核实。",
      ask: "我想先做一下资格预审",
      action: "在对话中开始预审 ›",
    },
  ];


  function chips(container, options, current, onPick) {
    container.replaceChildren(
      ...options.map(([key, label]) => {
        const button = el("button", { type: "button", "aria-pressed": String(key === current), "data-key": key, text: label });
        button.addEventListener("click", () => onPick(key));
        return button;
      })
    );
  }

  function renderFilters() {
    chips(ui.programs, [["", "全部项目"], ...Object.entries(state.programLabels)], state.program, (key) => {
      state.program = key;
      refresh();
    });
    chips(ui.topics, [["", "全部主题"], ...Object.entries(state.topicLabels)], state.query ? null : state.topic, (key) => {
      state.topic = key;
      state.query = "";
      ui.q.value = "";
      refresh();
    });
  }

  function citation(c) {
    return el("li", {}, [
      el("div", { text: c.title || c.doc }),
      c.clause ? el("div", { className: "clause", text: c.clause }) : null,
      c.quote ? el("blockquote", { text: c.quote }) : null,
    ]);
  }

  function itemNode(item) {
    const question = item.question || "";
    const tags = [item.program_label, item.topic_label].filter(Boolean).map((t) => el("span", { className: "tag", text: t }));
    const askHref = `/?q=${encodeURIComponent(question)}`;
    return el("article", { className: "item" }, [
      question ? el("h2", { text: question }) : el("h2", { text: "条款原文" }),
      tags.length ? el("div", { className: "tags" }, tags) : null,
      el("p", { className: "answer", text: item.answer }),
      item.citations && item.citations.length
        ? el("details", {}, [el("summary", { text: "依据" }), el("ol", {}, item.citations.map(citation))])
        : null,
      question ? el("a", { className: "ask-link", href: askHref, text: "在对话中提问 ›" }) : null,
    ]);
  }

  function serviceNode(service) {
    return el("article", { className: "item service" }, [
      el("h2", { text: service.title }),
      el("div", { className: "tags" }, [el("span", { className: "tag", text: "在线办理" })]),
      el("p", { className: "answer", text: service.text }),
      el("a", { className: "ask-link", href: `/?q=${encodeURIComponent(service.ask)}`, text: service.action }),
    ]);
  }

  function matchingServices(query) {
    return query ? SERVICES.filter((service) => service.words.test(query)) : [];
  }

  function syncAddress() {
    const next = new URLSearchParams();
    if (state.program) next.set("program", state.program);
    if (state.query) next.set("q", state.query);
    else next.set("topic", state.topic);
    window.history.replaceState(null, "", `${window.location.pathname}?${next}`);
  }

  async function refresh() {
    renderFilters();
    syncAddress();
    const request = ++state.request;
    let url;
    if (state.query) {
      url = `/api/faq/search?${new URLSearchParams({ q: state.query, top_k: "10", ...(state.program ? { program: state.program } : {}) })}`;
    } else {
      url = `/api/faq?${new URLSearchParams({ ...(state.program ? { program: state.program } : {}), ...(state.topic ? { topic: state.topic } : {}) })}`;
    }
    ui.summary.textContent = "加载中…";
    ui.results.setAttribute("aria-busy", "true");
    try {
      const response = await fetch(url);
      const body = await response.json().catch(() => ({}));
      if (request !== state.request) return;
      if (!response.ok) throw new Error(body.detail || "加载失败，请稍后再试");
      const items = state.query ? body.results : body.items;
      const services = matchingServices(state.query);
      ui.results.replaceChildren(...services.map(serviceNode), ...items.map(itemNode));
      if (!items.length && !services.length) ui.results.append(el("p", { className: "empty", text: "没有找到相关问题，可以在线咨询申报助手。" }));
      const found = items.length + services.length;
      ui.summary.textContent = state.query ? `“${state.query}”的搜索结果：${found}条` : `共${items.length}个问题`;
    } catch (err) {
      if (request !== state.request) return;
      ui.results.replaceChildren(el("p", { className: "error", role: "alert", text: /[\u4e00-\u9fa5]/.test(err.message) ? err.message : "网络不可用，请稍后再试" }));
      ui.summary.textContent = "";
    } finally {
      if (request === state.request) ui.results.removeAttribute("aria-busy");
    }
  }

  ui.form.addEventListener("submit", (event) => {
    event.preventDefault();
    state.query = ui.q.value.trim();
    refresh();
  });

  async function start() {
    ui.q.value = state.query;
    try {
      const config = await (await fetch("/api/config")).json();
      for (const p of config.programs) state.programLabels[p.key] = p.label;
      for (const t of config.topics) state.topicLabels[t.key] = t.label;
    } catch (err) {
      /* the page still works with the keys */
    }
    if (state.program && !(state.program in state.programLabels)) state.program = "";
    if (state.topic && !(state.topic in state.topicLabels)) state.topic = "";
    refresh();
  }

  start();
})();
