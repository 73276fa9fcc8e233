// Times and durations as people read them, in the page's language. Session times are shown
// in the territory's zone, whatever the browser's: the server answers them with the
// territory's offset (docs/protocol.md, Sessions), and a laptop set to UTC must still read
// « 14:00 » for a workshop typed as 14:00. Event times (`at`, UTC) are shown at that offset.
import { locale, t } from "./i18n/index.js";

let territoryOffset = null; // minutes east of UTC, from the session's starts_at

/** The offset written at the end of an ISO time, in minutes ("Z" → 0; none → null). */
export function offsetOf(iso) {
  const match = /(Z|[+-]\d\d:?\d\d)$/.exec(iso || "");
  if (!match) return null;
  if (match[1] === "Z") return 0;
  const sign = match[1][0] === "-" ? -1 : 1;
  const digits = match[1].slice(1).replace(":", "");
  return sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2)));
}

/** Take the territory's offset from a session time (its starts_at). */
export function setZoneFrom(iso) {
  const offset = offsetOf(iso);
  if (offset !== null) territoryOffset = offset;
}

/** « heure du territoire (UTC+1) »: says which clock the times follow. */
export function zoneLabel() {
  if (territoryOffset === null) return "";
  const hours = Math.trunc(Math.abs(territoryOffset) / 60);
  const minutes = Math.abs(territoryOffset) % 60;
  const utc = `UTC${territoryOffset < 0 ? "−" : "+"}${hours}${minutes ? ":" + String(minutes).padStart(2, "0") : ""}`;
  return t("time.zone", { utc });
}

/** A Date whose UTC fields are the wall-clock time in the territory (or in iso's own zone). */
function wall(iso) {
  const offset = territoryOffset ?? offsetOf(iso);
  const instant = new Date(iso).getTime();
  if (offset === null) return { date: new Date(instant), zone: undefined };
  return { date: new Date(instant + offset * 60000), zone: "UTC" };
}

/** "14:05" (today) or "mardi 1 décembre, 14:05", on the territory's clock. */
export function when(iso) {
  if (!iso) return "";
  const { date, zone } = wall(iso);
  const now = wall(new Date().toISOString());
  const day = (d) => (zone ? d.toISOString().slice(0, 10) : d.toDateString());
  const today = day(now.date) === day(date);
  const options = today
    ? { hour: "2-digit", minute: "2-digit", timeZone: zone }
    : { weekday: "long", day: "numeric", month: "long", hour: "2-digit", minute: "2-digit", timeZone: zone };
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
