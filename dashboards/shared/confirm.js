// An accessible confirmation before an action that cannot be undone (ending a session for
// every room): a modal <dialog> (focus kept inside, Escape closes it, the page behind is
// inert), its title and text read out, the safe choice focused first. Never window.confirm:
// it cannot be styled or translated, and kiosks and tests treat it as an intrusion.
import { h } from "./dom.js";

/** confirmAction({title, text, yes, no}) → Promise<boolean> */
export function confirmAction({ title, text, yes, no }) {
  return new Promise((resolve) => {
    const opener = document.activeElement;
    const dialog = h(
      "dialog",
      { class: "confirm", "aria-labelledby": "confirm-title", "aria-describedby": "confirm-text" },
      h("h2", { id: "confirm-title" }, title),
      h("p", { id: "confirm-text" }, text),
      h(
        "div",
        { class: "actions" },
        h("button", { type: "button", class: "btn secondary", autofocus: true, onclick: () => close(false) }, no),
        h("button", { type: "button", class: "btn danger", onclick: () => close(true) }, yes),
      ),
    );
    let answered = false;
    function close(answer) {
      if (answered) return;
      answered = true;
      dialog.close();
      dialog.remove();
      if (opener?.isConnected) opener.focus();
      resolve(answer);
    }
    dialog.addEventListener("cancel", (event) => {
      event.preventDefault();
      close(false);
    });
    document.body.append(dialog);
    dialog.showModal();
  });
}
