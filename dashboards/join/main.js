// The resident page (/join/<code>): no account. Check in (first name optional), ask for
// help discreetly (seat + kind, never a name; a short question if they like), follow the
// request, answer a check, leave (« Je pars »; « Nouvelle personne » on a shared tablet).
// Wording is "inspiré du FALC": short sentences, everyday words, one idea per sentence.
import "../shared/base.css";
import "./join.css";
import { connect } from "../shared/live.js";
import { byId, h, keep, put } from "../shared/dom.js";
import { icon } from "../shared/icons.js";
import { langSwitch, loadLang, t } from "../shared/i18n/index.js";
import { setZone, when } from "../shared/format.js";
import { refusal, SESSION_OVER } from "../shared/errors.js";

const KINDS = ["lost", "tech", "question"];
const ACTIVE = new Set(["pending", "open", "claimed", "escalated", "answered"]);

await loadLang();
document.title = t("join.title");
const app = byId("app");
const code = decodeURIComponent(location.pathname.split("/")[2] || "")
  .toUpperCase()
  .replace(/[\s-]/g, "");

if (code) start(code);
else askCode();

/** /join without a code: type the one shown on the room's screen. A code that did not work
 *  stays in the field, with the message, so the typo can be seen and corrected. */
function askCode(wrong = false, typed = "", reason = "bad_code") {
  const input = h("input", {
    id: "code",
    type: "text",
    class: "code-input",
    autocomplete: "off",
    autocapitalize: "characters",
    spellcheck: "false",
    maxlength: 12,
    required: true,
    "aria-describedby": wrong ? "code-error" : null,
    "aria-invalid": wrong ? "true" : null,
    value: typed,
  });
  put(
    app,
    h("header", {}, h("h1", {}, t("join.welcome")), langSwitch()),
    h(
      "form",
      {
        class: "card stack",
        onsubmit: (event) => {
          event.preventDefault();
          const typed = input.value.toUpperCase().replace(/[\s-]/g, "");
          if (typed) location.assign(`/join/${encodeURIComponent(typed)}`);
        },
      },
      wrong && h("p", { id: "code-error", class: "error", role: "alert" }, refusal({ code: reason }, "join")),
      h("label", { for: "code" }, t("join.code_label")),
      input,
      h("button", { type: "submit", class: "btn" }, t("join.code_go")),
    ),
  );
  if (wrong) input.focus();
}

/** ABC234 → ABC-234, as the screens show it. */
const shown = (typed) => (typed.length === 6 ? `${typed.slice(0, 3)}-${typed.slice(3)}` : typed);

function start(code) {
  const storageKey = `simulcast.resident.${code}`;
  const state = { snapshot: null, help: [], check: null, resident: null, announcements: [], notice: null, question: false };
  let leavingNow = false;
  let token = localStorage.getItem(storageKey);
  let focusAfterSnapshot = null; // an element id to focus once the next snapshot is drawn

  const live = connect({
    namespace: "/resident",
    auth: () => (token ? { code, token } : { code }),
    onSnapshot(snapshot) {
      state.snapshot = snapshot;
      setZone(snapshot.timezone);
      if (snapshot.resident && !snapshot.resident.present) {
        // Counted out by the facilitator (or left on another tab): start again as a guest.
        forget();
        state.notice = "join.dismissed";
        live.socket.disconnect().connect();
        return;
      }
      state.resident = snapshot.resident;
      // Keep requests still waiting in the outbox: the snapshot cannot know them yet.
      state.help = [...snapshot.help, ...state.help.filter((r) => r.state === "pending")];
      // The last check, open or closed: a closed one keeps « Votre réponse » in view.
      state.check = snapshot.check && { ...snapshot.check, closed: !snapshot.check.open };
      state.announcements = snapshot.announcements;
      render();
      if (focusAfterSnapshot) byId(focusAfterSnapshot)?.focus();
      focusAfterSnapshot = null;
    },
    onRefused(reason) {
      if (reason === "bad_token") {
        // A token from another session or a wiped database: start again as a guest.
        forget();
        live.socket.connect();
      } else {
        live.socket.disconnect();
        askCode(true, shown(code), reason);
      }
    },
    onLimited() {
      // Too many wrong codes from this address: say to wait, keep what was typed.
      live.socket.disconnect();
      askCode(true, shown(code), "rate_limited");
    },
    on: {
      session_started: () => setSession("live"),
      session_ended: () => setSession("ended"),
      session_cancelled: () => setSession("cancelled"),
      // The title, the time or the rooms changed: take the page afresh.
      session_updated: () => live.refresh().catch(() => {}),
      // The facilitator counted this person out (a phone put away, the next person on a
      // shared tablet): this device is a guest again, as after « Je pars ».
      resident_left(event) {
        if (leavingNow || !token || event.resident_id !== state.resident?.id) return;
        forget();
        state.notice = "join.dismissed";
        live.socket.disconnect().connect();
      },
      announcement_sent(event) {
        state.announcements = [...state.announcements, { id: event.announcement_id, text: event.text, at: event.at }].slice(-5);
        renderAnnouncements();
      },
      check_launched(event) {
        state.check = { id: event.check_id, question: event.question, options: event.options, my_answer: null };
        renderCheck();
      },
      check_closed(event) {
        if (state.check?.id === event.check_id) state.check.closed = true;
        renderCheck();
      },
      check_answered(event) {
        if (state.check?.id === event.check_id) state.check.my_answer = event.option;
        renderCheck();
      },
      help_requested: (e) => upsert(e.request),
      help_claimed: (e) => upsert(e.request),
      help_escalated: (e) => upsert(e.request),
      help_answered: (e) => upsert(e.request),
      help_resolved: (e) => upsert(e.request),
      help_cancelled: (e) => upsert(e.request),
    },
  });

  function setSession(value) {
    if (state.snapshot) state.snapshot.session.state = value;
    asking = false;
    render();
  }

  /** A refusal's text in plain words; a session that ended meanwhile shows its end. */
  function refused(error) {
    if (error?.code === "resident_left" && token) {
      // Counted out meanwhile: this device is a guest again (« Je suis là » to come back).
      forget();
      state.notice = "join.dismissed";
      live.socket.disconnect().connect();
    }
    if (SESSION_OVER.has(error?.code) && state.snapshot && !isOver()) {
      live.ask("snapshot").then((snapshot) => {
        state.snapshot.session = snapshot.session;
        render();
      }).catch(() => setSession("ended"));
    }
    return refusal(error, "join");
  }

  const isOver = () => ["ended", "cancelled"].includes(state.snapshot?.session.state);

  function remember(data) {
    if (data.resident_token) {
      token = data.resident_token;
      localStorage.setItem(storageKey, token);
    }
  }

  function forget() {
    token = null;
    localStorage.removeItem(storageKey);
    state.resident = null;
    state.help = [];
    if (state.check) state.check.my_answer = null;
  }

  /** The resident leaves (the room's count drops at once), then this device forgets them and
   *  is back to its welcome state. `notice`: what to say then. */
  async function leave(notice, error) {
    if (token && state.resident) {
      leavingNow = true; // our own resident_left may come before the ack: not "counted out"
      try {
        await live.act("leave");
      } catch (refusedError) {
        if (refusedError?.code !== "resident_left") {
          if (error) put(error, refused(refusedError));
          return;
        }
      } finally {
        leavingNow = false;
      }
    }
    forget();
    asking = false;
    state.question = false;
    state.notice = notice;
    focusAfterSnapshot = "presence-title";
    live.socket.disconnect().connect();
  }

  function upsert(request) {
    const index = state.help.findIndex((r) => r.id === request.id);
    if (index >= 0) state.help[index] = request;
    else state.help.push(request);
    renderHelp();
  }

  // --- sections: each re-renders alone, so typing in one field is never interrupted ------

  const header = h("header");
  const announcements = h("section", { "aria-live": "polite", class: "stack" });
  const presence = h("section", { class: "card stack", "aria-labelledby": "presence-title" });
  const help = h("section", { class: "stack", "aria-label": t("join.help_section") });
  const check = h("section", { "aria-live": "polite" });
  const footer = h("footer", { class: "stack" });
  // « Je pars » after help and the check, so it is never tapped instead of « J'ai besoin d'aide ».
  const leaving = h("section", { class: "stack", "aria-label": t("join.leave") });
  const closed = h("section", { class: "card closed over-notice", role: "status", hidden: true });
  put(app, header, closed, announcements, presence, help, check, leaving, footer);

  function render() {
    const { session, room } = state.snapshot;
    put(
      header,
      h("div", {}, h("h1", {}, session.title), h("p", {}, t("join.where", { room: room.nom, time: when(session.starts_at) }))),
      langSwitch(),
    );
    const over = session.state === "ended" || session.state === "cancelled";
    closed.hidden = !over;
    put(closed, h("h2", {}, icon("check"), " ", t(session.state === "ended" ? "join.ended" : "join.cancelled")),
      h("p", {}, t(session.state === "ended" ? "join.thanks" : "join.cancelled_detail")),
      h("p", {}, t("join.over_help")));
    for (const part of [presence, help, check, leaving]) part.hidden = over;
    renderAnnouncements();
    renderPresence();
    renderHelp();
    renderCheck();
    renderFooter();
  }

  function renderAnnouncements() {
    put(
      announcements,
      state.announcements.slice(-2).map((item) =>
        h("div", { class: "card announcement" }, icon("announce"), h("p", {}, h("strong", {}, t("join.announcement")), " ", item.text)),
      ),
    );
  }

  function renderPresence() {
    const leaveError = h("p", { class: "error", role: "alert" });
    put(leaving, state.resident && [
      h("button", { type: "button", class: "btn secondary leave", id: "leave", onclick: () => leave("join.left", leaveError) },
        icon("door"), t("join.leave")),
      leaveError,
    ]);
    if (state.resident) {
      put(
        presence,
        h("h2", { id: "presence-title", tabindex: "-1" }, icon("check"), " ",
          state.resident.name ? t("join.hello_name", { name: state.resident.name }) : t("join.hello")),
        h("p", {}, t("join.checked_in")),
      );
      return;
    }
    const name = h("input", { id: "name", type: "text", maxlength: 40, autocomplete: "given-name", "aria-describedby": "name-hint" });
    const error = h("p", { class: "error", role: "alert" });
    put(
      presence,
      state.notice && h("p", { class: "notice-line", role: "status" }, icon("check"), t(state.notice)),
      h("h2", { id: "presence-title", tabindex: "-1" }, icon("person"), " ", t("join.checkin_title")),
      h(
        "form",
        {
          class: "stack",
          onsubmit: async (event) => {
            event.preventDefault();
            const given = name.value.trim();
            put(error);
            try {
              const data = await live.act("checkin", given ? { name: given } : {});
              remember(data);
              state.notice = null;
              state.resident = { id: data.resident_id, name: data.name, present: true };
              renderPresence();
              byId("presence-title")?.focus();
            } catch (refusedError) {
              put(error, refused(refusedError));
            }
          },
        },
        h("label", { for: "name" }, t("join.name_label")),
        h("p", { id: "name-hint", class: "muted" }, t("join.name_hint")),
        name,
        error,
        h("button", { type: "submit", class: "btn" }, icon("check"), t("join.checkin")),
      ),
    );
  }

  let asking = false;
  function renderHelp() {
    // Live events re-render this part: keep the keyboard focus where it was.
    const focused = help.contains(document.activeElement) ? document.activeElement.dataset.focus : null;
    const mine = state.help.filter((r) => ACTIVE.has(r.state));
    const last = state.help.at(-1);
    const parts = [];
    if (asking) parts.push(helpForm());
    else if (!mine.length) {
      parts.push(
        h("button", { type: "button", class: "help-button", id: "help-button", onclick: () => {
          asking = true;
          renderHelp();
          byId("seat")?.focus();
        } }, icon("help", 36), t("join.help")),
      );
    }
    for (const request of mine) parts.push(helpStatus(request));
    if (!mine.length && !asking && last && (last.state === "resolved" || last.state === "cancelled")) {
      parts.push(helpStatus(last));
    }
    keep(help, parts); // a question being typed survives live updates
    if (focused) help.querySelector(`[data-focus="${focused}"]`)?.focus();
  }

  function helpForm() {
    const seat = h("input", {
      id: "seat", type: "text", maxlength: 10, inputmode: "text", autocomplete: "off", enterkeyhint: "next", "aria-describedby": "seat-hint",
      // On a phone the keyboard takes the lower half: bring the form's top up so the kinds
      // stay in sight above it (again when the keyboard has opened and the view shrank).
      onfocus: () => {
        const bringUp = () => byId("help-form-title")?.scrollIntoView({ block: "start" });
        bringUp();
        window.visualViewport?.addEventListener("resize", bringUp, { once: true });
      },
      onkeydown: (event) => {
        if (event.key !== "Enter") return;
        event.preventDefault();
        help.querySelector(".kind")?.focus(); // Enter: on to the choices
      },
    });
    const question = h("textarea", { id: "question", rows: 3, maxlength: 280, "aria-describedby": "question-hint" });
    const send = (kind) => async () => {
      const text = kind === "question" ? question.value.trim() || null : null;
      const placeholder = { id: `pending-${Date.now()}`, state: "pending", kind, seat: seat.value.trim() || null, text };
      asking = false;
      state.question = false;
      state.help.push(placeholder);
      renderHelp();
      focusStatus();
      try {
        const data = await live.act("help", { kind, ...(placeholder.seat ? { seat: placeholder.seat } : {}), ...(text ? { text } : {}) });
        remember(data);
        if (data.resident_id && !state.resident) {
          state.resident = { id: data.resident_id, name: null, present: true };
          renderPresence();
        }
        const { resident_id, resident_token, ...request } = data;
        const index = state.help.indexOf(placeholder);
        const known = state.help.findIndex((r) => r.id === request.id);
        if (known >= 0) state.help.splice(index, 1); // its event came first
        else state.help[index] = request;
      } catch (error) {
        state.help.splice(state.help.indexOf(placeholder), 1);
        state.helpError = refused(error);
      }
      renderHelp();
      focusStatus();
    };
    return h(
      "div",
      { class: "card stack", role: "group", "aria-labelledby": "help-form-title" },
      h("h2", { id: "help-form-title" }, icon("help"), " ", t("join.help")),
      h("label", { for: "seat" }, t("join.seat_label")),
      seat,
      h("p", { id: "seat-hint", class: "muted hint" }, t("join.seat_hint")),
      h("p", { id: "kind-title", class: "label" }, h("strong", {}, t("join.kind_label"))),
      h(
        "div",
        { class: "kinds", role: "group", "aria-labelledby": "kind-title" },
        KINDS.map((kind) => kind === "question"
          // A question may come with a few words: the field opens, then « Envoyer » sends.
          ? h("button", { type: "button", class: "kind", id: "kind-question", "aria-expanded": String(state.question), "aria-controls": "question-box", onclick: () => {
            state.question = true;
            renderHelp();
            byId("question")?.focus();
          } }, icon(kind, 32), t(`kind.${kind}`))
          : h("button", { type: "button", class: "kind", onclick: send(kind) }, icon(kind, 32), t(`kind.${kind}`))),
      ),
      h("div", { class: "stack question-box", id: "question-box", hidden: !state.question },
        h("label", { for: "question" }, t("join.question_label")),
        h("p", { id: "question-hint", class: "muted hint" }, t("join.question_hint")),
        question,
        h("button", { type: "button", class: "btn", id: "question-send", onclick: send("question") }, icon("send"), t("join.question_send"))),
      h("button", { type: "button", class: "btn quiet", onclick: () => {
        asking = false;
        state.question = false;
        renderHelp();
        byId("help-button")?.focus();
      } }, t("join.help_back")),
    );
  }

  function helpStatus(request) {
    const done = request.state === "resolved" || request.state === "cancelled";
    const error = state.helpError;
    state.helpError = null;
    return h(
      "div",
      { class: `card status stack${done ? " done" : ""}`, "aria-live": "polite" },
      h("h2", { class: "status-title", tabindex: "-1", "data-focus": "status" }, t(request.state === "pending" ? "join.sending" : "join.sent")),
      h("p", { class: "state-line" }, icon(done ? "check" : "clock"), t(`help.resident.${request.state}`)),
      request.text && h("p", { class: "my-question" }, t("join.your_question", { text: request.text })),
      request.answer && h("p", { class: "answer" }, request.answer),
      h("p", { class: "muted" }, t(`kind.${request.kind}`), request.seat ? ` · ${t("join.seat_is", { seat: request.seat })}` : ""),
      error && h("p", { class: "error", role: "alert" }, error),
      ACTIVE.has(request.state) && request.state !== "pending" &&
        h("button", { type: "button", class: "btn secondary", "data-focus": "cancel", onclick: async () => {
          try {
            upsert(await live.act("cancel_help", { request_id: request.id }));
          } catch (error) {
            state.helpError = refused(error);
            renderHelp();
          }
          focusStatus();
        } }, icon("cross"), t("join.cancel")),
      done && h("button", { type: "button", class: "btn secondary", "data-focus": "again", onclick: () => {
        asking = true;
        renderHelp();
        byId("seat")?.focus();
      } }, icon("help"), t("join.help_again")),
    );
  }

  function focusStatus() {
    help.querySelector(".status-title")?.focus();
  }

  function renderCheck() {
    const current = state.check;
    if (!current) return put(check);
    if (current.closed) {
      const mine = current.options[current.my_answer];
      return put(
        check,
        h("div", { class: "card stack", role: "group", "aria-labelledby": "check-question" },
          h("h2", { id: "check-question" }, current.question),
          h("p", { class: "state-line" }, icon("check"), t("join.check_closed")),
          mine !== undefined && h("p", {}, t("join.check_mine", { answer: mine }))),
      );
    }
    put(
      check,
      h(
        "div",
        { class: "card stack", role: "group", "aria-labelledby": "check-question" },
        h("h2", { id: "check-question" }, current.question),
        h(
          "div",
          { class: "options" },
          current.options.map((option, index) =>
            h("button", {
              type: "button",
              class: "btn secondary option",
              "aria-pressed": String(current.my_answer === index),
              onclick: async () => {
                try {
                  await live.act("answer_check", { check_id: current.id, option: index });
                  current.my_answer = index;
                } catch (error) {
                  current.error = refused(error);
                }
                renderCheck();
              },
            }, option),
          ),
        ),
        current.my_answer !== null && current.my_answer !== undefined && h("p", { class: "state-line" }, icon("check"), t("join.check_thanks")),
        current.error && h("p", { class: "error", role: "alert" }, current.error),
      ),
    );
  }

  /** How long the controller keeps first names and texts (its --retention-days). */
  function kept(days) {
    return Number.isInteger(days) ? t("notice.kept", { days }) : t("notice.kept_later");
  }

  function renderFooter() {
    const done = h("p", { role: "status", class: "muted" });
    put(
      footer,
      h(
        "details",
        { class: "card notice" },
        h("summary", {}, t("notice.title")),
        h("ul", {}, ["notice.name", "notice.help", "notice.nothing_else"].map((key) => h("li", {}, t(key))),
          h("li", { "data-field": "retention" }, kept(state.snapshot.retention_days))),
      ),
      // A shared tablet: the person before leaves (no longer counted), the next starts fresh.
      h("button", { type: "button", class: "btn quiet", id: "reset", onclick: async () => {
        await leave("join.reset_done", done);
        focusAfterSnapshot = "name";
      } }, icon("reset"), t("join.reset")),
      done,
    );
  }
}
