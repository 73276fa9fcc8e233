// The side panels of the watched session: escalated questions (the resident's question and
// the room's note) with an answer box, the rooms' problems (« Vu », « Résolu »), announcements
// to every room, and comprehension checks with live per-room tallies.
import { h } from "../shared/dom.js";
import { badge } from "../shared/badges.js";
import { icon } from "../shared/icons.js";
import { age, when } from "../shared/format.js";
import { t, tn } from "../shared/i18n/index.js";
import { refusal } from "../shared/errors.js";
import { isOver } from "./broadcast.js";

/** A form whose submit handler's refusal is shown next to it. */
function form(onSubmit, ...children) {
  const error = h("p", { class: "error", role: "alert" });
  return h(
    "form",
    {
      class: "stack",
      onsubmit: async (event) => {
        event.preventDefault();
        error.textContent = "";
        try {
          await onSubmit(event.target);
        } catch (refused) {
          error.textContent = refusal(refused);
        }
      },
    },
    ...children,
    error,
  );
}

export function escalations(view, act) {
  const items = [...view.escalations].sort((a, b) => (a.state === "escalated" ? -1 : 1) - (b.state === "escalated" ? -1 : 1));
  return [
    h("h2", { id: "escalations-title", tabindex: "-1" }, t("console.escalations", { n: items.filter((r) => r.state === "escalated").length })),
    items.length
      ? h("ul", { class: "list" }, items.map((request) => {
          const answer = h("textarea", { id: `answer-${request.id}`, rows: 2, maxlength: 500, required: true });
          return h(
            "li",
            { class: "escalation" },
            h("p", {}, h("strong", {}, view.rooms[request.room]?.nom ?? request.room), " · ",
              request.seat ? t("room.seat", { seat: request.seat }) : t("room.no_seat"), " · ", t(`kind.${request.kind}`), " ", badge("help", request.state)),
            request.text && h("p", { class: "question" }, h("strong", {}, t("console.escalation_question")), " ", request.text),
            request.note && h("p", { class: "note" }, h("strong", {}, t("console.escalation_note")), " ", request.note),
            !request.text && !request.note && h("p", { class: "muted" }, t("console.escalation_no_text")),
            request.state === "escalated" && age("p", "room.waiting", request.created_at, { class: "muted" }),
            request.answer
              ? h("p", {}, h("strong", {}, t("room.answer")), " ", request.answer)
              : isOver(view)
                ? h("p", { class: "muted" }, t("console.answer_over"))
                : form(
                  async () => act("answer", { request_id: request.id, answer: answer.value.trim() }),
                  h("label", { for: answer.id }, t("console.answer_label")),
                  answer,
                  h("button", { type: "submit", class: "btn" }, t("console.answer_send")),
                ),
          );
        }))
      : h("p", { class: "muted" }, t("console.escalations_empty")),
  ];
}

/** Every room's open problems, oldest first: « Vu » tells the room the mediator saw it,
 *  « Résolu » clears it. Buttons have ids so the focus survives live updates (keep()). */
export function roomProblems(view, act) {
  const open = Object.values(view.rooms).flatMap((room) => room.problems.map((p) => ({ ...p, nom: room.nom })))
    .sort((a, b) => a.reported_at.localeCompare(b.reported_at));
  const named = (key, p) => [t(key), h("span", { class: "visually-hidden" }, ` – ${t(`problem.${p.problem}`)}, ${p.nom}`)];
  return [
    h("h2", { id: "problems-title" }, icon("warning"), " ", t("console.room_problems", { n: open.length })),
    open.length
      ? h("ul", { class: "list" }, open.map((p) => h(
        "li",
        { class: "problem", "data-problem": p.id },
        h("p", {}, h("strong", {}, p.nom), " · ", t(`problem.${p.problem}`), " · ", age("span", "room.since", p.reported_at, { class: "muted" })),
        p.text && h("p", { class: "question" }, p.text),
        h("div", { class: "toolbar" },
          p.seen_at
            ? h("span", { class: "badge ok" }, t("console.problem_seen_done"))
            : h("button", { type: "button", class: "btn small secondary", id: `seen-${p.id}`, onclick: async () => {
              await act("problem_seen", { problem_id: p.id });
              document.getElementById(`clear-${p.id}`)?.focus();
            } }, named("console.problem_seen", p)),
          h("button", { type: "button", class: "btn small", id: `clear-${p.id}`, onclick: () => act("clear_problem", { problem_id: p.id }) },
            named("console.problem_clear", p))),
      )))
      : h("p", { class: "muted" }, t("console.room_problems_empty")),
  ];
}

export function announcements(view, act) {
  const text = h("textarea", { id: "announce-text", rows: 2, maxlength: 500, required: true });
  return [
    h("h2", {}, icon("announce"), " ", t("console.announcements")),
    isOver(view) ? h("p", { class: "muted" }, t("console.announce_over")) : form(
      async () => {
        await act("announce", { text: text.value.trim() });
        // The form may have been re-rendered meanwhile (the event comes before the ack).
        document.getElementById("announce-text").value = "";
      },
      h("label", { for: "announce-text" }, t("console.announce_label")),
      text,
      h("button", { type: "submit", class: "btn" }, t("console.announce_send")),
    ),
    h("ul", { class: "list" }, [...view.announcements].reverse().slice(0, 5).map((a) => h("li", {}, h("small", { class: "muted" }, when(a.at)), " ", a.text))),
  ];
}

export function checks(view, act) {
  const open = view.checks.find((c) => c.open);
  const latest = open ?? view.checks.at(-1);
  const question = h("input", { id: "check-question", type: "text", maxlength: 200, value: t("console.check_default") });
  const options = [t("console.yes"), t("console.no"), "", ""].map((value, i) =>
    h("input", { id: `check-option-${i}`, type: "text", maxlength: 60, value, "aria-label": t("console.check_option", { n: i + 1 }) }),
  );
  return [
    h("h2", {}, t("console.checks")),
    isOver(view)
      ? h("p", { class: "muted" }, t(latest ? "console.checks_over" : "console.checks_over_none"))
      : open
      ? h("button", { type: "button", class: "btn danger", onclick: () => act("close_check", { check_id: open.id }) }, t("console.check_close"))
      : form(
          async () => {
            const chosen = options.map((o) => o.value.trim()).filter(Boolean);
            await act("launch_check", { question: question.value.trim(), options: chosen });
          },
          h("label", { for: "check-question" }, t("console.check_question")),
          question,
          h("fieldset", {}, h("legend", {}, t("console.check_options")), h("div", { class: "stack" }, options)),
          h("button", { type: "submit", class: "btn" }, t("console.check_launch")),
        ),
    latest && tallies(view, latest),
  ];
}

/** Totals first (count and share of the answers, and how many of the people present
 *  answered), then one row per room that answered. A closed check keeps its result. */
function tallies(view, check) {
  const rows = Object.entries(check.tallies).filter(([, counts]) => counts.some(Boolean));
  const sum = check.options.map((_, i) => rows.reduce((total, [, counts]) => total + (counts[i] || 0), 0));
  const answers = sum.reduce((a, b) => a + b, 0);
  // A closed check is measured against the people present when it closed.
  const atClose = check.open ? null : check.present_at_close;
  const present = atClose ? Object.values(atClose).reduce((a, b) => a + (b || 0), 0) : view.totals?.present ?? 0;
  const share = (n, of) => (of ? Math.round((100 * n) / of) : 0);
  return h(
    "div",
    { class: "check-result" },
    h(
      "table",
      {},
      h("caption", {}, check.question, " ", h("span", { class: "badge idle" }, t(check.open ? "check.open" : "check.closed"))),
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, t("console.room")), check.options.map((o) => h("th", { scope: "col", class: "n" }, o)))),
      h(
        "tbody",
        {},
        h("tr", { class: "all" }, h("th", { scope: "row" }, t("console.all_rooms")),
          sum.map((n) => h("td", { class: "n" }, h("strong", {}, String(n)), h("br"), h("span", { class: "pct" }, t("console.percent", { n: share(n, answers) }))))),
        rows.map(([site, counts]) =>
          h("tr", { "data-site": site }, h("th", { scope: "row" }, view.rooms[site]?.nom ?? site), check.options.map((_, i) => h("td", { class: "n" }, String(counts[i] || 0)))),
        ),
      ),
    ),
    h("p", { class: "rate", "data-field": "rate" },
      tn("console.answers", answers), " · ",
      present ? t("console.response_rate", { pct: share(answers, present), present }) : t("console.response_rate_none")),
  );
}
