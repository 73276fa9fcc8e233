// Refusals in the page's language. The server's `message` is English and written for
// developers; people see the text of its `code` (docs/protocol.md, Errors), in plain words
// with what to do next. A page may have its own wording for a code (the resident page's is
// "inspirée du FALC"): `err.<page>.<code>` first, then `err.<code>`, then a generic text.
import { has, t } from "./i18n/index.js";

/** The text to show for a refusal {code, message} (an ack's or a REST error's). */
export function refusal(error, page = null) {
  const code = error?.code;
  if (code && page && has(`err.${page}.${code}`)) return t(`err.${page}.${code}`);
  if (code && has(`err.${code}`)) return t(`err.${code}`);
  return t(page && has(`err.${page}.generic`) ? `err.${page}.generic` : "error.generic");
}

/** Codes after which the session is over: the page shows the end instead of the controls. */
export const SESSION_OVER = new Set(["session_closed", "access_expired"]);
