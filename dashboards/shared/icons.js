// Pictograms drawn here (no icon font, no CDN): simple strokes on a 24×24 grid. They
// support the text next to them and are hidden from screen readers (aria-hidden).
import { s } from "./dom.js";

const SHAPES = {
  // a raised hand
  help: [
    ["path", { d: "M8 13V5.5a1.5 1.5 0 0 1 3 0V11M11 10V4a1.5 1.5 0 0 1 3 0v7M14 10.5V5.5a1.5 1.5 0 0 1 3 0V14c0 4-2.5 7-6 7-2.5 0-4-1.2-5.5-3.5L3.5 14a1.4 1.4 0 0 1 2.3-1.6L8 15" }],
  ],
  // a question mark in a circle: lost
  lost: [
    ["circle", { cx: 12, cy: 12, r: 9.5 }],
    ["path", { d: "M9.3 9.2a2.8 2.8 0 1 1 3.9 2.6c-.8.4-1.2 1-1.2 1.9v.8" }],
    ["circle", { cx: 12, cy: 17.2, r: 0.6, fill: "currentColor" }],
  ],
  // a screen with a cross: a technical problem
  tech: [
    ["rect", { x: 3, y: 4, width: 18, height: 12, rx: 1.5 }],
    ["path", { d: "M9 20h6M12 16v4M10 8l4 4M14 8l-4 4" }],
  ],
  // a speech bubble: a question for the speaker
  question: [
    ["path", { d: "M4 5h16v10H10l-4 4v-4H4z" }],
    ["path", { d: "M8 9h8M8 12h5" }],
  ],
  // a person
  person: [
    ["circle", { cx: 12, cy: 7, r: 3.5 }],
    ["path", { d: "M5 21v-2a7 7 0 0 1 14 0v2" }],
  ],
  check: [["path", { d: "M4 12.5l5 5L20 6.5" }]],
  clock: [
    ["circle", { cx: 12, cy: 12, r: 9.5 }],
    ["path", { d: "M12 7v5l3.5 2" }],
  ],
  // a speaker with a cross
  no_sound: [
    ["path", { d: "M3 9h4l5-4v14l-5-4H3z" }],
    ["path", { d: "M16 9l5 6M21 9l-5 6" }],
  ],
  // a picture with a pause sign
  frozen_image: [
    ["rect", { x: 3, y: 5, width: 18, height: 14, rx: 1.5 }],
    ["path", { d: "M10 9v6M14 9v6" }],
  ],
  // a wifi fan struck through
  no_connection: [
    ["path", { d: "M2.5 9a14 14 0 0 1 19 0M5.5 12.5a9.5 9.5 0 0 1 13 0M8.5 16a5 5 0 0 1 7 0" }],
    ["circle", { cx: 12, cy: 19, r: 0.8, fill: "currentColor" }],
    ["path", { d: "M4 3l16 18" }],
  ],
  other: [
    ["circle", { cx: 6, cy: 12, r: 1, fill: "currentColor" }],
    ["circle", { cx: 12, cy: 12, r: 1, fill: "currentColor" }],
    ["circle", { cx: 18, cy: 12, r: 1, fill: "currentColor" }],
  ],
  // a megaphone: an announcement
  announce: [
    ["path", { d: "M3 10v4h3l8 5V5L6 10zM17 9a4 4 0 0 1 0 6" }],
  ],
  // two arrows in a circle: start again for a new person
  reset: [
    ["path", { d: "M4 12a8 8 0 0 1 13.7-5.6L20 8.5M20 4v4.5h-4.5M20 12a8 8 0 0 1-13.7 5.6L4 15.5M4 20v-4.5h4.5" }],
  ],
  cross: [["path", { d: "M6 6l12 12M18 6L6 18" }]],
  // a room's screen
  screen: [
    ["rect", { x: 3, y: 4, width: 18, height: 12, rx: 1.5 }],
    ["path", { d: "M9 20h6M12 16v4" }],
  ],
  // a mast sending waves: the broadcast reaching a room
  broadcast: [
    ["circle", { cx: 12, cy: 10, r: 1.6, fill: "currentColor" }],
    ["path", { d: "M12 12v9M8.5 6.5a5 5 0 0 0 0 7M15.5 6.5a5 5 0 0 1 0 7M5.5 3.5a9 9 0 0 0 0 13M18.5 3.5a9 9 0 0 1 0 13" }],
  ],
  // a warning triangle: a reported problem
  warning: [
    ["path", { d: "M12 3.5L22 20.5H2z" }],
    ["path", { d: "M12 10v4.5" }],
    ["circle", { cx: 12, cy: 17.3, r: 0.6, fill: "currentColor" }],
  ],
  // an open door and an arrow going out: « Je pars »
  door: [
    ["path", { d: "M13 4H6.5A1.5 1.5 0 0 0 5 5.5v13A1.5 1.5 0 0 0 6.5 20H13" }],
    ["path", { d: "M10 12h10M16.5 8.5L20 12l-3.5 3.5" }],
  ],
  // a paper plane: send
  send: [["path", { d: "M21 3L10 14M21 3l-7 18-4-7-7-4z" }]],
  // a flag: the room is ready
  flag: [["path", { d: "M5 21V4M5 4h11l-2 4 2 4H5" }]],
  // a chevron pointing down (turned when open)
  chevron: [["path", { d: "M6 9l6 6 6-6" }]],
};

/** An inline SVG pictogram, decorative (the text beside it says the same). */
export function icon(name, size = 24) {
  return s(
    "svg",
    {
      viewBox: "0 0 24 24",
      width: size,
      height: size,
      fill: "none",
      stroke: "currentColor",
      "stroke-width": 1.8,
      "stroke-linecap": "round",
      "stroke-linejoin": "round",
      "aria-hidden": "true",
      focusable: "false",
      class: "icon",
    },
    (SHAPES[name] || SHAPES.other).map(([tag, attrs]) => s(tag, attrs)),
  );
}
