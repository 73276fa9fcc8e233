// One tile per room, rooms needing attention first, and the territory's totals.
import { h } from "../shared/dom.js";
import { badge } from "../shared/badges.js";
import { age, duration } from "../shared/format.js";
import { t } from "../shared/i18n/index.js";

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

/** lastSeen: {site: {seconds, at}} from broadcast_health or a preflight. */
export function tile(site, room, onAir, lastSeen) {
  const level = attention(room, onAir);
  const seen = lastSeen[site];
  return h(
    "li",
    { class: `tile level-${level}`, "data-site": site },
    h("h3", {}, room.nom),
    h("p", { class: "commune" }, room.commune || ""),
    level >= 2 && h("p", { class: "flag" }, t(level === 3 ? "console.flag_problem" : "console.flag_help")),
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
      h("dt", {}, t("console.last_seen")),
      h("dd", {}, seen && seen.seconds !== null ? t("console.ago", { d: duration(seen.seconds + (Date.now() - seen.at) / 1000) }) : "—"),
    ),
    room.dispatch_detail && h("p", { class: "commune" }, room.dispatch_detail),
    room.problems.length > 0 &&
      h("ul", { "aria-label": t("console.problems") }, room.problems.map((p) => h("li", {}, t(`problem.${p.problem}`), p.text ? ` – ${p.text}` : ""))),
  );
}

export function totals(view) {
  const rooms = Object.values(view.rooms);
  const playing = rooms.filter((r) => r.screen === "playing").length;
  const figures = [
    ["console.total_present", view.totals.present],
    ["console.total_help_open", view.totals.help_open],
    ["console.total_help", view.totals.help_total],
    ["console.total_playing", `${playing} / ${rooms.length}`],
  ];
  return figures.map(([key, value]) => h("div", { class: "total" }, h("strong", {}, String(value)), t(key)));
}
