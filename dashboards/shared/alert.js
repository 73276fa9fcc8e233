// Getting a person's attention when something new waits for them, without being loud: the
// tab's title carries the count (« (2) Tableau de la salle »), and a soft two-note chime
// plays when the count grows, only if the person turned the sound on (off by default, kept
// in localStorage). The chime is drawn with Web Audio: no sound file to download.
import { h } from "./dom.js";
import { t } from "./i18n/index.js";

/** alerter(storageKey) → {title(base, count), notify(count), toggle()} */
export function alerter(storageKey) {
  let on = localStorage.getItem(storageKey) === "on";
  let audio = null;
  let last = null;

  function chime() {
    if (!on) return;
    try {
      audio ??= new AudioContext();
      const start = audio.currentTime;
      for (const [i, freq] of [660, 880].entries()) {
        const tone = audio.createOscillator();
        const gain = audio.createGain();
        tone.type = "sine";
        tone.frequency.value = freq;
        gain.gain.setValueAtTime(0.0001, start + i * 0.18);
        gain.gain.exponentialRampToValueAtTime(0.08, start + i * 0.18 + 0.03);
        gain.gain.exponentialRampToValueAtTime(0.0001, start + i * 0.18 + 0.4);
        tone.connect(gain).connect(audio.destination);
        tone.start(start + i * 0.18);
        tone.stop(start + i * 0.18 + 0.45);
      }
    } catch {
      // No audio on this device: the title still counts.
    }
  }

  return {
    /** Set document.title to base, prefixed with the count while it is above zero. */
    title(base, count) {
      document.title = count > 0 ? `(${count}) ${base}` : base;
    },
    /** Chime when the count of waiting items grew since the last call. */
    notify(count) {
      if (last !== null && count > last) chime();
      last = count;
    },
    /** The « Son des alertes » switch: a toggle button (its name stays, aria-pressed says
     *  the state; the visible word beside it says it to eyes). */
    toggle() {
      const state = h("span", { "aria-hidden": "true" }, t(on ? "alert.on" : "alert.off"));
      const button = h("button", {
        type: "button",
        class: "btn quiet sound-toggle",
        "aria-pressed": String(on),
        onclick: () => {
          on = !on;
          localStorage.setItem(storageKey, on ? "on" : "off");
          button.setAttribute("aria-pressed", String(on));
          state.textContent = t(on ? "alert.on" : "alert.off");
          if (on) chime(); // let the person hear it (and unlock audio with this click)
        },
      }, t("alert.sound"), " ", state);
      return button;
    },
  };
}
