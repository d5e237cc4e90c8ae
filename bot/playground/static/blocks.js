// Block Kit, drawn: every block and element Claimbot sends (and a few it may), as DOM nodes.
// surface: {kind: "message"|"modal"|"home", act(key, value, element), ctx} — act() sends a
// block_actions for the element at key "block_id/action_id".
"use strict";

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name === "html") node.innerHTML = value;
    else if (name === "text") node.textContent = value;
    else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? "" : value);
  }
  for (const child of children.flat()) if (child) node.append(child);
  return node;
}

function optionsOf(element) {
  const options = [...(element.options || [])];
  for (const group of element.option_groups || []) options.push(...(group.options || []));
  return options;
}

const STATEFUL = new Set([
  "plain_text_input", "email_text_input", "url_text_input", "number_input", "static_select",
  "external_select", "users_select", "conversations_select", "channels_select", "datepicker",
  "timepicker", "radio_buttons", "checkboxes", "multi_static_select", "multi_users_select",
]);

// The value an element holds now, in the shape the server's fill_view takes.
function currentValue(node) {
  const type = node.dataset.type;
  if (type === "checkboxes" || type === "multi_static_select" || type === "multi_users_select") {
    if (node.tagName === "SELECT") return [...node.selectedOptions].map((o) => o.value);
    return [...node.querySelectorAll("input:checked")].map((i) => i.value);
  }
  if (type === "radio_buttons") {
    const checked = node.querySelector("input:checked");
    return checked ? checked.value : null;
  }
  const value = node.value;
  return value === "" || value === undefined ? null : value;
}

function surfaceState(root) {
  const state = {};
  for (const node of root.querySelectorAll("[data-key][data-type]")) {
    if (STATEFUL.has(node.dataset.type)) state[node.dataset.key] = currentValue(node);
  }
  return state;
}

function renderText(object, surface) {
  return el("span", { class: "text", html: plainText(object, surface.ctx) });
}

function button(element, key, surface) {
  const style = element.style ? ` ${element.style}` : "";
  return el("button", {
    type: "button",
    class: `btn${style}`,
    "data-key": key,
    "data-action-id": element.action_id,
    html: plainText(element.text, surface.ctx),
    onclick: () => {
      if (element.url) window.open(element.url, "_blank", "noopener");
      confirmThen(element.confirm, surface.ctx, () => surface.act(key, null, element));
    },
  });
}

function select(element, key, surface, fires) {
  const people = element.type.startsWith("users") || element.type.startsWith("multi_users");
  const multi = element.type.startsWith("multi_");
  const node = el("select", {
    class: "select",
    "data-key": key,
    "data-type": element.type,
    "data-action-id": element.action_id,
    multiple: multi,
  });
  if (!multi) {
    const placeholder = element.placeholder ? element.placeholder.text : surface.ctx.labels.choose;
    node.append(el("option", { value: "", text: placeholder }));
  }
  const initial = new Set();
  if (people) {
    if (element.initial_user) initial.add(element.initial_user);
    for (const u of element.initial_users || []) initial.add(u);
    for (const person of Object.values(surface.ctx.people)) {
      node.append(el("option", { value: person.id, text: person.real_name, selected: initial.has(person.id) }));
    }
  } else {
    if (element.initial_option) initial.add(element.initial_option.value);
    for (const o of element.initial_options || []) initial.add(o.value);
    const addOptions = (parent, options) => {
      for (const option of options) {
        parent.append(el("option", { value: option.value, text: option.text.text, selected: initial.has(option.value) }));
      }
    };
    addOptions(node, element.options || []);
    for (const group of element.option_groups || []) {
      const optgroup = el("optgroup", { label: group.label.text });
      addOptions(optgroup, group.options || []);
      node.append(optgroup);
    }
  }
  if (fires) {
    node.addEventListener("change", () => {
      const value = currentValue(node);
      if (value !== null) confirmThen(element.confirm, surface.ctx, () => surface.act(key, value, element));
    });
  }
  return node;
}

function overflow(element, key, surface) {
  const menu = el("div", { class: "overflow-menu", hidden: true });
  const wrapper = el("div", { class: "overflow" },
    el("button", { type: "button", class: "btn overflow-button", "data-key": key, "data-action-id": element.action_id, text: "⋯",
      onclick: () => { menu.hidden = !menu.hidden; } }),
    menu);
  for (const option of element.options || []) {
    menu.append(el("button", {
      type: "button", class: "overflow-item", "data-value": option.value, html: plainText(option.text, surface.ctx),
      onclick: () => { menu.hidden = true; confirmThen(element.confirm, surface.ctx, () => surface.act(key, option.value, element)); },
    }));
  }
  return wrapper;
}

function textInput(element, key, surface, dispatches) {
  const attrs = {
    class: "input",
    "data-key": key,
    "data-type": element.type,
    "data-action-id": element.action_id,
    placeholder: element.placeholder ? element.placeholder.text : null,
    maxlength: element.max_length || null,
  };
  let node;
  if (element.multiline) {
    node = el("textarea", { ...attrs, rows: 4 });
    node.value = element.initial_value || "";
  } else {
    const type = { number_input: "number", email_text_input: "email", url_text_input: "url" }[element.type] || "text";
    node = el("input", { ...attrs, type, step: element.type === "number_input" ? (element.is_decimal_allowed ? "any" : "1") : null,
      min: element.min_value || null, max: element.max_value || null });
    node.value = element.initial_value || "";
  }
  const onEnter = ((element.dispatch_action_config || {}).trigger_actions_on || ["on_enter_pressed"]).includes("on_enter_pressed");
  if (dispatches && !element.multiline && onEnter) {
    node.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.isComposing) {
        event.preventDefault();
        surface.act(key, node.value, element);
      }
    });
  }
  return node;
}

function picker(element, key, surface, fires) {
  const type = element.type === "timepicker" ? "time" : "date";
  const node = el("input", { type, class: "input picker", "data-key": key, "data-type": element.type, "data-action-id": element.action_id });
  node.value = element.initial_date || element.initial_time || "";
  if (fires) node.addEventListener("change", () => { if (node.value) surface.act(key, node.value, element); });
  return node;
}

function choices(element, key, surface, fires) {
  const kind = element.type === "radio_buttons" ? "radio" : "checkbox";
  const node = el("div", { class: `choices ${kind}`, "data-key": key, "data-type": element.type, "data-action-id": element.action_id });
  const initial = new Set([element.initial_option, ...(element.initial_options || [])].filter(Boolean).map((o) => o.value));
  for (const option of element.options || []) {
    const input = el("input", { type: kind, name: key, value: option.value, checked: initial.has(option.value) });
    if (fires) input.addEventListener("change", () => surface.act(key, currentValue(node), element));
    node.append(el("label", { class: "choice" }, input, el("span", { html: plainText(option.text, surface.ctx) }),
      option.description ? el("small", { html: plainText(option.description, surface.ctx) }) : null));
  }
  return node;
}

// fires: an action goes to the bot on change (outside input blocks, or dispatch_action inputs).
function element(element, blockId, surface, fires) {
  const key = `${blockId}/${element.action_id}`;
  switch (element.type) {
    case "button": return button(element, key, surface);
    case "overflow": return overflow(element, key, surface);
    case "image": return el("img", { class: "accessory-image", src: element.image_url, alt: element.alt_text || "" });
    case "plain_text_input": case "email_text_input": case "url_text_input": case "number_input":
      return textInput(element, key, surface, fires);
    case "datepicker": case "timepicker": return picker(element, key, surface, fires);
    case "radio_buttons": case "checkboxes": return choices(element, key, surface, fires);
    default:
      if (element.type && element.type.endsWith("select")) return select(element, key, surface, fires);
      return el("span", { class: "unsupported", text: `[${element.type}]` });
  }
}

function block(b, surface) {
  const id = b.block_id;
  switch (b.type) {
    case "header":
      return el("div", { class: "block header", "data-block-id": id }, el("h3", { html: plainText(b.text, surface.ctx) }));
    case "divider":
      return el("hr", { class: "block divider" });
    case "section": {
      const body = el("div", { class: "section-body" });
      if (b.text) body.append(el("div", { class: "section-text", html: plainText(b.text, surface.ctx) }));
      if (b.fields) body.append(el("div", { class: "fields" }, b.fields.map((f) => el("div", { class: "field", html: plainText(f, surface.ctx) }))));
      const node = el("div", { class: "block section", "data-block-id": id }, body);
      if (b.accessory) node.append(el("div", { class: "accessory" }, element(b.accessory, id, surface, true)));
      return node;
    }
    case "context":
      return el("div", { class: "block context", "data-block-id": id },
        (b.elements || []).map((e) => (e.type === "image"
          ? el("img", { src: e.image_url, alt: e.alt_text || "", class: "context-image" })
          : el("span", { html: plainText(e, surface.ctx) }))));
    case "actions":
      return el("div", { class: "block actions", "data-block-id": id }, (b.elements || []).map((e) => element(e, id, surface, true)));
    case "image":
      return el("figure", { class: "block image", "data-block-id": id },
        b.title ? el("figcaption", { html: plainText(b.title, surface.ctx) }) : null,
        el("img", { src: b.image_url, alt: b.alt_text || "" }));
    case "input": {
      const node = el("div", { class: "block input-block", "data-block-id": id },
        el("label", { class: "input-label" }, el("span", { html: plainText(b.label, surface.ctx) }),
          b.optional ? el("span", { class: "optional", text: surface.ctx.lang === "zh" ? "（选填）" : "(optional)" }) : null),
        element(b.element, id, surface, Boolean(b.dispatch_action)));
      if (b.hint) node.append(el("div", { class: "hint", html: plainText(b.hint, surface.ctx) }));
      node.append(el("div", { class: "field-error", role: "alert" }));
      return node;
    }
    case "rich_text":
      return el("div", { class: "block rich-text", text: JSON.stringify(b.elements).slice(0, 200) });
    default:
      return el("div", { class: "block unsupported", text: `[${b.type}]` });
  }
}

function renderBlocks(blocks, surface) {
  return el("div", { class: "blocks" }, (blocks || []).map((b) => block(b, surface)));
}

// A Block Kit confirm object, as Slack's client shows it: a small dialog before the action.
function confirmThen(confirm, ctx, proceed) {
  if (!confirm) { proceed(); return; }
  const dialog = el("dialog", { class: "confirm-dialog" });
  const close = () => { dialog.close(); dialog.remove(); };
  dialog.append(
    el("h3", { html: plainText(confirm.title, ctx) }),
    el("div", { class: "confirm-text", html: plainText(confirm.text, ctx) }),
    el("div", { class: "dialog-buttons" },
      el("button", { type: "button", class: "btn confirm-deny", html: plainText(confirm.deny || { type: "plain_text", text: ctx.labels.cancel }, ctx), onclick: close }),
      el("button", { type: "button", class: `btn primary confirm-ok${confirm.style === "danger" ? " danger" : ""}`, html: plainText(confirm.confirm, ctx),
        onclick: () => { close(); proceed(); } })));
  document.body.append(dialog);
  dialog.showModal();
}
