/* 咨询统计 (served at /console/analytics; no build step, no dependencies, nothing from a CDN).
 *
 * Reads GET /api/console/analytics?days=&program= (staff cookie); "加入常见问题" posts the
 * cluster's questions as variants to POST /api/console/faq with the login's X-CSRF-Token;
 * "查看对话" reads /api/console/analytics/conversations/{id}. The chart is SVG drawn here.
 */
(() => {
  "use strict";

  const { el } = window.ShenbaoDom; // dom.js
  const $ = (id) => document.getElementById(id);
  const SVG_NS = "http://www.w3.org/2000/svg";
  const TOTALS = [
    ["messages", "消息"], ["conversations", "对话"], ["questions", "问题"], ["answered", "已回答"],
    ["unanswered", "未回答"], ["downvoted", "没帮助"], ["handoffs", "转人工"],
  ];
  const KINDS = { out_of_scope: "超出范围", not_in_notices: "通知未说明", fallback: "未理解" };
  const SENDER = { user: "申请人", bot: "申报助手", staff: "工作人员", system: "系统通知" };
  const state = { me: null, programs: {}, report: null };

  async function api(method, url, body) {
    const reply = await ShenbaoDom.staffRequest(method, url, body, state.me && state.me.csrf_token);
    const data = reply.data || {};
    if (!reply.ok) throw Object.assign(new Error(data.detail || `请求失败（${reply.status}）`), { status: reply.status });
    return data;
  }

  function query() {
    const params = new URLSearchParams({ days: $("days").value });
    if ($("program").value) params.set("program", $("program").value);
    return params;
  }

  function seconds(value) {
    if (value === null || value === undefined) return "暂无";
    if (value < 60) return `${Math.round(value)}秒`;
    if (value < 3600) return `${Math.round(value / 60)}分钟`;
    return `${(value / 3600).toFixed(1)}小时`;
  }

  function programNames(keys) {
    return (keys || []).map((k) => state.programs[k] || k).join("、") || "未识别项目";
  }

  function counts(list, entries) {
    list.replaceChildren(...(entries.length ? entries : [["暂无", ""]]).map(([label, n]) =>
      el("li", {}, [el("span", { text: label }), el("strong", { text: String(n) })])));
  }

  function svg(tag, attrs) {
    const node = document.createElementNS(SVG_NS, tag);
    for (const [key, value] of Object.entries(attrs || {})) node.setAttribute(key, String(value));
    return node;
  }

  function drawChart(days) {
    const width = Math.max(320, days.length * 22), height = 160, bottom = 24, top = 12;
    const max = Math.max(1, ...days.map((d) => d.questions));
    const step = width / Math.max(1, days.length);
    const chart = svg("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", class: "bars",
      "aria-label": `每日问题数：${days.map((d) => `${d.date} ${d.questions}个`).join("，")}` });
    days.forEach((day, i) => {
      const h = ((height - bottom - top) * day.questions) / max;
      const missed = ((height - bottom - top) * day.unanswered) / max;
      const x = i * step + step * 0.15, w = step * 0.7;
      const bar = svg("rect", { x, y: height - bottom - h, width: w, height: h, class: "asked" });
      bar.append(svg("title", {})); bar.lastChild.textContent = `${day.date}：${day.questions}个问题，${day.unanswered}个未回答`;
      chart.append(bar, svg("rect", { x, y: height - bottom - missed, width: w, height: missed, class: "missed" }));
      if (day.questions) {
        const label = svg("text", { x: x + w / 2, y: height - bottom - h - 2, "text-anchor": "middle", class: "value" });
        label.textContent = String(day.questions);
        chart.append(label);
      }
      if (days.length <= 14 || i % Math.ceil(days.length / 14) === 0) {
        const label = svg("text", { x: x + w / 2, y: height - 8, "text-anchor": "middle", class: "day" });
        label.textContent = day.date.slice(5);
        chart.append(label);
      }
    });
    $("chart").replaceChildren(chart, el("p", { className: "legend", text: "深色：未回答；浅色：已回答" }));
  }

  function clusterCard(cluster, kind) {
    const details = kind === "unanswered"
      ? Object.entries(cluster.kinds || {}).map(([k, n]) => `${KINDS[k] || k} ${n}`).join("，")
      : Object.entries(cluster.reasons || {}).map(([r, n]) => `${r} ${n}`).join("，");
    const card = el("article", { className: "cluster" }, [
      el("h3", { text: cluster.question }),
      el("p", { className: "meta", text: `${cluster.count}次 · ${programNames(cluster.programs)} · ${details}` }),
      el("ul", { className: "examples", "aria-label": "例句" }, cluster.examples.map((q) => el("li", { text: q }))),
    ]);
    if (cluster.reason_texts && cluster.reason_texts.length) {
      card.append(el("ul", { className: "reasons", "aria-label": "申请人说明" }, cluster.reason_texts.map((r) => el("li", { text: `“${r}”` }))));
    }
    if (cluster.faq) {
      card.append(el("p", { className: "faq", text: `已有常见问题：${cluster.faq.question} —— ${cluster.faq.answer}` }));
    }
    const add = el("button", { type: "button", className: "add-faq", text: cluster.faq ? "再加一条常见问题" : "加入常见问题" });
    add.addEventListener("click", () => openFaq(cluster));
    const buttons = el("div", { className: "actions" }, [add]);
    cluster.conversations.forEach((c, i) => {
      const open = el("button", { type: "button", className: "open-conversation", text: `查看对话${cluster.conversations.length > 1 ? i + 1 : ""}` });
      open.addEventListener("click", () => openTranscript(c.session_id, c.message_id));
      buttons.append(open);
    });
    card.append(buttons);
    return card;
  }

  function render(report) {
    state.report = report;
    $("totals").replaceChildren(...TOTALS.map(([key, label]) =>
      el("div", { className: "card", "data-key": key }, [el("dt", { text: label }), el("dd", { text: String(report.totals[key]) })])));
    counts($("kinds"), Object.entries(report.unanswered_by_kind).map(([k, n]) => [KINDS[k] || k, n]));
    counts($("reasons"), Object.entries(report.downvote_reasons));
    const labels = report.handoffs.reason_labels || {};
    counts($("handoff-reasons"), Object.entries(report.handoffs.by_reason).map(([r, n]) => [labels[r] || r, n]));
    $("wait").textContent = `首次人工回复等待时间中位数：${seconds(report.handoffs.median_wait_seconds)}（${report.handoffs.replied}/${report.handoffs.total}个已回复）`;
    $("csat").textContent = report.csat.count ? `平均 ${report.csat.average} 分（${report.csat.count}个评分）` : "暂无评分";
    counts($("csat-distribution"), Object.entries(report.csat.distribution).reverse().map(([s, n]) => [`${s}分`, n]));
    drawChart(report.per_day);
    $("top").replaceChildren(...report.top_questions.map((q) =>
      el("li", { text: `${q.question}（${q.count}次，已回答${q.answered}次）` })));
    for (const kind of ["unanswered", "downvoted"]) {
      const clusters = report[kind];
      $(kind).replaceChildren(...(clusters.length ? clusters.map((c) => clusterCard(c, kind)) : [el("p", { className: "empty", text: "暂无" })]));
    }
    const params = query();
    $("csv-figures").href = `/api/console/analytics.csv?${params}`;
    params.set("part", "conversations");
    $("csv-conversations").href = `/api/console/analytics.csv?${params}`;
  }

  async function load() {
    $("status").textContent = "正在统计……";
    try {
      render(await api("GET", `/api/console/analytics?${query()}`));
      $("status").textContent = "";
    } catch (err) {
      if (err.status === 401) return showLogin();
      $("status").textContent = err.message;
    }
  }

  function openFaq(cluster) {
    $("faq-questions").value = cluster.variants.join("\n");
    $("faq-answer").value = "";
    $("faq-program").value = cluster.programs.length === 1 ? cluster.programs[0] : "";
    $("faq-error").hidden = true;
    $("faq-dialog").showModal();
    $("faq-answer").focus();
  }

  async function saveFaq(event) {
    event.preventDefault();
    const questions = $("faq-questions").value.split("\n").map((q) => q.trim()).filter(Boolean);
    const body = { questions, answer: $("faq-answer").value.trim(), program: $("faq-program").value || null };
    try {
      await api("POST", "/api/console/faq", body);
      $("faq-dialog").close();
      $("status").textContent = "已加入常见问题，机器人会立即用它回答";
      await load();
    } catch (err) {
      if (err.status === 401) return showLogin();
      $("faq-error").textContent = err.message;
      $("faq-error").hidden = false;
    }
  }

  async function openTranscript(sessionId, messageId) {
    try {
      const data = await api("GET", `/api/console/analytics/conversations/${encodeURIComponent(sessionId)}`);
      $("transcript").replaceChildren(...data.messages.map((m) => {
        const item = el("li", { className: `from-${m.sender}${m.id === messageId ? " focus" : ""}` }, [
          el("span", { className: "who", text: SENDER[m.sender] || m.sender }),
          el("p", { text: m.title || m.text }),
        ]);
        if (m.rating) item.append(el("p", { className: "rating", text: m.rating === "down" ? `申请人点了“没帮助”${m.rating_reason ? `：${m.rating_reason}` : ""}` : "申请人点了“有帮助”" }));
        return item;
      }));
      $("transcript-dialog").showModal();
      const focus = $("transcript").querySelector(".focus");
      if (focus) focus.scrollIntoView({ block: "center" });
    } catch (err) {
      if (err.status === 401) return showLogin();
      $("status").textContent = err.message;
    }
  }

  function showLogin() {
    $("main").hidden = true;
    $("login-needed").hidden = false;
  }

  async function start() {
    try {
      state.me = await api("GET", "/api/console/me");
    } catch (err) {
      return showLogin();
    }
    const config = await fetch("/api/config").then((r) => (r.ok ? r.json() : { programs: [] })).catch(() => ({ programs: [] }));
    for (const p of config.programs || []) {
      state.programs[p.key] = p.label;
      $("program").append(el("option", { value: p.key, text: p.label }));
      $("faq-program").append(el("option", { value: p.key, text: p.label }));
    }
    $("main").hidden = false;
    $("filters").addEventListener("submit", (event) => { event.preventDefault(); load(); });
    $("days").addEventListener("change", load);
    $("program").addEventListener("change", load);
    $("faq-form").addEventListener("submit", saveFaq);
    $("faq-cancel").addEventListener("click", () => $("faq-dialog").close());
    $("transcript-close").addEventListener("click", () => $("transcript-dialog").close());
    await load();
  }

  start();
})();
