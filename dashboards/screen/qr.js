// The join URL as a QR code, drawn as one SVG path (crisp at any projector size).
import qrcode from "qrcode-generator";
import { s } from "../shared/dom.js";

const QUIET = 4; // modules of white border the standard asks for

export function qrSvg(text, label) {
  const code = qrcode(0, "M");
  code.addData(text);
  code.make();
  const count = code.getModuleCount();
  let d = "";
  for (let row = 0; row < count; row += 1) {
    for (let col = 0; col < count; col += 1) {
      if (code.isDark(row, col)) d += `M${col + QUIET},${row + QUIET}h1v1h-1z`;
    }
  }
  const size = count + 2 * QUIET;
  return s(
    "svg",
    { viewBox: `0 0 ${size} ${size}`, role: "img", "aria-label": label, class: "qr", "shape-rendering": "crispEdges" },
    s("rect", { width: size, height: size, fill: "#fff" }),
    s("path", { d, fill: "#000" }),
  );
}
