// The watched session's controls: lifecycle, preflight, broadcast start/stop, OBS health and
// scene switcher (with a one-touch "Pause" scene), and the rooms' links.
import { h } from "../shared/dom.js";
import { badge } from "../shared/badges.js";
import { when, zoneLabel } from "../shared/format.js";
import { t } from "../shared/i18n/index.js";
import { refusal } from "../shared/errors.js";

const CAN_START = new Set(["idle", "stopped", "failed"]);
const ON_AIR = new Set(["starting", "live"]);

/** Ended or cancelled: nothing can be done in its rooms any more. */
export const isOver = (view) => view.state === "ended" || view.state === "cancelled";

/** The session's title, state, time (on the territory's clock) and lifecycle controls. */
export function sessionHead(view, todo) {
  const over = isOver(view);
  const rooms = Object.keys(view.rooms ?? {}).length;
  return h(
    "div",
    { class: "session-head" },
    h("h2", { id: "session-title", tabindex: "-1" }, view.title),
    badge("session", view.state),
    h("span", { "data-field": "starts_at" }, when(view.starts_at), " ", h("small", { class: "muted" }, zoneLabel(view.starts_at)), " · ", t("console.duration", { n: view.duration_min })),
    view.niveau && h("span", {}, t(`niveau.${view.niveau}`)),
    over
      ? h("p", { class: "over-notice", role: "status" }, t(view.state === "ended" ? "console.over_ended" : "console.over_cancelled"))
      : h(
          "div",
          { class: "toolbar" },
          view.state === "scheduled" && h("button", { type: "button", class: "btn", onclick: todo.start, "aria-describedby": "start-hint" }, t("console.session_start")),
          view.state === "live" && h("button", { type: "button", class: "btn danger", onclick: todo.end }, t("console.session_end", { n: rooms })),
          view.state === "scheduled" && h("button", { type: "button", class: "btn secondary", id: "edit-session", onclick: todo.edit }, t("console.edit")),
          view.state === "scheduled" && h("button", { type: "button", class: "btn quiet", onclick: todo.cancel }, t("console.session_cancel")),
          view.state === "scheduled" && h("p", { id: "start-hint", class: "muted hint" }, t("console.session_start_hint")),
        ),
  );
}

export function broadcastPanel(view, ui, todo) {
  const broadcast = view.broadcast;
  if (isOver(view)) {
    return [
      h("h2", {}, t("console.broadcast"), " ", badge("broadcast", broadcast.state)),
      h("p", { class: "muted" }, t("console.broadcast_over")),
    ];
  }
  const obs = ui.health?.obs ?? broadcast.obs;
  const scenes = ui.preflight?.obs?.scenes ?? [];
  const pause = scenes.find((name) => /pause/i.test(name)) ?? "Pause";
  const waitsForStart = view.state !== "live" && CAN_START.has(broadcast.state);
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
        h("button", {
          type: "button",
          class: "btn",
          id: "broadcast-start",
          disabled: waitsForStart,
          "aria-describedby": waitsForStart ? "broadcast-needs-live" : null,
          onclick: todo.broadcastStart,
        }, t("console.broadcast_start")),
      ON_AIR.has(broadcast.state) &&
        h("button", { type: "button", class: "btn danger", onclick: todo.broadcastStop }, t("console.broadcast_stop")),
    ),
    waitsForStart && h("p", { class: "muted", id: "broadcast-needs-live" }, t("console.broadcast_needs_live")),
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

/** Copy text to the clipboard; on plain http:// (no Clipboard API) through a selection. */
async function copy(text) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    const area = h("textarea", { class: "visually-hidden", "aria-hidden": "true", tabindex: "-1" });
    area.value = text;
    document.body.append(area);
    area.select();
    const done = document.execCommand("copy");
    area.remove();
    return done;
  }
}

/** What the facilitator of a room receives (mail or SMS): both links and the code. */
function message(view, site, room, who) {
  return t("links.message", {
    name: who?.name ?? "",
    room: site.nom,
    title: view.title,
    when: when(view.starts_at),
    facilitator: room.facilitator_url,
    screen: room.screen_url,
    code: room.join_code_display,
    join: room.join_url,
  });
}

/** mailto: and sms: links to the room's facilitators of rooms.yaml (x_facilitators). */
function sendLinks(view, site, room) {
  const subject = t("links.subject", { title: view.title, room: site.nom });
  return (site.x_facilitators ?? []).flatMap((who) => [
    who.email && h("a", {
      class: "btn quiet small",
      href: `mailto:${encodeURIComponent(who.email)}?subject=${encodeURIComponent(subject)}&body=${encodeURIComponent(message(view, site, room, who))}`,
    }, t("links.mail", { name: who.name })),
    who.phone && h("a", {
      class: "btn quiet small",
      href: `sms:${who.phone.replace(/[^\d+]/g, "")}?body=${encodeURIComponent(message(view, site, room, who))}`,
    }, t("links.sms", { name: who.name })),
  ]);
}

/** The printable sheet: for each room its name, the join address, the code in big letters
 *  and a QR code of the join URL (drawn here, by the screen's qr.js), two rooms an A4 page. */
export async function printSheet(view, access, sitesById) {
  const { qrSvg } = await import("../screen/qr.js");
  document.querySelector(".print-sheet")?.remove();
  const sheet = h(
    "div",
    { class: "print-sheet" },
    Object.entries(access.rooms).map(([id, room]) => {
      const site = sitesById.get(id) ?? { nom: view.rooms[id]?.nom ?? id, commune: view.rooms[id]?.commune ?? "" };
      const base = room.join_url.slice(0, room.join_url.lastIndexOf("/")).replace(/^https?:\/\//, "");
      return h(
        "section",
        { class: "sheet-room", "data-site": id },
        h("h2", {}, site.nom),
        h("p", { class: "sheet-where" }, site.commune, " · ", view.title, " · ", when(view.starts_at)),
        h("div", { class: "sheet-body" },
          h("div", {},
            h("p", {}, t("links.sheet_how")),
            h("p", { class: "sheet-url" }, base),
            h("p", {}, t("links.sheet_code")),
            h("p", { class: "sheet-code" }, room.join_code_display)),
          qrSvg(room.join_url, t("screen.qr_label"))),
      );
    }),
  );
  document.body.append(sheet);
  return sheet;
}

/** The rooms' names, join codes and links, fetched when the mediator opens the list: copy
 *  one link or all of them, send them to the facilitators, print the codes sheet. */
export function accessLinks(view, load, sitesById) {
  const body = h("div", {}, h("p", { class: "muted" }, t("console.loading")));
  const details = h("details", { class: "links-box" }, h("summary", {}, t("console.links")), body);
  const status = h("p", { class: "copy-done", role: "status" });
  const copyButton = (text, label, what) =>
    h("button", {
      type: "button",
      class: "btn quiet small",
      onclick: async () => {
        status.textContent = "";
        status.textContent = (await copy(text)) ? t("links.copied", { what }) : t("links.copy_failed");
      },
    }, label);
  details.addEventListener("toggle", async () => {
    if (!details.open || body.dataset.loaded) return;
    let access;
    try {
      access = await load();
    } catch (refused) {
      body.replaceChildren(h("p", { class: "error", role: "alert" }, refusal(refused)));
      return;
    }
    body.dataset.loaded = "1";
    const rows = Object.entries(access.rooms).map(([id, room]) => [id, room, sitesById.get(id) ?? { nom: view.rooms[id]?.nom ?? id, commune: view.rooms[id]?.commune ?? "" }]);
    const all = rows.map(([, room, site]) => t("links.all_line", {
      room: site.nom, commune: site.commune, code: room.join_code_display, join: room.join_url,
      facilitator: room.facilitator_url, screen: room.screen_url,
    })).join("\n\n");
    body.replaceChildren(
      h("div", { class: "toolbar" },
        copyButton(all, t("links.copy_all"), t("links.all")),
        h("button", { type: "button", class: "btn secondary small", onclick: async () => {
          await printSheet(view, access, sitesById);
          window.print();
        } }, t("links.print"))),
      status,
      h("ul", { class: "links" }, rows.map(([id, room, site]) => {
        const name = site.nom;
        return h(
          "li",
          { "data-site": id },
          h("h3", {}, name, " ", h("small", { class: "muted" }, site.commune)),
          h("p", { class: "link-line" }, h("span", {}, t("console.code"), " "), h("strong", { class: "code", translate: "no" }, room.join_code_display)),
          h("p", { class: "link-line" },
            h("span", {}, t("links.join"), " "), h("a", { href: room.join_url, target: "_blank", rel: "noopener", translate: "no" }, room.join_url),
            copyButton(room.join_url, h("span", {}, t("links.copy"), h("span", { class: "visually-hidden" }, " ", t("links.join_of", { room: name }))), t("links.join_of", { room: name }))),
          h("p", { class: "link-line" },
            h("span", {}, t("console.facilitator_link")),
            h("a", { href: room.facilitator_url, target: "_blank", rel: "noopener" }, t("console.open"), h("span", { class: "visually-hidden" }, " ", t("links.facilitator_of", { room: name }))),
            copyButton(room.facilitator_url, h("span", {}, t("links.copy"), h("span", { class: "visually-hidden" }, " ", t("links.facilitator_of", { room: name }))), t("links.facilitator_of", { room: name })),
            sendLinks(view, site, room)),
          h("p", { class: "link-line" },
            h("span", {}, t("console.screen_link")),
            h("a", { href: room.screen_url, target: "_blank", rel: "noopener" }, t("console.open"), h("span", { class: "visually-hidden" }, " ", t("links.screen_of", { room: name }))),
            copyButton(room.screen_url, h("span", {}, t("links.copy"), h("span", { class: "visually-hidden" }, " ", t("links.screen_of", { room: name }))), t("links.screen_of", { room: name }))),
        );
      })),
    );
  });
  return details;
}
