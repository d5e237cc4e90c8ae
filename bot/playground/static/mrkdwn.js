// Slack's mrkdwn, drawn as Slack's client draws it: *bold*, _italic_, ~strike~, `code`, ```pre```,
// > quotes, <links|text>, <@U…> as @name, <#C…|name>, <!date^…> in the viewer's time zone,
// &lt; &gt; &amp; shown as the characters they stand for, and the emoji the bot uses.
"use strict";

const EMOJI = {
  white_check_mark: "✅", information_source: "ℹ️", x: "❌", ocean: "🌊", warning: "⚠️",
  no_entry_sign: "🚫", speech_balloon: "💬", scales: "⚖️", memo: "📝",
  hourglass_flowing_sand: "⏳", arrows_counterclockwise: "🔄", bar_chart: "📊", no_entry: "⛔",
  mag: "🔍", trophy: "🏆", rotating_light: "🚨", recycle: "♻️", outbox_tray: "📤", lock: "🔒",
  inbox_tray: "📥", hourglass: "⌛", eyes: "👀", calendar: "📅", alarm_clock: "⏰",
  bell: "🔔", tada: "🎉", zap: "⚡", pushpin: "📌", busts_in_silhouette: "👥", bust_in_silhouette: "👤",
  heavy_check_mark: "✔️", large_green_circle: "🟢", large_yellow_circle: "🟡", red_circle: "🔴",
  clipboard: "📋", chart_with_upwards_trend: "📈", star: "⭐", fire: "🔥", wave: "👋",
};

function escapeHtml(text) {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

function unescapeSlack(text) {
  return text.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
}

function emojify(html) {
  return html.replace(/:([a-z0-9_+-]+):/g, (all, name) => EMOJI[name] || all);
}

// ctx: {people: {id: {real_name}}, channels: {id: name}, tz, lang}
function formatDate(epoch, format, ctx) {
  const when = new Date(epoch * 1000);
  const locale = ctx.lang === "zh" ? "zh-CN" : "en-US";
  const fmt = (options) => new Intl.DateTimeFormat(locale, { timeZone: ctx.tz, ...options }).format(when);
  const dayKey = (d) => new Intl.DateTimeFormat("en-CA", { timeZone: ctx.tz }).format(d);
  const pretty = (fallback) => {
    const now = ctx.now ? new Date(ctx.now) : new Date();
    const days = { [dayKey(now)]: ctx.lang === "zh" ? "今天" : "today" };
    days[dayKey(new Date(now.getTime() - 86400000))] = ctx.lang === "zh" ? "昨天" : "yesterday";
    days[dayKey(new Date(now.getTime() + 86400000))] = ctx.lang === "zh" ? "明天" : "tomorrow";
    return days[dayKey(when)] || fallback;
  };
  const parts = {
    date_num: dayKey(when),
    date: fmt({ year: "numeric", month: "long", day: "numeric" }),
    date_short: fmt({ year: "numeric", month: "short", day: "numeric" }),
    date_long: fmt({ weekday: "long", year: "numeric", month: "long", day: "numeric" }),
    time: fmt({ hour: "numeric", minute: "2-digit" }),
    time_secs: fmt({ hour: "numeric", minute: "2-digit", second: "2-digit" }),
  };
  parts.date_pretty = pretty(parts.date);
  parts.date_short_pretty = pretty(parts.date_short);
  parts.date_long_pretty = pretty(parts.date_long);
  return format.replace(/\{(\w+)\}/g, (all, token) => (token in parts ? parts[token] : all));
}

function renderToken(inner, ctx) {
  const [target, label] = splitOnce(inner, "|");
  if (target.startsWith("@")) {
    const person = ctx.people[target.slice(1)];
    const name = person ? person.real_name : (label || target.slice(1));
    return `<span class="mention">@${escapeHtml(name)}</span>`;
  }
  if (target.startsWith("#")) {
    const name = ctx.channels[target.slice(1)] || label || target.slice(1);
    return `<span class="mention">#${escapeHtml(name)}</span>`;
  }
  if (target.startsWith("!date^")) {
    const [, epoch, format] = target.split("^");
    const shown = Number.isFinite(Number(epoch)) ? formatDate(Number(epoch), format || "{date}", ctx) : label;
    return `<time class="slack-date">${escapeHtml(shown || "")}</time>`;
  }
  if (target.startsWith("!subteam^")) return `<span class="mention">${escapeHtml(label || "@team")}</span>`;
  if (target.startsWith("!")) return `<span class="mention">@${escapeHtml(target.slice(1))}</span>`;
  const href = unescapeSlack(target);
  const text = label !== undefined ? unescapeSlack(label) : href;
  const safe = /^(https?:|mailto:|tel:)/i.test(href) ? href : "#";
  return `<a href="${escapeHtml(safe)}" target="_blank" rel="noopener">${escapeHtml(text)}</a>`;
}

function splitOnce(text, sep) {
  const at = text.indexOf(sep);
  return at < 0 ? [text, undefined] : [text.slice(0, at), text.slice(at + 1)];
}

function inline(segment, ctx, keep) {
  // Links, mentions and dates first, set aside so that nothing inside them is formatted.
  let text = segment.replace(/<([^<>\n]+)>/g, (all, inner) => keep(renderToken(inner, ctx)));
  text = escapeHtml(unescapeSlack(text));
  text = text.replace(/`([^`\n]+)`/g, (all, code) => keep(`<code>${code}</code>`));
  text = text.replace(/\*([^*\n]+)\*/g, "<b>$1</b>");
  text = text.replace(/(^|[^\w])_([^_\n]+)_(?!\w)/g, "$1<i>$2</i>");
  text = text.replace(/(^|[^\w])~([^~\n]+)~(?!\w)/g, "$1<s>$2</s>");
  return emojify(text);
}

function mrkdwn(source, ctx) {
  const kept = [];
  const keep = (html) => `\u0000${kept.push(html) - 1}\u0000`;
  const pieces = String(source || "").split("```");
  let html = "";
  pieces.forEach((piece, index) => {
    if (index % 2 === 1) {
      html += keep(`<pre>${escapeHtml(unescapeSlack(piece.replace(/^\n/, "")))}</pre>`);
      return;
    }
    const lines = piece.split("\n");
    let quote = [];
    const out = [];
    const flush = () => {
      if (quote.length) out.push(keep(`<blockquote>${quote.join("<br>")}</blockquote>`));
      quote = [];
    };
    for (const line of lines) {
      const quoted = line.match(/^(?:>|&gt;)\s?(.*)$/);
      if (quoted) {
        quote.push(inline(quoted[1], ctx, keep));
      } else {
        flush();
        out.push(inline(line, ctx, keep));
      }
    }
    flush();
    html += out.join("<br>").replace(/<br>(\u0000\d+\u0000)<br>/g, "$1");
  });
  return html.replace(/\u0000(\d+)\u0000/g, (all, n) => kept[Number(n)]);
}

function plainText(object, ctx) {
  if (!object) return "";
  if (object.type === "mrkdwn") return mrkdwn(object.text, ctx);
  return emojify(escapeHtml(object.text || ""));
}
