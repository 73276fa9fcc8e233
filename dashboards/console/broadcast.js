// The watched session's controls: lifecycle, preflight, broadcast start/stop, OBS health and
// scene switcher (with a one-touch "Pause" scene), and the rooms' links.
import { h } from "../shared/dom.js";
import { badge } from "../shared/badges.js";
import { when } from "../shared/format.js";
import { t } from "../shared/i18n/index.js";

const CAN_START = new Set(["idle", "stopped", "failed"]);
const ON_AIR = new Set(["starting", "live"]);

/** ui: {preflight, health, busy}; run(label, promise) shows refusals; do: the actions. */
export function sessionHead(view, todo) {
  return h(
    "div",
    { class: "session-head" },
    h("h2", { id: "session-title" }, view.title),
    badge("session", view.state),
    h("span", {}, when(view.starts_at), " · ", t("console.duration", { n: view.duration_min })),
    view.niveau && h("span", {}, t(`niveau.${view.niveau}`)),
    h(
      "div",
      { class: "toolbar" },
      view.state === "scheduled" && h("button", { type: "button", class: "btn", onclick: todo.start }, t("console.session_start")),
      view.state === "live" && h("button", { type: "button", class: "btn danger", onclick: todo.end }, t("console.session_end")),
      view.state === "scheduled" && h("button", { type: "button", class: "btn quiet", onclick: todo.cancel }, t("console.session_cancel")),
    ),
  );
}

export function broadcastPanel(view, ui, todo) {
  const broadcast = view.broadcast;
  const obs = ui.health?.obs ?? broadcast.obs;
  const scenes = ui.preflight?.obs?.scenes ?? [];
  const pause = scenes.find((name) => /pause/i.test(name)) ?? "Pause";
  return [
    h("h2", {}, t("console.broadcast"), " ", badge("broadcast", broadcast.state)),
    h("p", {}, t("console.source"), " ", t(`source.${broadcast.source}`),
      broadcast.url ? h("small", { class: "muted" }, ` ${broadcast.url}`) : ""),
    broadcast.reason && h("p", { class: "error" }, broadcast.reason),
    broadcast.obs_lost && h("p", { class: "error" }, t("console.obs_lost")),
    h(
      "div",
      { class: "toolbar" },
      h("button", { type: "button", class: "btn secondary", onclick: todo.preflight }, t("console.preflight")),
      CAN_START.has(broadcast.state) &&
        h("button", { type: "button", class: "btn", disabled: view.state !== "live", onclick: todo.broadcastStart }, t("console.broadcast_start")),
      ON_AIR.has(broadcast.state) &&
        h("button", { type: "button", class: "btn danger", onclick: todo.broadcastStop }, t("console.broadcast_stop")),
    ),
    view.state !== "live" && CAN_START.has(broadcast.state) && h("p", { class: "muted" }, t("console.broadcast_needs_live")),
    broadcast.source === "obs" && obs && h(
      "p",
      {},
      t("console.obs", {
        connected: t(obs.connected ? "console.yes" : "console.no"),
        streaming: t(obs.streaming ? "console.yes" : "console.no"),
        bitrate: obs.bitrate_kbps ?? "—",
        skipped: obs.skipped_frames ?? "—",
      }),
    ),
    broadcast.source === "obs" && h(
      "div",
      { class: "toolbar", role: "group", "aria-label": t("console.scenes") },
      h("span", {}, t("console.scene"), " ", h("strong", {}, broadcast.scene ?? "—")),
      h("button", { type: "button", class: "btn", onclick: () => todo.scene(pause) }, t("console.pause_scene")),
      scenes.filter((name) => name !== pause).map((name) =>
        h("button", { type: "button", class: "btn quiet", "aria-pressed": String(name === broadcast.scene), onclick: () => todo.scene(name) }, name),
      ),
    ),
    ui.preflight && preflightReport(ui.preflight, view),
  ];
}

function preflightReport(report, view) {
  const offline = Object.entries(report.screens).filter(([, screen]) => !screen.online);
  const lines = [
    [report.ready !== false, t(report.ready === false ? "console.pf_not_ready" : "console.pf_ready")],
    report.obs && [report.obs.reachable, report.obs.reachable ? t("console.pf_obs_ok", { version: report.obs.version ?? "?" }) : t("console.pf_obs_ko", { error: report.obs.error ?? "" })],
    report.ingest && [report.ingest.reachable, t(report.ingest.reachable ? "console.pf_ingest_ok" : "console.pf_ingest_ko")],
    [offline.length === 0, t("console.pf_screens", { online: Object.keys(report.screens).length - offline.length, total: Object.keys(report.screens).length })],
  ].filter(Boolean);
  return h(
    "div",
    { class: "preflight", role: "status" },
    h("h3", {}, t("console.preflight_result")),
    h("ul", {}, lines.map(([ok, text]) => h("li", {}, h("span", { class: `badge ${ok ? "ok" : "bad"}` }, t(ok ? "console.ok" : "console.ko")), " ", text))),
    offline.length > 0 && h("p", { class: "muted" }, t("console.pf_offline"), " ", offline.map(([site]) => view.rooms[site]?.nom ?? site).join(", ")),
  );
}

/** The rooms' join codes and links, fetched when the mediator opens the list. */
export function accessLinks(load) {
  const body = h("div", {}, h("p", { class: "muted" }, t("console.loading")));
  const details = h("details", {}, h("summary", {}, t("console.links")), body);
  details.addEventListener("toggle", async () => {
    if (!details.open) return;
    const access = await load();
    body.replaceChildren(
      h(
        "table",
        { class: "links" },
        h("thead", {}, h("tr", {}, [t("console.room"), t("console.code"), t("console.facilitator_link"), t("console.screen_link")].map((c) => h("th", { scope: "col" }, c)))),
        h("tbody", {}, Object.entries(access.rooms).map(([site, room]) =>
          h("tr", {},
            h("th", { scope: "row" }, site),
            h("td", {}, room.join_code_display),
            h("td", {}, h("a", { href: room.facilitator_url, target: "_blank", rel: "noopener" }, t("console.open"))),
            h("td", {}, h("a", { href: room.screen_url, target: "_blank", rel: "noopener" }, t("console.open")))),
        )),
      ),
    );
  });
  return details;
}
