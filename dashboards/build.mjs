// Builds the four pages into dist/: hashed, minified ES modules and CSS under dist/assets/,
// one HTML file per page pointing at them, and a .gz beside every text file so that the
// controller serves compressed bytes without compressing on each request (weak 3G rooms).
// Prints what each page transfers (gzip), the figure docs/dashboards.md quotes.
import { build } from "esbuild";
import { mkdir, readFile, rm, writeFile, readdir } from "node:fs/promises";
import { gzipSync } from "node:zlib";
import path from "node:path";

const root = path.dirname(new URL(import.meta.url).pathname);
const dist = path.join(root, "dist");
const PAGES = ["console", "room", "screen", "join"];

await rm(dist, { recursive: true, force: true });
const result = await build({
  absWorkingDir: root,
  entryPoints: Object.fromEntries(PAGES.map((page) => [page, `${page}/main.js`])),
  outdir: path.join(dist, "assets"),
  entryNames: "[name]-[hash]",
  chunkNames: "chunk-[hash]",
  assetNames: "[name]-[hash]",
  bundle: true,
  splitting: true,
  format: "esm",
  minify: true,
  sourcemap: false,
  target: ["chrome100", "firefox100", "safari15"],
  metafile: true,
  logLevel: "warning",
});

const outputs = result.metafile.outputs;
const assetPath = (file) => "/assets/" + path.basename(file);

// Static imports only: what the browser fetches before the page works. Dynamic imports
// (the other language) are fetched on demand.
function closure(file, seen = new Set()) {
  if (seen.has(file)) return seen;
  seen.add(file);
  for (const dependency of outputs[file].imports) {
    if (dependency.kind === "import-statement") closure(dependency.path, seen);
  }
  return seen;
}

const gzipped = (bytes) => gzipSync(bytes, { level: 9 }).length;
const sizes = {};
for (const page of PAGES) {
  const [entry, meta] = Object.entries(outputs).find(([, out]) => out.entryPoint === `${page}/main.js`);
  const files = [...closure(entry)];
  const preloads = files.filter((file) => file !== entry);
  const css = meta.cssBundle;
  const template = await readFile(path.join(root, page, "index.html"), "utf8");
  const tags = [
    css ? `<link rel="stylesheet" href="${assetPath(css)}">` : "",
    ...preloads.map((file) => `<link rel="modulepreload" href="${assetPath(file)}">`),
    `<script type="module" src="${assetPath(entry)}"></script>`,
  ].filter(Boolean).join("\n    ");
  const html = template.replace("<!-- assets -->", tags);
  await writeFile(path.join(dist, `${page}.html`), html);
  const bytes = [Buffer.from(html), ...(await Promise.all([...files, ...(css ? [css] : [])].map((f) => readFile(path.join(root, f)))))];
  sizes[page] = {
    files: bytes.length,
    raw: bytes.reduce((sum, b) => sum + b.length, 0),
    gzip: bytes.reduce((sum, b) => sum + gzipped(b), 0),
  };
}

async function gzipTree(folder) {
  for (const entry of await readdir(folder, { withFileTypes: true })) {
    const file = path.join(folder, entry.name);
    if (entry.isDirectory()) await gzipTree(file);
    else if (/\.(html|js|css|txt|svg)$/.test(entry.name)) {
      await writeFile(file + ".gz", gzipSync(await readFile(file), { level: 9 }));
    }
  }
}
await gzipTree(dist);
await writeFile(path.join(dist, "sizes.json"), JSON.stringify(sizes, null, 2) + "\n");

const kb = (n) => (n / 1024).toFixed(1).padStart(6) + " KiB";
console.log("page      files  raw          gzip (HTML + CSS + JS loaded at start)");
for (const [page, size] of Object.entries(sizes)) {
  console.log(`${page.padEnd(9)} ${String(size.files).padStart(5)}  ${kb(size.raw)}  ${kb(size.gzip)}`);
}
