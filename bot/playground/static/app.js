// The playground's page: one person's Slack client at a time, redrawn whenever the server says
// something changed (server-sent events; one fetch per change, never a polling loop).
"use strict";

const page = {
  me: new URLSearchParams(location.hash.slice(1)).get("as") || null,
  conversation: null, // channel id; the Claimbot DM by default
  tab: "messages", // "home" | "messages" in the Claimbot DM
  state: null,
  shownModal: null, // "view id:hash" drawn now
  shownHome: null,
  fetching: false,
  again: false,
};

async function post(path, body) {
  const response = await fetch(path, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ user: page.me, ...body }),
  });
  try {
    return await response.json();
  } catch (e) {
    return { ok: false, error: page.state ? page.state.labels.failed : "failed" };
  }
}

async function refresh() {
  if (page.fetching) { page.again = true; return; }
  page.fetching = true;
  try {
    do {
      page.again = false;
      const query = page.me ? `?as=${encodeURIComponent(page.me)}` : "";
      const response = await fetch(`/api/state${query || "?as=U0PGWANG01"}`);
      if (response.ok) draw(await response.json());
    } while (page.again);
  } finally {
    page.fetching = false;
  }
}

function context(state) {
  const people = {};
  for (const p of state.people) people[p.id] = p;
  return {
    people, channels: state.channels, tz: state.viewer.tz, lang: state.viewer.lang,
    labels: state.labels, now: state.now,
  };
}

function draw(state) {
  const first = !page.state || page.state.viewer.id !== state.viewer.id;
  page.state = state;
  page.me = state.viewer.id;
  const L = state.labels;
  document.documentElement.lang = state.viewer.lang === "zh" ? "zh-CN" : "en";
  document.title = L.title;
  for (const [id, key] of [["title", "title"], ["act-as-label", "act_as"], ["clock-label", "clock"],
    ["clock-day", "day"], ["clock-week", "week"], ["clock-go", "go_to"], ["dms-title", "dms"],
    ["channels-title", "channels"], ["tab-home", "home"], ["tab-messages", "messages"],
    ["shortcut-label", "new_claim"], ["composer-send", "send"], ["subtitle", "subtitle"]]) {
    document.getElementById(id).textContent = L[key];
  }
  document.getElementById("composer-input").placeholder = L.composer;
  drawPeople(state);
  drawClock(state);
  drawViolations(state);
  if (first || !state.conversations.some((c) => c.id === page.conversation)) {
    page.conversation = state.conversations[0].id;
    page.tab = "messages";
    page.shownHome = null;
  }
  drawSidebar(state);
  drawConversation(state);
  drawModal(state);
}

function drawPeople(state) {
  const select = document.getElementById("act-as");
  select.replaceChildren(...state.people.map((p) => el("option", {
    value: p.id, selected: p.id === state.viewer.id,
    text: `${p.real_name} · ${state.labels["role_" + p.role]} · ${p.lang === "zh" ? "中文" : "English"}`,
  })));
}

function drawClock(state) {
  const now = new Date(state.now);
  const shown = new Intl.DateTimeFormat(state.viewer.lang === "zh" ? "zh-CN" : "en-US", {
    timeZone: state.viewer.tz, weekday: "short", year: "numeric", month: "short", day: "numeric",
    hour: "2-digit", minute: "2-digit",
  }).format(now);
  const clock = document.getElementById("clock-now");
  clock.textContent = shown;
  clock.dateTime = state.now;
  const input = document.getElementById("clock-date");
  input.min = new Intl.DateTimeFormat("en-CA", { timeZone: state.viewer.tz }).format(new Date(now.getTime() + 86400000));
}

function drawViolations(state) {
  const box = document.getElementById("violations");
  box.hidden = state.violations.length === 0;
  if (box.hidden) return;
  box.replaceChildren(
    el("strong", { text: `⚠️ ${state.labels.violations}` }),
    el("ul", {}, state.violations.map((v) => {
      const [method, reason] = v.includes(": ") ? [v.slice(0, v.indexOf(": ")), v.slice(v.indexOf(": ") + 2)] : ["", v];
      return el("li", {}, el("code", { class: "violation-method", text: method }), " ", el("span", { text: reason }));
    })),
    el("button", { type: "button", class: "btn", id: "dismiss-violations", text: state.labels.dismiss,
      onclick: async () => { await post("/api/dismiss", {}); refresh(); } }));
}

function drawSidebar(state) {
  const item = (c, prefix) => el("li", {},
    el("button", { type: "button", class: `conversation-link${c.id === page.conversation ? " active" : ""}`,
      "data-id": c.id, text: `${prefix}${c.name}`,
      onclick: () => { page.conversation = c.id; page.tab = "messages"; page.shownHome = null; draw(page.state); } }));
  document.getElementById("dm-list").replaceChildren(
    ...state.conversations.filter((c) => c.kind === "dm").map((c) => item(c, "● ")));
  document.getElementById("channel-list").replaceChildren(
    ...state.conversations.filter((c) => c.kind === "channel").map((c) => item(c, "# ")));
}

function drawConversation(state) {
  const conversation = state.conversations.find((c) => c.id === page.conversation);
  const isDm = conversation.kind === "dm";
  document.getElementById("conversation-name").textContent = isDm ? conversation.name : `# ${conversation.name}`;
  document.getElementById("tabs").hidden = !isDm;
  document.getElementById("tab-home").classList.toggle("active", page.tab === "home");
  document.getElementById("tab-messages").classList.toggle("active", page.tab === "messages");
  const showHome = isDm && page.tab === "home";
  document.getElementById("home").hidden = !showHome;
  document.getElementById("messages").hidden = showHome;
  document.getElementById("composer").hidden = showHome;
  document.getElementById("composer-error").hidden = showHome;
  if (showHome) drawHome(state); else drawMessages(state, conversation);
}

function drawHome(state) {
  const home = document.getElementById("home");
  const key = state.home ? `${state.home.id}:${state.home.hash}:${state.viewer.id}` : null;
  if (key && key === page.shownHome) return;
  page.shownHome = key;
  if (!state.home) {
    home.replaceChildren(el("p", { class: "muted", text: state.labels.home_loading }));
    return;
  }
  const surface = { kind: "home", ctx: context(state),
    act: (k, value) => act({ view_id: state.home.id, key: k, value, state: surfaceState(home) }) };
  home.replaceChildren(renderBlocks(state.home.blocks, surface));
}

function timeOf(iso, state) {
  if (!iso) return "";
  return new Intl.DateTimeFormat(state.viewer.lang === "zh" ? "zh-CN" : "en-US", {
    timeZone: state.viewer.tz, month: "short", day: "numeric", hour: "2-digit", minute: "2-digit",
  }).format(new Date(iso));
}

function drawMessages(state, conversation) {
  const list = document.getElementById("messages");
  const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
  const ctx = context(state);
  const L = state.labels;
  const nodes = conversation.messages.map((m) => {
    const surface = { kind: "message", ctx,
      act: (k, value, element, node) => act({ channel: conversation.id, ts: m.ts, key: k, value, state: surfaceState(body) }) };
    const body = el("div", { class: "message-body" });
    if (m.deleted) body.append(el("div", { class: "muted", text: L.deleted }));
    else if (m.blocks && m.blocks.length) body.append(renderBlocks(m.blocks, surface));
    else if (m.text) body.append(el("div", { class: "section-text", html: mrkdwn(m.text, ctx) }));
    if (m.file) {
      const href = `/files/${m.file.id}`;
      body.append(m.file.image
        ? el("figure", { class: "file" }, el("figcaption", { text: m.file.title }),
          el("a", { href, target: "_blank" }, el("img", { src: href, alt: m.file.title })))
        : el("a", { class: "file-card", href, download: m.file.name },
          el("span", { class: "file-icon", text: "📦" }),
          el("span", {}, el("b", { text: m.file.title }), el("br"), el("small", { text: `${L.file} · ${m.file.name}` }))));
    }
    return el("article", { class: `message${m.ephemeral ? " ephemeral" : ""}`, "data-ts": m.ts },
      el("div", { class: "avatar", text: "C" }),
      el("div", { class: "message-main" },
        m.ephemeral ? el("div", { class: "only-you", text: `👁 ${L.only_you}` }) : null,
        el("div", { class: "message-meta" },
          el("span", { class: "sender", text: "Claimbot" }), el("span", { class: "app-badge", text: L.app }),
          el("span", { class: "time", text: timeOf(m.at, state) }),
          m.edited ? el("span", { class: "edited", text: L.edited }) : null),
        body));
  });
  list.replaceChildren(...(nodes.length ? nodes : [el("p", { class: "muted empty", text: L.empty_conversation })]));
  if (atBottom || !page.scrolled) {
    list.scrollTop = list.scrollHeight;
    page.scrolled = true;
    // Pictures arrive after the text: keep the newest message in view when they do.
    for (const img of list.querySelectorAll("img")) {
      img.addEventListener("load", () => { list.scrollTop = list.scrollHeight; }, { once: true });
    }
  }
}

function drawModal(state) {
  const host = document.getElementById("modal-host");
  const view = state.modals[state.modals.length - 1];
  const key = view ? `${view.id}:${view.hash}` : null;
  if (key === page.shownModal) return;
  const old = host.querySelector("dialog");
  const kept = old ? surfaceState(old) : {};
  const sameView = old && view && old.dataset.viewId === view.id;
  host.replaceChildren();
  page.shownModal = key;
  if (!view) return;
  const ctx = context(state);
  const dialog = el("dialog", { class: "modal", "data-view-id": view.id, "data-callback-id": view.callback_id });
  const surface = { kind: "modal", ctx, act: (k, value) => act({ view_id: view.id, key: k, value, state: surfaceState(dialog) }) };
  const close = async () => { await post("/api/close", { view_id: view.id }); refresh(); };
  const form = el("form", { class: "modal-form", method: "dialog" });
  form.append(
    el("div", { class: "modal-header" },
      el("h2", { html: plainText(view.title, ctx) }),
      el("button", { type: "button", class: "modal-x", "aria-label": state.labels.cancel, text: "×", onclick: close })),
    el("div", { class: "modal-body" }, renderBlocks(view.blocks, surface)),
    el("div", { class: "modal-footer" },
      el("button", { type: "button", class: "btn modal-cancel", html: plainText(view.close || { type: "plain_text", text: state.labels.cancel }, ctx), onclick: close }),
      view.submit ? el("button", { type: "submit", class: "btn primary modal-submit", html: plainText(view.submit, ctx) }) : null));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const submit = form.querySelector(".modal-submit");
    if (!submit || submit.disabled) return;
    submit.disabled = true;
    for (const box of dialog.querySelectorAll(".field-error")) box.textContent = "";
    for (const box of dialog.querySelectorAll(".block.input-block.has-error")) box.classList.remove("has-error");
    const answer = await post("/api/submit", { view_id: view.id, state: surfaceState(dialog) });
    submit.disabled = false;
    if (!answer.ok) { toast(answer.error); return; }
    for (const [blockId, message] of Object.entries(answer.errors || {})) {
      const blockNode = dialog.querySelector(`.block.input-block[data-block-id="${CSS.escape(blockId)}"]`);
      if (blockNode) {
        blockNode.classList.add("has-error");
        blockNode.querySelector(".field-error").textContent = message;
      }
    }
    refresh();
  });
  dialog.addEventListener("cancel", (event) => { event.preventDefault(); close(); });
  dialog.append(form);
  if (sameView) {
    // views.update keeps what the person typed into inputs that are still there, as Slack does.
    for (const node of dialog.querySelectorAll("[data-key][data-type]")) {
      const value = kept[node.dataset.key];
      if (value === undefined || value === null) continue;
      if (node.tagName === "INPUT" || node.tagName === "TEXTAREA" || node.tagName === "SELECT") {
        if (!node.multiple && !Array.isArray(value) && node.value === "") node.value = value;
      }
    }
  }
  host.append(dialog);
  dialog.showModal();
}

async function act(body) {
  const answer = await post("/api/action", body);
  if (!answer.ok) toast(answer.error);
}

function toast(text) {
  const box = document.getElementById("toast");
  box.textContent = text;
  box.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { box.hidden = true; }, 6000);
}

async function advance(body) {
  for (const id of ["clock-day", "clock-week", "clock-go"]) document.getElementById(id).disabled = true;
  try {
    const answer = await post("/api/clock", body);
    if (answer.ok) {
      toast(page.state.labels.swept.replace("{reclaimed}", answer.reclaimed).replace("{notices}", answer.notices));
    } else {
      toast(answer.error);
    }
  } finally {
    for (const id of ["clock-day", "clock-week", "clock-go"]) document.getElementById(id).disabled = false;
    refresh();
  }
}

function wire() {
  document.getElementById("act-as").addEventListener("change", (event) => {
    page.me = event.target.value;
    history.replaceState(null, "", `#as=${page.me}`);
    page.shownModal = null;
    page.shownHome = null;
    page.scrolled = false;
    refresh();
  });
  document.getElementById("tab-home").addEventListener("click", async () => {
    page.tab = "home";
    page.shownHome = null;
    draw(page.state);
    await post("/api/home", {});
  });
  document.getElementById("tab-messages").addEventListener("click", () => { page.tab = "messages"; page.scrolled = false; draw(page.state); });
  document.getElementById("composer").addEventListener("submit", async (event) => {
    event.preventDefault();
    const input = document.getElementById("composer-input");
    const error = document.getElementById("composer-error");
    const text = input.value.trim();
    if (!text) return;
    error.textContent = "";
    const answer = await post("/api/command", { channel: page.conversation, text });
    if (answer.ok) input.value = ""; else error.textContent = answer.error;
  });
  document.getElementById("shortcut").addEventListener("click", () => post("/api/shortcut", {}));
  document.getElementById("clock-day").addEventListener("click", () => advance({ days: 1 }));
  document.getElementById("clock-week").addEventListener("click", () => advance({ days: 7 }));
  document.getElementById("clock-go").addEventListener("click", () => {
    const value = document.getElementById("clock-date").value;
    if (value) advance({ to: value });
  });
  const events = new EventSource("/api/events");
  events.onmessage = () => refresh();
}

wire();
refresh();
