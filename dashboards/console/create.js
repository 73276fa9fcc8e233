// The form that schedules a session (POST /api/sessions): title, thématiques, niveau,
// origin site, rooms, start, duration and the broadcast source. The same form edits a
// scheduled session (PATCH /api/sessions/{id}: title, start, duration, rooms; its id and
// join codes stay), sending only what changed.
import { h } from "../shared/dom.js";
import { clientId } from "../shared/ids.js";
import { t, tn } from "../shared/i18n/index.js";
import { refusal } from "../shared/errors.js";
import { wallInput } from "../shared/format.js";

/** La Coop de la médiation numérique's values (docs/protocol.md, Sessions). */
const THEMATIQUES = [
  "diagnostic_numerique", "prendre_en_main_du_materiel", "maintenance_de_materiel",
  "gere_ses_contenus_numeriques", "navigation_sur_internet", "email", "bureautique",
  "reseaux_sociaux", "sante", "banque_et_achats_en_ligne", "entrepreneuriat",
  "insertion_professionnelle", "securite_numerique", "parentalite", "scolarite_et_numerique",
  "creer_avec_le_numerique", "culture_numerique", "intelligence_artificielle",
  "aide_aux_demarches_administratives",
];
const NIVEAUX = ["debutant", "intermediaire", "avance"];
const SOURCES = ["obs", "external", "jitsi"];

const field = (id, label, control, hint) =>
  h("div", { class: "field" }, h("label", { for: id }, label), hint && h("small", { id: `${id}-hint`, class: "muted" }, hint), control);

/** sites: GET /api/sites; api(method, path, body); onCreated(session view); onClose();
 *  editing: the session view of a scheduled session to change (null: a new session). */
export function createForm(sites, api, onCreated, onClose = null, editing = null) {
  const studios = sites.filter((s) => s.x_kind === "studio");
  const title = h("input", { id: "new-title", type: "text", required: true, maxlength: 120 });
  const origin = h("select", { id: "new-origin" }, (studios.length ? studios : sites).map((s) => h("option", { value: s.id }, s.nom)));
  const start = h("input", { id: "new-start", type: "datetime-local" });
  const length = h("input", { id: "new-duration", type: "number", min: 5, max: 720, value: 90 });
  const niveau = h("select", { id: "new-niveau" }, h("option", { value: "" }, "—"), NIVEAUX.map((n) => h("option", { value: n }, t(`niveau.${n}`))));
  const source = h("select", { id: "new-source" }, SOURCES.map((s) => h("option", { value: s }, t(`source.${s}`))));
  const url = h("input", { id: "new-url", type: "url", maxlength: 2000, "aria-describedby": "new-url-hint" });
  const domain = h("input", { id: "new-domain", type: "text", maxlength: 253 });
  const chosenBefore = editing ? Object.keys(editing.rooms ?? {}) : null;
  const rooms = sites.map((s) => h("input", { type: "checkbox", value: s.id, checked: chosenBefore ? chosenBefore.includes(s.id) : s.x_kind !== "studio" }));
  const before = editing && { title: editing.title, start: wallInput(editing.starts_at), duration: String(editing.duration_min) };
  if (editing) {
    title.value = before.title;
    origin.value = editing.origin;
    origin.disabled = true; // where the course comes from does not change
    start.value = before.start;
    length.value = before.duration;
  }
  const roomLabels = sites.map((s, i) => h("label", { "data-site": s.id }, rooms[i], s.nom, h("span", { class: "muted" }, ` (${s.commune})`)));
  const filter = h("input", { id: "new-rooms-filter", type: "search", autocomplete: "off", "aria-controls": "new-rooms-list" });
  const chosen = h("p", { class: "muted", role: "status", id: "new-rooms-count" });
  const partners = () => rooms.filter((box) => box.value !== origin.value);
  const shown = () => rooms.filter((box, i) => box.value !== origin.value && !roomLabels[i].hidden);
  const count = () => {
    chosen.textContent = tn("create.rooms_chosen", partners().filter((box) => box.checked).length, { total: partners().length });
  };
  const applyFilter = () => {
    const words = filter.value.trim().toLocaleLowerCase().normalize("NFD").replace(/\p{M}/gu, "");
    sites.forEach((site, i) => {
      const text = `${site.nom} ${site.commune ?? ""} ${site.id}`.toLocaleLowerCase().normalize("NFD").replace(/\p{M}/gu, "");
      roomLabels[i].hidden = site.id === origin.value || (words && !text.includes(words));
    });
    count();
  };
  filter.addEventListener("input", applyFilter);
  origin.addEventListener("change", applyFilter);
  for (const box of rooms) box.addEventListener("change", count);
  const tick = (value) => () => {
    for (const box of value ? shown() : partners()) box.checked = value;
    count();
  };
  const themes = THEMATIQUES.map((value) => h("input", { type: "checkbox", value }));
  const error = h("p", { class: "error", role: "alert" });
  const urlField = field("new-url", t("create.url"), url, t("create.url_hint"));
  const domainField = field("new-domain", t("create.domain"), domain);
  const showSource = () => {
    urlField.hidden = source.value !== "external";
    domainField.hidden = source.value !== "jitsi";
  };
  source.addEventListener("change", showSource);
  showSource();
  applyFilter();

  /** Only what changed: a field left out keeps its value (an empty change is refused). */
  async function save() {
    const body = { client_id: clientId() };
    if (title.value.trim() !== before.title) body.title = title.value.trim();
    if (start.value && start.value !== before.start) body.starts_at = start.value;
    if (length.value !== before.duration) body.duration_min = Number(length.value) || 90;
    const picked = rooms.filter((box) => box.checked && box.value !== origin.value).map((box) => box.value);
    if ([...picked].sort().join() !== [...chosenBefore].sort().join()) body.rooms = picked;
    if (Object.keys(body).length === 1) {
      error.textContent = t("err.no_change");
      return;
    }
    try {
      onCreated(await api("PATCH", `/api/sessions/${editing.id}`, body));
    } catch (refused) {
      error.textContent = refusal(refused);
    }
  }

  async function submit(event) {
    event.preventDefault();
    error.textContent = "";
    if (!partners().some((box) => box.checked)) {
      error.textContent = t("err.no_rooms");
      filter.focus();
      return;
    }
    if (editing) return save();
    const body = {
      client_id: clientId(),
      title: title.value.trim(),
      origin: origin.value,
      rooms: rooms.filter((box) => box.checked && box.value !== origin.value).map((box) => box.value),
      duration_min: Number(length.value) || 90,
      thematiques: themes.filter((box) => box.checked).map((box) => box.value),
    };
    if (start.value) body.starts_at = start.value;
    if (niveau.value) body.niveau = niveau.value;
    if (source.value === "external") body.source = { kind: "external", url: url.value.trim() };
    if (source.value === "jitsi") body.source = { kind: "jitsi", domain: domain.value.trim() };
    try {
      onCreated(await api("POST", "/api/sessions", body));
      title.value = "";
    } catch (refused) {
      error.textContent = refusal(refused);
    }
  }

  return h(
    "form",
    { class: "create-form", onsubmit: submit, "aria-labelledby": "create-title" },
    h("h2", { id: "create-title", tabindex: "-1" }, editing ? t("console.edit_title") : t("console.new_session")),
    editing && h("p", { class: "muted" }, h("strong", {}, editing.title), " – ", t("create.edit_hint")),
    h("div", { class: "create-grid" },
      h("div", { class: "stack" },
        field("new-title", t("create.title"), title),
        field("new-origin", t("create.origin"), origin),
        h("fieldset", { class: "stack" }, h("legend", {}, t("create.rooms")),
          h("label", { for: "new-rooms-filter" }, t("create.rooms_filter")),
          filter,
          h("div", { class: "toolbar" },
            h("button", { type: "button", class: "btn quiet small", onclick: tick(true) }, t("create.rooms_all")),
            h("button", { type: "button", class: "btn quiet small", onclick: tick(false) }, t("create.rooms_none"))),
          chosen,
          h("div", { class: "checks-list rooms-list", id: "new-rooms-list" }, roomLabels))),
      h("div", { class: "stack" },
        field("new-start", t("create.start"), start, t(editing ? "create.start_hint_edit" : "create.start_hint")),
        field("new-duration", t("create.duration"), length),
        // Thématiques, niveau and source are chosen once, when the session is created.
        !editing && [
          h("fieldset", {}, h("legend", {}, t("create.thematiques")),
            h("div", { class: "checks-list" }, THEMATIQUES.map((value, i) => h("label", {}, themes[i], t(`them.${value}`))))),
          field("new-niveau", t("create.niveau"), niveau),
          field("new-source", t("create.source"), source),
          urlField,
          domainField,
        ])),
    error,
    h("div", { class: "toolbar" },
      h("button", { type: "submit", class: "btn" }, t(editing ? "create.save" : "create.submit")),
      onClose && h("button", { type: "button", class: "btn quiet", onclick: onClose }, t(editing ? "create.close_edit" : "create.close"))),
  );
}
