// The facilitator's dashboard (/room/<site>#token=F.…): « Salle prête », who is in the room
// (each with « Parti·e » to correct the count), the help queue in arrival order (passed on
// to the mediator with a note), room problems (« Autre problème » with a few words, « Vu »
// from the mediator), the room screen's state, announcements, checks.
import "../shared/base.css";
import "./room.css";
import { connect } from "../shared/live.js";
import { byId, h, keep, put } from "../shared/dom.js";
import { icon } from "../shared/icons.js";
import { badge } from "../shared/badges.js";
import { age, clock, refreshAges, setZone, when, zoneLabel } from "../shared/format.js";
import { langSwitch, loadLang, t, tn } from "../shared/i18n/index.js";
import { refusal, SESSION_OVER } from "../shared/errors.js";
import { alerter } from "../shared/alert.js";
import { confirmAction } from "../shared/confirm.js";

const PROBLEMS = ["no_sound", "frozen_image", "no_connection", "other"];
const WAITING = new Set(["open", "claimed", "escalated", "answered"]);

await loadLang();
document.title = t("room.title");
const app = byId("app");
const token = new URLSearchParams(location.hash.slice(1)).get("token");
let state = null;
const alerts = alerter("simulcast.room.sound");
const soundToggle = alerts.toggle();
/** Ended or cancelled: the room shows the end and offers nothing that would fail. */
const over = () => state.session.state === "ended" || state.session.state === "cancelled";
/** What the facilitator has opened: the note of a request being passed on, « Autre problème ». */
const ui = { escalating: null, other: false };

const header = h("header");
const people = h("section", { class: "panel", "aria-labelledby": "people-title" });
const queue = h("section", { class: "panel", "aria-labelledby": "queue-title" });
const screen = h("section", { class: "panel", "aria-labelledby": "screen-title" });
const problems = h("section", { class: "panel", "aria-labelledby": "problems-title" });
const news = h("section", { class: "panel", "aria-labelledby": "news-title" });
const errors = h("p", { class: "error", role: "alert" });
const ready = h("section", { class: "panel ready-bar", "aria-label": t("room.ready") });
const ended = h("section", { class: "panel over-notice", role: "status", hidden: true });
put(
  app,
  header,
  ended,
  ready,
  errors,
  h("div", { class: "panels" }, h("div", { class: "column" }, queue, people), h("div", { class: "column" }, screen, problems, news)),
);

const live = token ? connect({
  namespace: "/room",
  auth: () => ({ token }),
  onSnapshot(snapshot) {
    state = snapshot;
    setZone(snapshot.timezone);
    render();
  },
  onRefused: () => refuse("room.bad_link"),
  on: {
    session_started: () => setSession("live"),
    session_ended: () => setSession("ended"),
    session_cancelled: () => setSession("cancelled"),
    // The title, the time or the rooms changed: take the room afresh.
    session_updated: () => live.refresh().catch(() => {}),
    room_ready(event) {
      state.room.ready_at = event.at;
      renderReady();
    },
    resident_checked_in(event) {
      state.residents.push({ id: event.resident_id, name: event.name, checked_in_at: event.at });
      state.room.checked_in += 1;
      renderPeople();
    },
    resident_left(event) {
      state.residents = state.residents.filter((r) => r.id !== event.resident_id);
      renderPeople();
    },
    walkins_adjusted(event) {
      state.room.walkins += event.delta;
      renderPeople();
    },
    help_requested: (e) => upsert(e.request),
    help_claimed: (e) => upsert(e.request),
    help_escalated: (e) => upsert(e.request),
    help_answered: (e) => upsert(e.request),
    help_resolved: (e) => upsert(e.request),
    help_cancelled: (e) => upsert(e.request),
    screen_online: () => setScreen("waiting", null),
    screen_offline: (e) => setScreen("offline", e.reason),
    screen_state_reported: (e) => setScreen(e.state, e.detail),
    dispatch_failed(event) {
      state.room.dispatch = "failed";
      state.room.dispatch_detail = event.reason;
      renderScreen();
    },
    broadcast_starting: () => setBroadcast("starting", null),
    broadcast_live: () => setBroadcast("live", null),
    broadcast_failed: (e) => setBroadcast("failed", e.reason),
    broadcast_stopping: () => setBroadcast("stopping", null),
    broadcast_stopped: (e) => setBroadcast("stopped", e.reason),
    problem_reported(event) {
      state.room.problems.push({ id: event.problem_id, problem: event.problem, text: event.text, reported_at: event.at });
      renderProblems();
    },
    problem_seen(event) {
      const problem = state.room.problems.find((p) => p.id === event.problem_id);
      if (problem) problem.seen_at = event.at;
      renderProblems();
    },
    problem_cleared(event) {
      state.room.problems = state.room.problems.filter((p) => p.id !== event.problem_id);
      renderProblems();
    },
    announcement_sent(event) {
      state.announcements.push({ id: event.announcement_id, text: event.text, at: event.at });
      renderNews();
    },
    check_launched(event) {
      state.check = { id: event.check_id, question: event.question, options: event.options, open: true, tally: event.options.map(() => 0) };
      renderNews();
    },
    check_answered(event) {
      if (state.check?.id === event.check_id) state.check.tally = event.tally;
      renderNews();
    },
    check_closed(event) {
      if (state.check?.id === event.check_id) {
        state.check.open = false;
        // What the server records as present at the close (the next snapshot carries it).
        state.check.present_at_close ??= state.residents.length + state.room.walkins;
      }
      renderNews();
    },
  },
}) : null;
if (!live) refuse("room.no_token");
setInterval(() => refreshAges(app), 5000);

function refuse(key) {
  put(app, h("div", { class: "panel refused" }, h("h1", {}, t("room.title")), h("p", { class: "error", role: "alert" }, t(key))));
}

function setSession(value) {
  state.session.state = value;
  render(); // every control depends on it
}

function setScreen(screenState, detail) {
  state.room.screen = screenState;
  state.room.screen_detail = detail;
  if (screenState === "playing" && state.room.dispatch) state.room.dispatch = "playing";
  renderScreen();
}

function setBroadcast(value, reason) {
  state.broadcast = { state: value, reason };
  if (value !== "live" && value !== "starting") state.room.dispatch = null;
  renderScreen();
}

function upsert(request) {
  const index = state.help.findIndex((r) => r.id === request.id);
  if (!WAITING.has(request.state)) {
    if (index >= 0) state.help.splice(index, 1);
  } else if (index >= 0) state.help[index] = request;
  else state.help.push(request);
  renderQueue();
}

/** Run an action; a refusal is shown at the top (e.g. someone else resolved it first). */
async function act(event, payload) {
  put(errors);
  try {
    return await live.act(event, payload);
  } catch (refused) {
    put(errors, refusal(refused));
    if (SESSION_OVER.has(refused?.code) && !over()) {
      // Ended while this tablet missed it: take the room's state afresh.
      live.ask("snapshot").then((snapshot) => {
        state = snapshot;
        render();
      }).catch(() => {});
    }
    return null;
  }
}

function render() {
  renderHeader();
  renderReady();
  renderPeople();
  renderQueue();
  renderScreen();
  renderProblems();
  renderNews();
}

function renderHeader() {
  const { room, session } = state;
  renderTitle();
  put(
    header,
    h("div", {}, h("h1", {}, room.nom), h("p", {}, room.commune, " · ", session.title, " · ", when(session.starts_at), " ", h("small", {}, zoneLabel(session.starts_at)), " "), badge("session", session.state)),
    !over() && h("p", { class: "code" }, t("room.join_code"), " ", h("span", { translate: "no" }, `${room.join_code.slice(0, 3)}-${room.join_code.slice(3)}`)),
    h("div", { class: "toolbar" }, soundToggle, langSwitch()),
  );
  ended.hidden = !over();
  put(ended, over() && [
    h("h2", {}, t(session.state === "ended" ? "room.over_ended" : "room.over_cancelled")),
    h("p", {}, t("room.over_detail")),
  ]);
}

/** « Salle prête »: the facilitator tells the mediator the room is set up (once). */
function renderReady() {
  ready.hidden = over();
  if (over()) return put(ready);
  const at = state.room.ready_at;
  put(
    ready,
    at
      ? h("p", { class: "ready-done", id: "ready-done", role: "status", tabindex: "-1" }, icon("check"), t("room.ready_done", { time: clock(at) }))
      : [
        h("button", { type: "button", class: "btn", id: "ready", "aria-describedby": "ready-hint", onclick: async () => {
          const data = await act("room_ready");
          if (data && !state.room.ready_at) {
            state.room.ready_at = new Date().toISOString(); // the event follows with the time
            renderReady();
          }
          byId("ready-done")?.focus();
        } }, icon("flag"), t("room.ready")),
        h("p", { id: "ready-hint", class: "muted" }, t("room.ready_hint")),
      ],
  );
}

function renderPeople() {
  const { room, residents } = state;
  const present = residents.length + room.walkins;
  keep(
    people,
    h("h2", { id: "people-title" }, icon("person"), t("room.people")),
    h("p", { class: "count", "aria-live": "polite" }, String(present), h("span", { class: "count-word" }, " ", tn("room.present", present))),
    h("p", { class: "empty" }, tn("room.present_checked", residents.length), ", ", tn("room.present_walkins", room.walkins)),
    !over() && h(
      "div",
      { class: "walkins", role: "group", "aria-label": t("room.walkins") },
      h("span", {}, t("room.walkins")),
      // The visible "−1"/"+1" starts the accessible name (WCAG 2.5.3, voice control).
      h("button", { type: "button", class: "btn secondary", disabled: room.walkins <= 0, onclick: () => walkins(-1) },
        "−1", h("span", { class: "visually-hidden" }, ` ${t("room.walkin_minus")}`)),
      h("button", { type: "button", class: "btn", onclick: () => walkins(1) },
        "+1", h("span", { class: "visually-hidden" }, ` ${t("room.walkin_plus")}`)),
    ),
    h("h3", { id: "residents-title" }, t("room.residents")),
    residents.length
      ? h("ul", { class: "residents", "aria-labelledby": "residents-title" }, residents.map(residentItem))
      : h("p", { class: "empty" }, t("room.residents_none")),
  );
}

/** A resident present with a phone: their first name (or none) and when they arrived, and
 *  « Parti·e » to count out someone who left without saying so. */
function residentItem(resident) {
  const time = clock(resident.checked_in_at);
  const who = resident.name || t("room.someone", { time });
  return h(
    "li",
    { "data-resident": resident.id },
    h("span", { class: "who" }, resident.name ? h("strong", {}, resident.name) : h("span", {}, t("room.no_name")),
      h("small", { class: "muted" }, " · ", t("room.arrived", { time }))),
    !over() && h("button", { type: "button", class: "btn secondary dismiss", id: `dismiss-${resident.id}`, onclick: async () => {
      const sure = await confirmAction({
        title: t("room.dismiss_title", { who }),
        text: t("room.dismiss_text", { who: resident.name || t("room.no_name") }),
        yes: t("room.dismiss_yes"),
        no: t("room.dismiss_no"),
      });
      if (!sure) return;
      if (await act("dismiss", { resident_id: resident.id })) {
        state.residents = state.residents.filter((r) => r.id !== resident.id); // the event may follow
        renderPeople();
        byId("people-title")?.focus();
      }
    } }, t("room.dismiss"), h("span", { class: "visually-hidden" }, ` : ${who}`)),
  );
}

async function walkins(delta) {
  const data = await act("walkins", { delta });
  if (data) {
    // The ack carries the room's counts after this change; the event may come before or after.
    state.room.walkins = data.walkins;
    renderPeople();
  }
}

/** « (2) Salle … – Tableau de la salle » while requests wait for someone; a soft chime
 *  (if turned on) when a new one arrives. */
function renderTitle() {
  const waiting = over() ? 0 : state.help.filter((r) => r.state === "open").length;
  alerts.title(`${state.room.nom} – ${t("room.title")}`, waiting);
  alerts.notify(waiting);
}

function renderQueue() {
  renderTitle();
  const waiting = [...state.help].sort((a, b) => a.created_at.localeCompare(b.created_at));
  if (over()) {
    put(
      queue,
      h("h2", { id: "queue-title" }, icon("help"), t("room.queue", { n: waiting.length })),
      h("p", { class: "empty" }, t("room.queue_over")),
    );
    return;
  }
  keep( // a note being typed survives live updates
    queue,
    h("h2", { id: "queue-title" }, icon("help"), t("room.queue", { n: waiting.length })),
    waiting.length
      ? h("ol", { class: "queue" }, waiting.map(requestItem))
      : h("p", { class: "empty" }, t("room.queue_empty")),
  );
}

function requestItem(request) {
  const can = {
    claim: request.state === "open",
    escalate: request.state === "open" || request.state === "claimed",
  };
  const noting = can.escalate && ui.escalating === request.id;
  const noteId = `note-${request.id}`;
  return h(
    "li",
    { class: `request ${request.state}`, "data-request": request.id },
    h("div", { class: "line" },
      h("span", { class: "seat" }, request.seat ? t("room.seat", { seat: request.seat }) : t("room.no_seat")),
      badge("help", request.state)),
    h("div", { class: "line" }, icon(request.kind), h("span", {}, t(`kind.${request.kind}`)),
      request.state !== "answered" && [" · ", age("span", "room.waiting", request.created_at)]),
    request.text && h("p", { class: "text" }, h("strong", {}, t("room.question")), " ", request.text),
    request.note && h("p", { class: "text note" }, h("strong", {}, t("room.note")), " ", request.note),
    request.answer && h("p", { class: "answer" }, h("strong", {}, t("room.answer")), " ", request.answer),
    noting && h(
      "form",
      { class: "note-form", onsubmit: async (event) => {
        event.preventDefault();
        const note = byId(noteId)?.value.trim();
        if (await act("escalate", { request_id: request.id, ...(note ? { note } : {}) })) {
          ui.escalating = null;
          renderQueue();
        }
      } },
      h("label", { for: noteId }, t("room.escalate_note")),
      h("textarea", { id: noteId, rows: 2, maxlength: 280 }),
      h("div", { class: "actions" },
        h("button", { type: "submit", class: "btn" }, t("room.escalate_send")),
        h("button", { type: "button", class: "btn quiet", onclick: () => {
          ui.escalating = null;
          renderQueue();
          byId(`escalate-${request.id}`)?.focus();
        } }, t("room.escalate_cancel"))),
    ),
    !noting && h(
      "div",
      { class: "actions" },
      can.claim && h("button", { type: "button", class: "btn", onclick: () => act("claim", { request_id: request.id }) }, t("room.claim")),
      h("button", { type: "button", class: "btn secondary", onclick: () => act("resolve", { request_id: request.id }) }, icon("check"), t("room.resolve")),
      can.escalate && h("button", { type: "button", class: "btn quiet", id: `escalate-${request.id}`, "aria-expanded": "false", onclick: () => {
        ui.escalating = request.id; // first a note for the mediator, if the facilitator likes
        renderQueue();
        byId(noteId)?.focus();
      } }, t("room.escalate")),
    ),
  );
}

function renderScreen() {
  const { room, broadcast } = state;
  put(
    screen,
    h("h2", { id: "screen-title" }, icon("frozen_image"), t("room.screen")),
    h("p", {}, t("room.screen_state"), " ", badge("screen", room.screen), room.screen_detail ? ` (${room.screen_detail})` : ""),
    h("p", {}, t("room.broadcast_state"), " ", badge("broadcast", broadcast.state), broadcast.reason ? ` (${broadcast.reason})` : ""),
    room.dispatch === "failed" && h("p", { class: "error" }, t("room.dispatch_failed", { reason: room.dispatch_detail || "" })),
  );
}

function renderProblems() {
  const open = state.room.problems;
  const reported = new Set(open.map((p) => p.problem));
  const report = async (problem, text) => {
    if (await act("report_problem", { problem, ...(text ? { text } : {}) })) {
      ui.other = false;
      renderProblems();
    }
  };
  keep( // the words of « Autre problème » survive live updates
    problems,
    h("h2", { id: "problems-title" }, icon("no_connection"), t("room.problems")),
    over() ? h("p", { class: "empty" }, t("room.problems_over")) : h(
      "div",
      { class: "problems" },
      PROBLEMS.map((problem) =>
        h("button", {
          type: "button",
          class: "btn quiet",
          id: `problem-${problem}`,
          ...(problem === "other" ? { "aria-expanded": String(ui.other), "aria-controls": "other-form" } : {}),
          onclick: problem === "other"
            ? () => {
              ui.other = !ui.other;
              renderProblems();
              if (ui.other) byId("other-text")?.focus();
            }
            : () => report(problem),
        }, icon(problem, 28), t(`problem.${problem}`),
        reported.has(problem) && h("small", { class: "again" }, t("room.problem_again"))),
      ),
    ),
    !over() && ui.other && h(
      "form",
      { class: "other-form", id: "other-form", onsubmit: (event) => {
        event.preventDefault();
        report("other", byId("other-text")?.value.trim());
      } },
      h("label", { for: "other-text" }, t("room.other_label")),
      h("input", { id: "other-text", type: "text", maxlength: 280, autocomplete: "off" }),
      h("div", { class: "actions" },
        h("button", { type: "submit", class: "btn" }, t("room.other_send")),
        h("button", { type: "button", class: "btn quiet", onclick: () => {
          ui.other = false;
          renderProblems();
          byId("problem-other")?.focus();
        } }, t("room.other_cancel"))),
    ),
    open.length > 0 &&
      h("ul", { class: "open-problems", "aria-label": t("room.open_problems") },
        open.map((p) => h("li", { "data-problem": p.id },
          h("span", {}, h("strong", {}, t(`problem.${p.problem}`)), p.text ? ` – ${p.text}` : "", " · ", age("span", "room.since", p.reported_at),
            p.seen_at && h("span", { class: "badge ok seen" }, icon("check", 16), t("room.problem_seen"))),
          !over() && h("button", { type: "button", class: "btn secondary", onclick: () => act("clear_problem", { problem_id: p.id }) }, t("room.problem_clear")),
        ))),
  );
}

function renderNews() {
  const { check, announcements } = state;
  put(
    news,
    h("h2", { id: "news-title" }, icon("announce"), t("room.news")),
    check && checkResult(check),
    announcements.length
      ? h("ul", { class: "announcements" }, announcements.slice(-5).reverse().map((a) => h("li", {}, when(a.at), " – ", a.text)))
      : !check && h("p", { class: "empty" }, t("room.news_empty")),
  );
}

/** The room's answers to the last check, open or closed: count and share of each answer,
 *  and how many of the people present answered. */
function checkResult(check) {
  const counts = check.options.map((_, index) => check.tally?.[index] ?? 0);
  const answers = counts.reduce((a, b) => a + b, 0);
  // A closed check is measured against the people present when it closed.
  const present = (!check.open && check.present_at_close !== null && check.present_at_close !== undefined)
    ? check.present_at_close
    : state.residents.length + state.room.walkins;
  const share = (n, of) => (of ? Math.round((100 * n) / of) : 0);
  return h(
    "div",
    { class: "check-result" },
    h("h3", {}, check.question, " ", h("span", { class: "badge idle" }, t(check.open ? "check.open" : "check.closed"))),
    h("div", { class: "tally" }, check.options.map((option, index) =>
      h("div", {}, h("span", {}, option), h("strong", {}, String(counts[index])), h("span", { class: "pct" }, t("console.percent", { n: share(counts[index], answers) }))))),
    h("p", { class: "rate", "data-field": "rate" }, tn("console.answers", answers), " · ",
      present ? t("console.response_rate", { pct: share(answers, present), present }) : t("console.response_rate_none")),
  );
}
