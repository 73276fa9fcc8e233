// Times and durations as people read them, in the page's language.
import { locale, t } from "./i18n/index.js";

/** "14:05" (today) or "mardi 1 décembre, 14:05". */
export function when(iso) {
  if (!iso) return "";
  const date = new Date(iso);
  const today = new Date().toDateString() === date.toDateString();
  const options = today
    ? { hour: "2-digit", minute: "2-digit" }
    : { weekday: "long", day: "numeric", month: "long", hour: "2-digit", minute: "2-digit" };
  return new Intl.DateTimeFormat(locale(), options).format(date);
}

/** A duration in seconds as "45 s", "3 min", "1 h 20". */
export function duration(seconds) {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return t("dur.s", { n: s });
  if (s < 3600) return t("dur.min", { n: Math.floor(s / 60) });
  return t("dur.h", { h: Math.floor(s / 3600), m: String(Math.floor((s % 3600) / 60)).padStart(2, "0") });
}

/** Seconds since an ISO time (never negative, even with a skewed clock). */
export const since = (iso) => Math.max(0, (Date.now() - new Date(iso).getTime()) / 1000);

/** An element whose text says how long ago `iso` was, kept fresh by refreshAges(). */
export function age(tag, key, iso, attrs = {}) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) element.setAttribute(name, value);
  element.dataset.since = iso;
  element.dataset.key = key;
  element.textContent = t(key, { d: duration(since(iso)) });
  return element;
}

/** Update every age() element under root (called every few seconds). */
export function refreshAges(root = document) {
  for (const element of root.querySelectorAll("[data-since]")) {
    element.textContent = t(element.dataset.key, { d: duration(since(element.dataset.since)) });
  }
}
