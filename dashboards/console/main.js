// The lead mediator's console (/console). The admin token is typed once and kept for the
// tab (sessionStorage). Sessions are scheduled over REST; everything else is live over
// the /console namespace: snapshot of the watched session, then events and coalesced
// console_update messages (docs/protocol.md).
import "../shared/base.css";
import "./console.css";
import { connect } from "../shared/live.js";
import { byId, h, keep, put } from "../shared/dom.js";
import { clientId } from "../shared/ids.js";
import { badge } from "../shared/badges.js";
import { refreshAges, setZone, when } from "../shared/format.js";
import { langSwitch, loadLang, t } from "../shared/i18n/index.js";
import { refusal, SESSION_OVER } from "../shared/errors.js";
import { alerter } from "../shared/alert.js";
import { confirmAction } from "../shared/confirm.js";
import { roomsView, totals } from "./tiles.js";
import { createForm } from "./create.js";
import { accessLinks, broadcastPanel, isOver, sessionHead } from "./broadcast.js";
import { announcements, checks, escalations, roomProblems } from "./panels.js";

const TOKEN_KEY = "simulcast.admin";
const WATCH_KEY = "simulcast.watch";

await loadLang();
document.title = t("console.title");
const app = byId("app");
let token = sessionStorage.getItem(TOKEN_KEY);
if (token) start();
else login();

function login(refused = false) {
  const input = h("input", { id: "token", type: "password", autocomplete: "current-password", required: true });
  put(
    app,
    h("header", {}, h("h1", {}, t("console.title")), langSwitch()),
    h("main", {}, h(
      "form",
      {
        class: "panel login stack",
        onsubmit: (event) => {
          event.preventDefault();
          token = input.value.trim();
          sessionStorage.setItem(TOKEN_KEY, token);
          location.reload(); // one clean start with the token
        },
      },
      h("h2", {}, t("console.login")),
      refused && h("p", { class: "error", role: "alert" }, t("console.bad_token")),
      h("label", { for: "token" }, t("console.token")),
      h("small", { class: "muted" }, t("console.token_hint")),
      input,
      h("button", { type: "submit", class: "btn" }, t("console.login_go")),
    )),
  );
}

async function api(method, path, body) {
  const response = await fetch(path, {
    method,
    headers: { Authorization: `Bearer ${token}`, ...(body ? { "Content-Type": "application/json" } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const data = await response.json().catch(() => ({ error: { code: "internal_error" } }));
  if (!response.ok) throw data.error;
  return data;
}

function start() {
  let sessions = [];
  let view = null;
  let watched = sessionStorage.getItem(WATCH_KEY);
  const ui = { preflight: null, health: null, lastSeen: {} };
  let sitesById = new Map();
  let creatingOpen = false;
  let editForm = null; // the form editing the watched (scheduled) session, while open
  const alerts = alerter("simulcast.console.sound");

  const status = h("span", { class: "badge idle", role: "status" }, t("console.connecting"));
  const errors = h("p", { class: "error", role: "alert" });
  const list = h("ul", { class: "sessions" });
  let form = h("p", { class: "muted" }, t("console.loading"));
  const newButton = h("button", { type: "button", class: "btn secondary new-session", "aria-expanded": "false", "aria-controls": "session", onclick: () => {
    creatingOpen = !creatingOpen;
    editForm = null;
    render();
    if (creatingOpen) byId("create-title")?.focus();
  } }, t("console.new_session"));
  const main = h("div", {});
  const side = h("div", {});
  const layout = h("div", { class: "layout" });
  put(
    app,
    h("header", {}, h("h1", {}, t("console.title")), status, alerts.toggle(), langSwitch(),
      h("button", { type: "button", class: "btn quiet", onclick: () => {
        sessionStorage.removeItem(TOKEN_KEY);
        location.reload();
      } }, t("console.logout"))),
    errors,
    layout,
  );
  put(
    layout,
    h("nav", { "aria-label": t("console.sessions") },
      h("section", { class: "panel" }, h("h2", {}, t("console.sessions")), newButton, list)),
    h("main", { id: "session", "aria-labelledby": "session-title" }, main),
    h("aside", { "aria-label": t("console.side") }, side),
  );

  // With the admin token: every key of rooms.yaml, facilitators' contacts included.
  api("GET", "/api/sites")
    .then((sites) => {
      sitesById = new Map(sites.map((site) => [site.id, site]));
      form = createForm(sites, api, (created) => {
        creatingOpen = false;
        watch(created.id);
      }, () => {
        creatingOpen = false;
        render();
        newButton.focus();
      });
      if (creatingOpen) render();
    });

  const live = connect({
    namespace: "/console",
    auth: () => (watched ? { token, session: watched } : { token }),
    onStatus(online) {
      put(status, t(online ? "console.online" : "console.offline"));
      status.className = `badge ${online ? "ok" : "bad"}`;
    },
    onRefused(code) {
      if (code === "not_found") {
        // The watched session is gone (another database): watch nothing.
        watched = null;
        sessionStorage.removeItem(WATCH_KEY);
        live.socket.connect();
        return;
      }
      sessionStorage.removeItem(TOKEN_KEY);
      login(true);
    },
    onSnapshot(snapshot) {
      sessions = snapshot.sessions;
      view = snapshot.session;
      setZone(snapshot.timezone);
      renderList();
      render();
    },
    on: {
      session_scheduled(event) {
        sessions.push({ id: event.session_id, title: event.title, state: "scheduled", starts_at: event.starts_at });
        renderList();
      },
      session_updated(event) {
        // Title, time, duration or rooms changed (here or on another console).
        const summary = sessions.find((s) => s.id === event.session_id);
        if (summary) for (const key of ["title", "starts_at", "duration_min"]) if (event[key] != null) summary[key] = event[key];
        renderList();
        if (view?.id === event.session_id && !editForm) watch(view.id, false);
      },
      session_started: (e) => lifecycle(e, "live"),
      session_ended: (e) => lifecycle(e, "ended"),
      session_cancelled: (e) => lifecycle(e, "cancelled"),
      console_update(update) {
        if (update.session_id !== view?.id) return;
        const problemsBefore = problemsKey();
        Object.assign(view.rooms, update.rooms);
        view.totals = update.totals;
        for (const check of update.checks) upsert(view.checks, check);
        if (update.state !== view.state) {
          view.state = update.state;
          renderWatched();
          return;
        }
        renderRooms();
        if (problemsKey() !== problemsBefore) renderProblems();
        if (update.checks.length) renderChecks();
      },
      announcement_sent(event) {
        view.announcements.push({ id: event.announcement_id, text: event.text, at: event.at });
        renderSide();
      },
      check_launched(event) {
        upsert(view.checks, { id: event.check_id, question: event.question, options: event.options, open: true, tallies: {} });
        renderChecks();
      },
      check_closed(event) {
        const check = view.checks.find((c) => c.id === event.check_id);
        if (check) check.open = false;
        renderChecks();
      },
      help_escalated: (e) => escalated(e.request),
      help_answered: (e) => escalated(e.request),
      broadcast_starting: (e) => broadcast({ state: "starting", source: e.source, reason: null }),
      broadcast_live: (e) => broadcast({ state: "live", kind: e.kind, url: e.url }),
      broadcast_failed: (e) => broadcast({ state: "failed", reason: e.reason }),
      broadcast_stopping: () => broadcast({ state: "stopping" }),
      broadcast_stopped: (e) => broadcast({ state: "stopped", reason: e.reason }),
      obs_lost: () => broadcast({ obs_lost: true }),
      obs_back: () => broadcast({ obs_lost: false }),
      scene_switched: (e) => broadcast({ scene: e.scene }),
      broadcast_health(health) {
        if (health.session_id !== view?.id) return;
        ui.health = health;
        for (const [site, room] of Object.entries(health.rooms ?? {})) {
          ui.lastSeen[site] = { seconds: room.last_seen_s, at: Date.now() };
        }
        renderRooms();
      },
    },
  });
  setInterval(() => refreshAges(app), 5000);

  const upsert = (items, item) => {
    const index = items.findIndex((x) => x.id === item.id);
    if (index >= 0) items[index] = item;
    else items.push(item);
  };

  function lifecycle(event, state) {
    const summary = sessions.find((s) => s.id === event.session_id);
    if (summary) summary.state = state;
    if (view?.id === event.session_id) {
      view.state = state;
      renderWatched(); // every control depends on the state (the broadcast needs "live")
    }
    renderList();
  }

  function escalated(request) {
    upsert(view.escalations, request);
    renderSide();
  }

  function broadcast(changes) {
    Object.assign(view.broadcast, changes);
    renderBroadcast();
  }

  /** Run an action; its refusal shows at the top of the page. */
  async function run(promise) {
    put(errors);
    try {
      return await promise;
    } catch (refused) {
      put(errors, refusal(refused));
      // Ended elsewhere (another console, a script): show the end instead of the controls.
      if (SESSION_OVER.has(refused?.code) && view) watch(view.id, false);
      return null;
    }
  }

  async function watch(id, focus = true) {
    creatingOpen = false;
    editForm = null;
    watched = id;
    sessionStorage.setItem(WATCH_KEY, id);
    ui.preflight = ui.health = null;
    ui.lastSeen = {};
    const snapshot = await run(live.ask("watch", { session_id: id }));
    if (!snapshot) return;
    live.rebase(snapshot);
    sessions = snapshot.sessions;
    view = snapshot.session;
    setZone(snapshot.timezone);
    renderList();
    render();
    if (focus) byId("session-title")?.focus();
  }

  const todo = {
    start: async () => {
      const summary = await run(live.act("start"));
      if (summary && view?.id === summary.id) {
        view.state = summary.state; // the ack may come before the event: do not wait for it
        renderWatched();
      }
    },
    end: async () => {
      const n = Object.keys(view.rooms).length;
      const sure = await confirmAction({
        title: t("console.end_confirm_title", { n }),
        text: t("console.end_confirm_text"),
        yes: t("console.end_confirm_yes", { n }),
        no: t("console.end_confirm_no"),
      });
      if (!sure) return;
      const summary = await run(live.act("end"));
      if (summary && view?.id === summary.id) {
        view.state = summary.state;
        renderWatched();
      }
    },
    cancel: async () => {
      const sure = await confirmAction({
        title: t("console.cancel_confirm_title"),
        text: t("console.cancel_confirm_text"),
        yes: t("console.cancel_confirm_yes"),
        no: t("console.cancel_confirm_no"),
      });
      if (!sure) return;
      const summary = await run(api("POST", `/api/sessions/${view.id}/cancel`, { client_id: clientId() }));
      if (summary && view?.id === summary.id) {
        view.state = summary.state;
        renderWatched();
      }
    },
    /** « Modifier »: the new-session form, filled with this scheduled session. */
    edit: () => {
      editForm = createForm([...sitesById.values()], api, (updated) => {
        editForm = null;
        watch(updated.id);
      }, () => {
        editForm = null;
        render();
        byId("edit-session")?.focus();
      }, view);
      render();
      byId("create-title")?.focus();
    },
    preflight: async () => {
      const report = await run(live.ask("preflight"));
      if (!report) return;
      ui.preflight = report;
      for (const [site, screen] of Object.entries(report.screens)) ui.lastSeen[site] = { seconds: screen.last_seen_s, at: Date.now() };
      renderBroadcast();
      renderRooms();
    },
    broadcastStart: () => run(live.act("broadcast_start")),
    broadcastStop: () => run(live.act("broadcast_stop")),
    scene: (scene) => run(live.act("scene", { scene })),
  };
  const act = (event, payload) => live.act(event, payload);

  // --- rendering: the session list, then the watched session in independent parts ---------

  const head = h("div", { class: "panel" });
  const broadcastBox = h("section", { class: "panel", "aria-label": t("console.broadcast") });
  const totalsBox = h("div", { class: "totals", "aria-live": "off" });
  let rooms = roomsView();
  let roomsOf = null; // the session whose rooms are shown
  const escalationsBox = h("section", { class: "panel", "aria-labelledby": "escalations-title" });
  const announcementsBox = h("section", { class: "panel" });
  const checksBox = h("section", { class: "panel" });
  const problemsBox = h("section", { class: "panel", "aria-labelledby": "problems-title" });
  /** What the problems panel shows: redrawn only when it changes (its buttons keep focus). */
  const problemsKey = () => JSON.stringify(Object.values(view?.rooms ?? {}).flatMap((r) => r.problems.map((p) => [p.id, p.seen_at])));

  function renderList() {
    const sorted = [...sessions].sort((a, b) => (b.starts_at || "").localeCompare(a.starts_at || ""));
    put(
      list,
      sorted.length
        ? sorted.map((s) =>
            h("li", {}, h("button", { type: "button", "aria-current": String(s.id === view?.id), onclick: () => watch(s.id) },
              h("strong", {}, s.title), h("small", {}, when(s.starts_at), " "), badge("session", s.state))))
        : h("li", { class: "muted" }, t("console.no_sessions")),
    );
  }

  function render() {
    newButton.setAttribute("aria-expanded", String(creatingOpen));
    if (creatingOpen || editForm) {
      put(main, h("div", { class: "panel" }, creatingOpen ? form : editForm));
      if (!view) put(side);
      return;
    }
    if (!view) {
      put(main, h("div", { class: "panel" }, h("h2", { id: "session-title", tabindex: "-1" }, t("console.pick"))));
      put(side);
      layout.classList.remove("dense");
      return;
    }
    put(
      main,
      head,
      broadcastBox,
      totalsBox,
      h("section", { class: "rooms", "aria-labelledby": "rooms-title" }, rooms.element),
    );
    if (roomsOf !== view.id) {
      const fresh = roomsView();
      rooms.element.replaceWith(fresh.element);
      rooms = fresh;
      roomsOf = view.id;
    }
    put(side, escalationsBox, problemsBox, announcementsBox, checksBox);
    renderHead();
    renderBroadcast();
    renderRooms();
    renderSide();
  }

  function renderHead() {
    const links = isOver(view) ? null : accessLinks(view, () => api("GET", `/api/sessions/${view.id}/access`), sitesById);
    put(head, sessionHead(view, todo), links);
  }

  /** Everything that depends on the session's state. */
  function renderWatched() {
    if (!view || creatingOpen || editForm) return;
    renderHead();
    renderBroadcast();
    renderRooms();
    renderSide();
  }

  function renderBroadcast() {
    put(broadcastBox, broadcastPanel(view, ui, todo));
  }

  function renderRooms() {
    if (!view) return;
    const onAir = view.broadcast.state === "live";
    put(totalsBox, totals(view));
    rooms.update(view.rooms, onAir, ui.lastSeen);
    layout.classList.toggle("dense", rooms.dense);
  }

  function renderSide() {
    if (!view) return;
    const waiting = view.escalations.filter((r) => r.state === "escalated").length;
    alerts.title(t("console.title"), waiting);
    alerts.notify(waiting);
    keep(escalationsBox, escalations(view, act));
    keep(announcementsBox, announcements(view, act));
    renderProblems();
    renderChecks();
  }

  function renderProblems() {
    if (!view) return;
    problemsBox.hidden = isOver(view);
    keep(problemsBox, roomProblems(view, (event, payload) => run(act(event, payload))));
  }

  function renderChecks() {
    keep(checksBox, checks(view, act));
  }
}
