// The room screen (/screen/<site>#token=S.…), a kiosk with no one at the keyboard.
// Before the broadcast: the session, the join code in big letters and a QR code of the
// join URL. On `play`: the broadcast full screen. It sends `heartbeat` every 5 s and
// `screen_state` on every change (and again after each reconnection, since a restarted
// controller starts from "offline"), and keeps playing through a controller outage.
import "../shared/base.css";
import "./screen.css";
import { connect } from "../shared/live.js";
import { byId, h, put } from "../shared/dom.js";
import { icon } from "../shared/icons.js";
import { setZone, since, when } from "../shared/format.js";
import { loadLang, t } from "../shared/i18n/index.js";
import { qrSvg } from "./qr.js";
import { createPlayer, playKey } from "./player.js";

const HEARTBEAT_MS = 5000;
const ANNOUNCEMENT_MS = 30000;

const site = location.pathname.split("/")[2] || "";
const token = new URLSearchParams(location.hash.slice(1)).get("token");
const settings = await siteSettings(site);
await loadLang(settings.lang);
document.title = t("screen.title");

const app = byId("app");
const waiting = h("section", { class: "waiting" });
const stage = h("div", { class: "stage", hidden: true });
const announcement = h("div", { class: "overlay announce-overlay", role: "status", hidden: true });
const checkOverlay = h("div", { class: "overlay check-overlay", role: "status", hidden: true });
// Messages have a band of their own under the waiting card (never on top of the title, the
// code or the QR code); during the broadcast the band lies over the bottom of the video.
const messages = h("div", { class: "messages" }, checkOverlay, announcement);
const corner = h("p", { class: "corner", "aria-live": "off" });
put(app, waiting, stage, messages, corner);

let snapshot = null;
let player = null;
let current = { key: null, state: "waiting", detail: null };
let announcementTimer = null;

/** x_screen of rooms.yaml (e.g. lang, show_qr), from the public site list. */
async function siteSettings(id) {
  try {
    const sites = await (await fetch("/api/sites")).json();
    return sites.find((s) => s.id === id)?.x_screen ?? {};
  } catch {
    return {};
  }
}

function report(state, detail = null, force = false) {
  const clean = detail ? String(detail).replace(/\s+/g, " ").slice(0, 200) : null;
  if (!force && state === current.state && clean === current.detail) return;
  current.state = state;
  current.detail = clean;
  live?.emit("screen_state", clean ? { state, detail: clean } : { state });
  renderCorner();
}

const live = token
  ? connect({
      namespace: "/room",
      auth: () => ({ token }),
      onStatus(connected) {
        if (connected) report(current.state, current.detail, true);
        renderCorner();
      },
      onSnapshot(next) {
        snapshot = next;
        setZone(next.timezone);
        if (!["starting", "live"].includes(next.broadcast.state)) stopPlaying();
        renderWaiting();
        showCheck(next.check?.open ? next.check : null);
        const latest = next.announcements.at(-1);
        const left = latest ? ANNOUNCEMENT_MS - since(latest.at) * 1000 : 0;
        if (left > 0) announce(latest.text, left); // sent just before this screen connected
        renderCorner();
      },
      onRefused: () => put(app, h("p", { class: "refused", role: "alert" }, t("screen.bad_link"))),
      on: {
        play,
        stop: () => stopPlaying(),
        session_started: () => setSession("live"),
        session_ended: () => setSession("ended"),
        session_cancelled: () => setSession("cancelled"),
        // A scheduled session changed (title, time, rooms): the waiting card is drawn afresh.
        session_updated: () => live.refresh().catch(() => {}),
        broadcast_starting: () => setBroadcast("starting"),
        broadcast_live: () => setBroadcast("live"),
        broadcast_failed: () => setBroadcast("failed"),
        broadcast_stopped: () => setBroadcast("stopped"),
        announcement_sent: (event) => announce(event.text),
        check_launched: (event) => showCheck({ question: event.question, options: event.options }),
        check_closed: () => showCheck(null),
      },
    })
  : null;

if (!live) put(app, h("p", { class: "refused", role: "alert" }, t("screen.bad_link")));
setInterval(() => live?.emit("heartbeat", { state: current.state }), HEARTBEAT_MS);

function play(message) {
  const key = playKey(message);
  if (player && current.key === key && current.state !== "error") {
    report(current.state, current.detail, true); // already on it: say so again
    return;
  }
  player?.destroy();
  current.key = key;
  waiting.hidden = true;
  stage.hidden = false;
  player = createPlayer(stage, message, report);
}

function stopPlaying() {
  if (!player) return;
  player.destroy();
  player = null;
  current.key = null;
  stage.hidden = true;
  waiting.hidden = false;
  report("waiting");
}

function setSession(state) {
  if (!snapshot) return;
  snapshot.session.state = state;
  if (state === "ended" || state === "cancelled") {
    // Over: the end in words, nothing left to scan or answer.
    stopPlaying();
    showCheck(null);
    clearTimeout(announcementTimer);
    announcement.hidden = true;
    messages.hidden = true;
    layout();
  }
  renderWaiting();
}

function setBroadcast(state) {
  if (!snapshot) return;
  snapshot.broadcast.state = state;
  renderWaiting();
}

function renderWaiting() {
  const { session, room, broadcast } = snapshot;
  const display = `${room.join_code.slice(0, 3)}-${room.join_code.slice(3)}`;
  const joinBase = room.join_url.slice(0, room.join_url.lastIndexOf("/"));
  const over = session.state === "ended" || session.state === "cancelled";
  const withQr = !over && settings.show_qr !== false;
  waiting.classList.toggle("no-qr", !withQr);
  put(
    waiting,
    h(
      "div",
      {},
      h("h1", {}, session.title),
      h("p", { class: "when" }, over ? t(`screen.${session.state}`) : when(session.starts_at)),
      h("p", { class: "where" }, room.nom),
      !over && [
        h("p", { class: "how" }, t(withQr ? "screen.how" : "screen.how_no_qr")),
        h("p", { class: "url", translate: "no" }, joinBase.replace(/^https?:\/\//, "")),
        h("p", { class: "join-code", translate: "no", "aria-label": t("screen.code_label", { code: display.split("").join(" ") }) }, display),
        h("p", { class: "state" }, t(`screen.broadcast.${broadcast.state}`)),
      ],
    ),
    withQr ? qrSvg(room.join_url, t("screen.qr_label")) : null,
  );
}

function announce(text, showFor = ANNOUNCEMENT_MS) {
  if (over()) return;
  put(announcement, icon("announce"), h("p", {}, text));
  announcement.hidden = false;
  layout();
  clearTimeout(announcementTimer);
  announcementTimer = setTimeout(() => {
    announcement.hidden = true;
    layout();
  }, showFor);
}

/** While a message is shown the waiting card gives it room: a smaller title, no broadcast
 *  line (the code, the address and the QR code keep their size). */
function layout() {
  app.classList.toggle("busy", !announcement.hidden || !checkOverlay.hidden);
}

function showCheck(check) {
  checkOverlay.hidden = !check || over();
  layout();
  if (checkOverlay.hidden) return;
  put(
    checkOverlay,
    h("strong", {}, check.question),
    h("ol", {}, check.options.map((option, index) => h("li", {}, h("span", { class: "n", "aria-hidden": "true" }, String(index + 1)), " ", option))),
    h("p", { class: "hint" }, t("screen.check_hint")),
  );
}

function over() {
  const state = snapshot?.session.state;
  return state === "ended" || state === "cancelled";
}

function renderCorner() {
  const online = live?.socket.connected;
  corner.textContent = `${online ? t("screen.online") : t("screen.offline")} · ${t(`screen.${current.state}`)}`;
  corner.dataset.state = current.state;
}
