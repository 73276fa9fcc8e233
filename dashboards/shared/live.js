// One socket.io connection per page, with what docs/protocol.md asks of every client:
// - the snapshot + seq rule: keep the snapshot's seq, ignore any event whose seq is not
//   greater (it is already in the snapshot); after a reconnect the new snapshot catches up;
// - actions carry a client_id and wait in an outbox while offline, then are sent again with
//   the same id, so a retry never counts twice;
// - a discreet banner while the connection is lost; socket.io reconnects by itself.
import { io } from "socket.io-client";
import { clientId } from "./ids.js";
import { h } from "./dom.js";
import { t } from "./i18n/index.js";

const ACK_TIMEOUT_MS = 8000;
const RETRY_MS = 3000;
/** Server refusals that reconnecting cannot fix: the page must say what to do. */
const REFUSALS = new Set(["bad_token", "auth_missing", "bad_code", "not_found"]);

/**
 * connect({namespace, auth, onSnapshot, on, onRefused, onStatus, onLimited}) → {socket, act, emit, ask, rebase, refresh}
 * - onLimited(): too many wrong join codes (rate_limited); without it, tries again later;
 * - auth(): the connect payload, read again at each (re)connection;
 * - on: {eventName(data)} for server events, after the seq rule;
 * - act(event, payload): an acknowledged action through the outbox → Promise of ack.data
 *   (rejects with {code, message} when the server says no).
 */
export function connect({ namespace, auth, onSnapshot, on = {}, onRefused = () => {}, onStatus = () => {}, onLimited = null }) {
  const socket = io(namespace, {
    auth: (send) => send(auth()),
    reconnectionDelay: 500,
    // At most 2 s between tries: after a controller restart every page is back within
    // seconds (docs/benchmarks.md, reconnect storm); the server takes 10,000 at once.
    reconnectionDelayMax: 2000,
  });
  // Watermarks per session (a console hears the lifecycle of every session, each with its
  // own log) and per stream: events come in commit order, coalesced console_update
  // messages from another task, so an update built a moment after an event must not hide
  // that event.
  const marks = new Map();
  const mark = (session, stream) => marks.get(`${session}:${stream}`) ?? -1;
  function rebase(snapshot) {
    const session = snapshot.session?.id;
    const seq = snapshot.seq ?? snapshot.session?.seq;
    if (session === undefined || seq === undefined) return;
    marks.set(`${session}:event`, seq);
    marks.set(`${session}:update`, seq);
  }
  const outbox = [];
  let flushing = false;
  let everConnected = false;

  const banner = h("div", { class: "offline-banner", role: "status", hidden: true });
  document.body.prepend(banner);
  function showBanner() {
    const offline = everConnected && !socket.connected;
    const waiting = outbox.length;
    banner.hidden = !offline && !waiting;
    banner.textContent = offline
      ? t("live.offline") + (waiting ? " " + t("live.queued", { n: waiting }) : "")
      : waiting
        ? t("live.sending")
        : "";
  }

  socket.on("connect", () => {
    everConnected = true;
    showBanner();
    onStatus(true);
    flush();
  });
  socket.on("disconnect", () => {
    showBanner();
    onStatus(false);
  });
  socket.on("connect_error", (error) => {
    const code = error?.data?.code;
    if (REFUSALS.has(code)) onRefused(code, error.message);
    else if (code === "rate_limited" && onLimited) onLimited(); // the page says to wait
    else if (!socket.active) setTimeout(() => socket.connect(), RETRY_MS); // rate_limited
    showBanner();
  });
  socket.on("snapshot", (snapshot) => {
    rebase(snapshot);
    onSnapshot(snapshot);
  });
  socket.onAny((name, data) => {
    if (name === "snapshot" || !on[name]) return;
    if (typeof data?.seq === "number") {
      const stream = name === "console_update" ? "update" : "event";
      if (data.seq <= mark(data.session_id, stream)) return;
      marks.set(`${data.session_id}:${stream}`, data.seq);
    }
    on[name](data);
  });

  async function flush() {
    if (flushing) return;
    flushing = true;
    try {
      while (outbox.length && socket.connected) {
        const item = outbox[0];
        let ack;
        try {
          ack = await socket.timeout(ACK_TIMEOUT_MS).emitWithAck(item.event, item.payload);
        } catch {
          setTimeout(flush, RETRY_MS); // no answer: same client_id again, later
          break;
        }
        outbox.shift();
        if (ack?.ok) item.resolve(ack.data);
        else item.reject(ack?.error ?? { code: "internal_error", message: "?" });
      }
    } finally {
      flushing = false;
      showBanner();
    }
  }

  function act(event, payload = {}) {
    return new Promise((resolve, reject) => {
      outbox.push({ event, payload: { client_id: clientId(), ...payload }, resolve, reject });
      showBanner();
      flush();
    });
  }

  /** Fire-and-forget messages that only make sense now (heartbeats, screen state). */
  function emit(event, payload) {
    if (socket.connected) socket.emit(event, payload);
  }

  /** A question that only makes sense online (a preflight, a fresh snapshot): no outbox. */
  async function ask(event, payload) {
    const ack = await socket.timeout(ACK_TIMEOUT_MS * 2).emitWithAck(event, payload);
    if (!ack?.ok) throw ack?.error ?? { code: "internal_error", message: "?" };
    return ack.data;
  }

  /** Take the page's snapshot afresh (after `session_updated`: the title, the time, the
   *  rooms may all have changed) and apply it as if it had just arrived. */
  async function refresh() {
    const snapshot = await ask("snapshot");
    rebase(snapshot);
    onSnapshot(snapshot);
    return snapshot;
  }

  return { socket, act, emit, ask, rebase, refresh };
}
