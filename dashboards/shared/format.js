// Times and durations as people read them, in the page's language. Session times are shown
// in the territory's time zone (the `timezone` of every snapshot, e.g. Europe/Paris), whatever
// the browser's: a laptop set to UTC must still read « 14:00 » for a workshop typed as 14:00.
// Intl.DateTimeFormat does the conversion (summer time included); event times (`at`, UTC)
// are shown in the same zone.
import { locale, t } from "./i18n/index.js";

let territoryZone; // an IANA zone name, from the snapshot; undefined: the browser's own

/** Take the territory's zone from a snapshot (its `timezone`); a name Intl does not know is
 *  ignored (the browser's zone is then used, never an error). */
export function setZone(zone) {
  if (!zone) return;
  try {
    new Intl.DateTimeFormat("en", { timeZone: zone });
    territoryZone = zone;
  } catch {
    // keep the previous zone
  }
}

export const zone = () => territoryZone;

/** "UTC+1", "UTC+2", "UTC−4": the zone's offset at that instant (summer time included). */
function offsetAt(iso) {
  const parts = new Intl.DateTimeFormat("en-US", { timeZone: territoryZone, timeZoneName: "longOffset" })
    .formatToParts(new Date(iso || Date.now()));
  const name = parts.find((part) => part.type === "timeZoneName")?.value ?? "GMT";
  const offset = name.replace(/^GMT/, "").replace(/^([+-])0?(\d+)(?::00)?/, "$1$2").replace("-", "−");
  return `UTC${offset}`;
}

/** « heure du territoire (Paris, UTC+1) »: which clock the times follow, at that instant. */
export function zoneLabel(iso) {
  if (!territoryZone) return "";
  const city = territoryZone.split("/").at(-1).replace(/_/g, " ");
  return t("time.zone", { city, utc: offsetAt(iso) });
}

/** The calendar day of an instant in the territory ("2026-12-01"). */
function dayOf(date) {
  return new Intl.DateTimeFormat("en-CA", { timeZone: territoryZone, year: "numeric", month: "2-digit", day: "2-digit" }).format(date);
}

/** "14:05" (today) or "mardi 1 décembre, 14:05", on the territory's clock. */
export function when(iso) {
  if (!iso) return "";
  const date = new Date(iso);
  const today = dayOf(new Date()) === dayOf(date);
  const options = today
    ? { hour: "2-digit", minute: "2-digit", timeZone: territoryZone }
    : { weekday: "long", day: "numeric", month: "long", hour: "2-digit", minute: "2-digit", timeZone: territoryZone };
  return new Intl.DateTimeFormat(locale(), options).format(date);
}

/** "14:05" on the territory's clock, whatever the day. */
export function clock(iso) {
  if (!iso) return "";
  return new Intl.DateTimeFormat(locale(), { hour: "2-digit", minute: "2-digit", timeZone: territoryZone }).format(new Date(iso));
}

/** An instant as a datetime-local value on the territory's clock ("2026-12-01T14:00"), to
 *  fill a form's « Début ». */
export function wallInput(iso) {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat("en-GB", {
      timeZone: territoryZone, year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23",
    }).formatToParts(new Date(iso)).map((part) => [part.type, part.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}`;
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
