// All visible text goes through t(key): one table per language (fr.js, en.js). French is
// the default and is bundled; English is fetched only when chosen, so the resident page
// on a weak connection carries one language. The choice: ?lang= in the URL, else what
// was chosen before (localStorage), else French.
import fr from "./fr.js";
import { h } from "../dom.js";

const STORAGE_KEY = "simulcast.lang";
const LANGS = ["fr", "en"];
let table = fr;
export let lang = "fr";

function chosen() {
  const asked = new URLSearchParams(location.search).get("lang");
  if (LANGS.includes(asked)) {
    localStorage.setItem(STORAGE_KEY, asked);
    return asked;
  }
  const kept = localStorage.getItem(STORAGE_KEY);
  return LANGS.includes(kept) ? kept : "fr";
}

/** Load the chosen table; call once before the first render. */
export async function loadLang(fallback) {
  lang = chosen();
  if (lang === "fr" && fallback && !localStorage.getItem(STORAGE_KEY) && LANGS.includes(fallback)) {
    lang = fallback; // a room screen's language from rooms.yaml (x_screen.lang)
  }
  if (lang === "en") table = (await import("./en.js")).default;
  document.documentElement.lang = lang;
  return lang;
}

/** The text for key; {name} placeholders come from vars; a function entry gets vars. */
export function t(key, vars = {}) {
  const entry = table[key] ?? fr[key];
  if (entry === undefined) return key;
  if (typeof entry === "function") return entry(vars);
  return entry.replace(/\{(\w+)\}/g, (_, name) => String(vars[name] ?? ""));
}

/** Whether the table (or French, the fallback) has this key. */
export const has = (key) => key in table || key in fr;

/** The plural form of key for n: `${key}.one` or `${key}.other` (Intl.PluralRules of the
 *  page's language: French says « 0 personne », « 1 personne », « 2 personnes »). */
export function tn(key, n, vars = {}) {
  const form = new Intl.PluralRules(locale()).select(n);
  const chosen = has(`${key}.${form}`) ? `${key}.${form}` : `${key}.other`;
  return t(chosen, { n, ...vars });
}

/** A button that switches to the other language (kept in localStorage, then reload). */
export function langSwitch() {
  const other = lang === "fr" ? "en" : "fr";
  return h(
    "button",
    {
      type: "button",
      class: "lang-switch",
      lang: other,
      onclick: () => {
        localStorage.setItem(STORAGE_KEY, other);
        const url = new URL(location.href);
        url.searchParams.set("lang", other);
        location.replace(url);
      },
    },
    t("lang.other"),
  );
}

export const locale = () => (lang === "fr" ? "fr-FR" : "en-GB");
