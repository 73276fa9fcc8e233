// The rooms of the watched session, rooms needing attention first, and the territory's totals.
// Up to DENSE_FROM - 1 rooms: one full tile each. From DENSE_FROM rooms on (a territory of 60
// centres): small tiles, five or six a row, with what matters at a glance; a tile opens in
// place on the full tile. The mediator can switch between the two views.
import { h, put } from "../shared/dom.js";
import { badge } from "../shared/badges.js";
import { icon } from "../shared/icons.js";
import { age, clock, duration } from "../shared/format.js";
import { t, tn } from "../shared/i18n/index.js";

/** More than 12 rooms: the compact view by default. */
export const DENSE_FROM = 13;

/**
 * How urgently a room needs the mediator's eyes:
 * 3 — a reported problem, a failed dispatch, a screen in error;
 * 2 — someone waits for help;
 * 1 — on air but the screen is not playing (offline, stalled, still pending);
 * 0 — all is well.
 */
export function attention(tile, onAir) {
  if (tile.problems.length || tile.dispatch === "failed" || tile.screen === "error") return 3;
  if (tile.help_open > 0) return 2;
  if (onAir && (tile.screen !== "playing" || tile.dispatch === "pending")) return 1;
  return 0;
}

/** Sites sorted: most urgent first, then the longest wait, then by name. */
export function sortRooms(rooms, onAir) {
  return Object.entries(rooms).sort(([, a], [, b]) => {
    const level = attention(b, onAir) - attention(a, onAir);
    if (level) return level;
    const waited = (a.oldest_help_at || "~").localeCompare(b.oldest_help_at || "~");
    return waited || a.nom.localeCompare(b.nom);
  });
}

const hidden = (text) => h("span", { class: "visually-hidden" }, text);

/** What a full tile says under the room's name. lastSeen: {site: {seconds, at}}. */
function details(site, room, onAir, lastSeen, level) {
  const seen = lastSeen[site];
  return [
    h("p", { class: "commune" }, room.commune || ""),
    level >= 2 && h("p", { class: "flag" }, t(level === 2 ? "console.flag_help" : room.problems.length ? "console.flag_problem" : "console.flag_screen")),
    h(
      "dl",
      {},
      h("dt", {}, t("console.present")),
      h("dd", { "data-field": "present" }, String(room.present)),
      h("dt", {}, t("console.help_open")),
      h("dd", { "data-field": "help_open" }, String(room.help_open),
        room.oldest_help_at ? [" · ", age("span", "console.oldest", room.oldest_help_at)] : ""),
      h("dt", {}, t("console.screen")),
      h("dd", {}, badge("screen", room.screen)),
      room.dispatch && [h("dt", {}, t("console.dispatch")), h("dd", {}, badge("dispatch", room.dispatch))],
      h("dt", {}, t("console.ready")),
      h("dd", { "data-field": "ready" }, room.ready_at ? t("console.ready_at", { time: clock(room.ready_at) }) : t("console.ready_no")),
      h("dt", {}, t("console.last_seen")),
      h("dd", {}, seen && seen.seconds !== null ? t("console.ago", { d: duration(seen.seconds + (Date.now() - seen.at) / 1000) }) : "—"),
    ),
    room.dispatch_detail && h("p", { class: "commune" }, room.dispatch_detail),
    room.problems.length > 0 &&
      h("ul", { "aria-label": t("console.problems") }, room.problems.map((p) => h("li", {}, t(`problem.${p.problem}`), p.text ? ` – ${p.text}` : "", p.seen_at ? ` (${t("console.problem_seen_done")})` : ""))),
  ];
}

/** The full tile of a room. */
export function tile(site, room, onAir, lastSeen) {
  const level = attention(room, onAir);
  return h(
    "li",
    { class: `tile level-${level}`, "data-site": site },
    h("h3", {}, room.nom),
    details(site, room, onAir, lastSeen, level),
  );
}

/** The few lines of a small tile: commune, people, help, screen, dispatch, problem. Every
 *  pictogram has its word for screen readers; the legend above the tiles gives it to eyes. */
function glance(room, onAir) {
  const waiting = room.help_open > 0;
  const problem = room.problems[0];
  return [
    h("p", { class: "commune" }, room.commune || ""),
    h(
      "p",
      { class: "figures" },
      h("span", { class: "figure", "data-field": "present" }, icon("person", 16), hidden(t("console.present_sr")), String(room.present)),
      h(
        "span",
        { class: `figure${waiting ? " waiting" : ""}`, "data-field": "help_open" },
        icon("help", 16),
        hidden(t("console.help_open_sr")),
        String(room.help_open),
        room.oldest_help_at && [
          h("span", { "aria-hidden": "true" }, " · "),
          hidden(t("console.oldest_sr")),
          age("span", "console.oldest_mini", room.oldest_help_at, { "data-field": "oldest" }),
        ],
      ),
      room.ready_at && h("span", { class: "figure ready", "data-field": "ready" }, icon("flag", 16), hidden(", "), t("console.ready_mini")),
    ),
    h("p", { class: "state", "data-field": "screen" }, icon("screen", 16), hidden(t("console.screen_sr")), badge("screen", room.screen)),
    onAir && room.dispatch &&
      h("p", { class: "state", "data-field": "dispatch" }, icon("broadcast", 16), hidden(t("console.dispatch_sr")), badge("dispatch", room.dispatch)),
    problem &&
      h("p", { class: "flag", "data-field": "problem" }, icon("warning", 16),
        t(`problem.${problem.problem}`),
        room.problems.length > 1 ? ` ${t("console.more", { n: room.problems.length - 1 })}` : ""),
  ];
}

/** What the pictograms of the small tiles mean. */
function legend() {
  const item = (name, key) => h("li", {}, icon(name, 16), " ", t(key));
  return h(
    "ul",
    { class: "legend", "aria-label": t("console.legend") },
    item("person", "console.present"),
    item("help", "console.legend_help"),
    item("screen", "console.screen"),
    item("broadcast", "console.dispatch"),
    item("warning", "console.problems"),
    item("flag", "console.ready"),
  );
}

/**
 * The rooms section: heading, view switch and the tiles, updated in place. In the compact
 * view each room keeps its element (and its button keeps the keyboard focus) while the
 * tiles are refreshed and reordered several times a second.
 */
export function roomsView() {
  let choice = null; // null: by the number of rooms; true / false: the mediator's choice
  let dense = false;
  let last = null; // the last update's arguments, to redraw on a switch
  const open = new Set(); // sites whose full tile is shown
  const small = new Map(); // site → {li, button, glance, detail}

  const head = h("div", { class: "rooms-head" });
  const list = h("ul", { class: "tiles", "aria-label": t("console.rooms") });
  const element = h("div", {}, head, list);

  list.addEventListener("keydown", (event) => {
    const buttons = [...list.querySelectorAll(":scope > li > h3 > button")];
    const from = buttons.indexOf(event.target);
    if (from < 0) return;
    const to = step(buttons, from, event.key);
    if (to === null) return;
    event.preventDefault();
    buttons[Math.max(0, Math.min(buttons.length - 1, to))].focus();
  });

  function switchView() {
    choice = !dense;
    open.clear();
    small.clear();
    update(...last);
    document.getElementById("rooms-view")?.focus();
  }

  function renderHead(count) {
    const skip = h("a", {
      href: "#escalations-title",
      class: "skip",
      onclick: (event) => {
        event.preventDefault();
        document.getElementById("escalations-title")?.focus();
      },
    }, t("console.skip_rooms", { n: count }));
    put(
      head,
      h("h2", { id: "rooms-title" }, t("console.rooms_title", { n: count })),
      h("button", { type: "button", id: "rooms-view", class: "btn quiet", "aria-pressed": String(dense), onclick: switchView }, t("console.compact")),
      dense && h("p", { class: "muted hint" }, t("console.compact_hint")),
      dense && legend(),
      dense && skip,
    );
  }

  function smallTile(site) {
    let parts = small.get(site);
    if (parts) return parts;
    const button = h("button", {
      type: "button",
      "aria-expanded": "false",
      "aria-controls": `room-${site}`,
      "aria-describedby": `glance-${site}`,
      onclick: () => {
        if (open.has(site)) open.delete(site);
        else open.add(site);
        update(...last);
      },
    });
    const glanceBox = h("div", { class: "glance", id: `glance-${site}` });
    const detail = h("div", { class: "detail", id: `room-${site}`, hidden: true });
    const li = h("li", { "data-site": site }, h("h3", {}, button), glanceBox, detail);
    parts = { li, button, glance: glanceBox, detail, name: null };
    small.set(site, parts);
    return parts;
  }

  function update(rooms, onAir, lastSeen) {
    last = [rooms, onAir, lastSeen];
    const count = Object.keys(rooms).length;
    const wasDense = dense;
    dense = choice ?? count >= DENSE_FROM;
    if (wasDense !== dense || !head.firstChild || head.dataset.count !== String(count)) {
      head.dataset.count = String(count);
      renderHead(count);
    }
    list.classList.toggle("dense", dense);
    const sorted = sortRooms(rooms, onAir);
    if (!dense) {
      put(list, sorted.map(([site, room]) => tile(site, room, onAir, lastSeen)));
      return;
    }
    if (wasDense !== dense) list.replaceChildren();
    const order = sorted.map(([site, room]) => {
      const level = attention(room, onAir);
      const parts = smallTile(site);
      const expanded = open.has(site);
      parts.li.className = `tile mini level-${level}${expanded ? " expanded" : ""}`;
      if (parts.name !== room.nom) {
        parts.name = room.nom;
        put(parts.button, h("span", { class: "name" }, room.nom), icon("chevron", 16));
      }
      parts.button.setAttribute("aria-expanded", String(expanded));
      parts.button.title = room.nom;
      put(parts.glance, glance(room, onAir));
      parts.glance.hidden = expanded;
      parts.detail.hidden = !expanded;
      put(parts.detail, expanded ? details(site, room, onAir, lastSeen, level) : []);
      return parts.li;
    });
    for (const site of small.keys()) if (!(site in rooms)) small.delete(site);
    reorder(list, order);
  }

  return { element, update, get dense() { return dense; } };
}

/** Put list's children in this order without ever moving the one holding the keyboard
 *  focus (moving it would drop the focus): the others go before or after it. */
function reorder(list, order) {
  const same = order.length === list.children.length && order.every((li, i) => list.children[i] === li);
  if (same) return;
  const anchor = order.find((li) => li.contains(document.activeElement));
  if (!anchor || anchor.parentNode !== list) {
    list.replaceChildren(...order);
    return;
  }
  const at = order.indexOf(anchor);
  for (const li of list.querySelectorAll(":scope > li")) if (!order.includes(li)) li.remove();
  for (const li of order.slice(0, at)) list.insertBefore(li, anchor);
  let after = anchor;
  for (const li of order.slice(at + 1)) {
    after.after(li);
    after = li;
  }
}

/** Arrow keys between small tiles: left/right in reading order, up/down to the nearest
 *  tile of the row above or below, Home/End to the first or last. */
function step(buttons, from, key) {
  if (key === "ArrowRight") return from + 1;
  if (key === "ArrowLeft") return from - 1;
  if (key === "Home") return 0;
  if (key === "End") return buttons.length - 1;
  if (key !== "ArrowDown" && key !== "ArrowUp") return null;
  const boxes = buttons.map((b) => b.closest("li").getBoundingClientRect());
  const here = boxes[from];
  const down = key === "ArrowDown";
  const candidates = boxes
    .map((box, i) => ({ box, i }))
    .filter(({ box }) => (down ? box.top >= here.bottom - 1 : box.bottom <= here.top + 1));
  if (!candidates.length) return from;
  const row = down ? Math.min(...candidates.map((c) => c.box.top)) : Math.max(...candidates.map((c) => c.box.top));
  const inRow = candidates.filter((c) => Math.abs(c.box.top - row) < 1);
  inRow.sort((a, b) => Math.abs(a.box.left - here.left) - Math.abs(b.box.left - here.left));
  return inRow[0].i;
}

export function totals(view) {
  const rooms = Object.values(view.rooms);
  const playing = rooms.filter((r) => r.screen === "playing").length;
  const figures = [
    ["console.total_present", view.totals.present, tn("console.total_present", view.totals.present)],
    ["console.total_help_open", view.totals.help_open, tn("console.total_help_open", view.totals.help_open)],
    ["console.total_help", view.totals.help_total, tn("console.total_help", view.totals.help_total)],
    ["console.total_playing", `${playing} / ${rooms.length}`, t("console.total_playing")],
    ["console.total_ready", `${rooms.filter((r) => r.ready_at).length} / ${rooms.length}`, t("console.total_ready")],
  ];
  return figures.map(([key, value, words]) => h("div", { class: "total", "data-field": key.slice(8) }, h("strong", {}, String(value)), words));
}
