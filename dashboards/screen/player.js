// Plays what a `play` message names (docs/protocol.md, "Dispatch"), inside `stage`, and
// tells the screen page every playback state change through report(state, detail).
// It repairs itself: a stalled or failed HLS stream is reloaded with a growing delay,
// a Jitsi script that does not load is fetched again, with no one at the keyboard.
import Hls from "hls.js";
import { h } from "../shared/dom.js";
import { t } from "../shared/i18n/index.js";

const STALL_AFTER_MS = 4000; // "waiting" this long while meant to play → stalled
const DEAD_AFTER_MS = 15000; // no progress this long → reload the stream
const MAX_BACKOFF_MS = 15000;

/** A stable key: a new `play` for the same thing keeps the current player running. */
export const playKey = (play) => [play.kind, play.embed, play.url, play.room].join(" ");

export function createPlayer(stage, play, report) {
  if (play.kind === "jitsi") return jitsiPlayer(stage, play, report);
  const embed = play.kind === "hls" ? "hls" : play.embed;
  if (embed === "hls") return hlsPlayer(stage, play.url, report);
  if (embed === "video") return videoPlayer(stage, play.url, report);
  return framePlayer(stage, frameUrl(play), report);
}

function frameUrl(play) {
  switch (play.embed) {
    case "youtube":
      return `https://www.youtube-nocookie.com/embed/${encodeURIComponent(play.video_id)}?autoplay=1&playsinline=1`;
    case "peertube":
      return `${play.embed_url}?autoplay=1&warningTitle=0&peertubeLink=0`;
    case "facebook":
      return `https://www.facebook.com/plugins/video.php?href=${encodeURIComponent(play.url)}&autoplay=true&show_text=false`;
    default:
      return play.url;
  }
}

/** Start a <video>; when the browser forbids sound without a gesture, play muted. */
async function start(video, report) {
  try {
    await video.play();
  } catch (error) {
    if (error?.name !== "NotAllowedError") return;
    video.muted = true;
    report("loading", "muted: autoplay with sound is blocked (see docs/dashboards.md)");
    await video.play().catch(() => {});
  }
}

/** Follow a <video>: playing, stalled (waiting too long), and progress for the watchdog. */
function watch(video, report, onDead) {
  let lastTime = -1;
  let lastProgress = Date.now();
  let stallTimer = null;
  const muted = () => (video.muted ? "muted: autoplay with sound is blocked" : undefined);
  video.addEventListener("playing", () => {
    clearTimeout(stallTimer);
    report("playing", muted());
  });
  video.addEventListener("waiting", () => {
    clearTimeout(stallTimer);
    stallTimer = setTimeout(() => report("stalled", "buffering"), STALL_AFTER_MS);
  });
  const watchdog = setInterval(() => {
    if (video.currentTime !== lastTime) {
      lastTime = video.currentTime;
      lastProgress = Date.now();
    } else if (Date.now() - lastProgress > DEAD_AFTER_MS) {
      lastProgress = Date.now();
      report("stalled", "no progress for 15 s: reloading");
      onDead();
    }
  }, 1000);
  return () => {
    clearInterval(watchdog);
    clearTimeout(stallTimer);
  };
}

function hlsPlayer(stage, url, report) {
  const video = h("video", { class: "media", autoplay: true, playsinline: true, "aria-label": t("screen.video") });
  stage.append(video);
  let hls = null;
  let backoff = 1000;
  let retry = null;
  let gone = false;

  function load() {
    report("loading");
    if (!Hls.isSupported()) {
      if (!video.canPlayType("application/vnd.apple.mpegurl")) return report("error", "this browser cannot play HLS");
      video.src = url;
      return start(video, report);
    }
    hls = new Hls({ liveSyncDurationCount: 3, lowLatencyMode: false });
    hls.on(Hls.Events.MANIFEST_PARSED, () => start(video, report));
    hls.on(Hls.Events.FRAG_BUFFERED, () => (backoff = 1000));
    hls.on(Hls.Events.ERROR, (_, data) => {
      if (!data.fatal) return;
      if (data.type === Hls.ErrorTypes.MEDIA_ERROR) return hls.recoverMediaError();
      report("stalled", `${data.type}: ${data.details}`);
      reload();
    });
    hls.loadSource(url);
    hls.attachMedia(video);
  }

  function reload() {
    if (gone || retry) return;
    hls?.destroy();
    hls = null;
    retry = setTimeout(() => {
      retry = null;
      if (!gone) load();
    }, backoff);
    backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
  }

  const unwatch = watch(video, report, reload);
  load();
  return {
    destroy() {
      gone = true;
      clearTimeout(retry);
      unwatch();
      hls?.destroy();
      video.remove();
    },
  };
}

function videoPlayer(stage, url, report) {
  const video = h("video", { class: "media", autoplay: true, playsinline: true, src: url, "aria-label": t("screen.video") });
  stage.append(video);
  report("loading");
  video.addEventListener("error", () => report("error", "the video cannot be played"));
  const unwatch = watch(video, report, () => {
    video.load();
    start(video, report);
  });
  start(video, report);
  return {
    destroy() {
      unwatch();
      video.remove();
    },
  };
}

/** YouTube, PeerTube, Facebook or any page: the frame's content cannot be observed from
 *  here, so "playing" means "the embed loaded" (the detail says so). */
function framePlayer(stage, src, report) {
  const frame = h("iframe", {
    class: "media",
    src,
    title: t("screen.video"),
    allow: "autoplay; fullscreen; encrypted-media; picture-in-picture",
    referrerpolicy: "strict-origin-when-cross-origin",
  });
  report("loading");
  frame.addEventListener("load", () => report("playing", "embed loaded (its playback cannot be observed)"));
  stage.append(frame);
  return { destroy: () => frame.remove() };
}

/** A Jitsi room through its IFrame API, loaded from the session's own Jitsi server. */
function jitsiPlayer(stage, play, report) {
  let api = null;
  let gone = false;
  let retry = null;
  let backoff = 2000;
  const holder = h("div", { class: "media" });
  stage.append(holder);

  function join() {
    report("loading");
    api = new window.JitsiMeetExternalAPI(play.domain, {
      roomName: play.room,
      jwt: play.jwt || undefined,
      parentNode: holder,
      width: "100%",
      height: "100%",
      userInfo: { displayName: t("screen.jitsi_name") },
      configOverwrite: {
        startWithAudioMuted: true,
        startWithVideoMuted: true,
        prejoinConfig: { enabled: false },
        prejoinPageEnabled: false,
        disableDeepLinking: true,
      },
    });
    api.addListener("videoConferenceJoined", () => report("playing"));
    api.addListener("videoConferenceLeft", () => again("left the Jitsi room"));
  }

  function again(reason) {
    report("stalled", reason);
    api?.dispose();
    api = null;
    if (gone || retry) return;
    retry = setTimeout(() => {
      retry = null;
      load();
    }, backoff);
    backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
  }

  function load() {
    if (gone) return;
    if (window.JitsiMeetExternalAPI) return join();
    const script = document.createElement("script");
    script.src = `https://${play.domain}/external_api.js`;
    script.onload = join;
    script.onerror = () => {
      script.remove();
      again(`cannot load https://${play.domain}/external_api.js`);
    };
    document.head.append(script);
  }

  load();
  return {
    destroy() {
      gone = true;
      clearTimeout(retry);
      api?.dispose();
      holder.remove();
    },
  };
}
