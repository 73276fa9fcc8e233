// State badges: a word in a coloured pill (the word carries the meaning, not the colour).
import { h } from "./dom.js";
import { t } from "./i18n/index.js";

const TONES = {
  screen: { playing: "ok", waiting: "idle", loading: "warn", stalled: "bad", error: "bad", offline: "bad" },
  dispatch: { playing: "ok", pending: "warn", failed: "bad", offline: "bad" },
  broadcast: { idle: "idle", starting: "warn", live: "ok", stopping: "warn", stopped: "idle", failed: "bad" },
  session: { scheduled: "idle", live: "ok", ended: "idle", cancelled: "idle" },
  help: { open: "bad", claimed: "warn", escalated: "warn", answered: "ok", resolved: "ok", cancelled: "idle" },
};

/** badge("screen", "playing") → <span class="badge ok">lecture en cours</span> */
export function badge(family, state) {
  if (state === null || state === undefined) return null;
  return h("span", { class: `badge ${TONES[family]?.[state] ?? "idle"}` }, t(`${family}.${state}`));
}
