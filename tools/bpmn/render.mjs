#!/usr/bin/env node
// Draws a BPMN file the way bpmn.io (Camunda Modeler's canvas) draws it, as a PNG.
//
//   node render.mjs FILE.bpmn OUT.png [--chromium /usr/bin/chromium]
//
// bpmn-js's viewer imports the file in headless Chromium; the page is then captured. The
// import's warnings (elements without diagram interchange, unresolved references ...) are
// printed as JSON on stdout: {"file", "png", "warnings": [text], "error": text or null}.
// Exit status 0 when the file was drawn without warnings, 1 otherwise, 2 for wrong usage.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const viewer = join(here, 'node_modules', 'bpmn-js', 'dist', 'bpmn-viewer.production.min.js');

function extent(xml) {
  let right = 400;
  let bottom = 300;
  for (const m of xml.matchAll(/<(?:\w+:)?Bounds\b([^>]*)>/g)) {
    const get = (name) => Number((m[1].match(new RegExp(`\\b${name}="([-0-9.eE]+)"`)) || [])[1] || 0);
    right = Math.max(right, get('x') + get('width'));
    bottom = Math.max(bottom, get('y') + get('height'));
  }
  return { right, bottom };
}

function page(xml) {
  return `<!doctype html><html><head><meta charset="utf-8">
<style>html,body,#canvas{margin:0;padding:0;width:100%;height:100%;background:#fff}</style>
<script src="${pathToFileURL(viewer)}"></script></head><body><div id="canvas"></div>
<pre id="result" style="display:none"></pre>
<script>
const xml = ${JSON.stringify(xml)};
const out = document.getElementById('result');
const bpmnViewer = new BpmnJS({ container: '#canvas' });
bpmnViewer.importXML(xml).then((result) => {
  bpmnViewer.get('canvas').zoom('fit-viewport');
  out.textContent = JSON.stringify({ warnings: result.warnings.map((w) => w.message), error: null });
}).catch((err) => {
  out.textContent = JSON.stringify({ warnings: (err.warnings || []).map((w) => w.message), error: err.message });
});
</script></body></html>`;
}

function main(argv) {
  const args = argv.slice();
  let chromium = '/usr/bin/chromium';
  const at = args.indexOf('--chromium');
  if (at >= 0) {
    chromium = args[at + 1];
    args.splice(at, 2);
  }
  if (args.length !== 2) {
    process.stderr.write('usage: node render.mjs FILE.bpmn OUT.png [--chromium PATH]\n');
    return 2;
  }
  const [file, png] = args;
  const xml = readFileSync(file, 'utf8');
  const { right, bottom } = extent(xml);
  const scale = Math.min(1, 2400 / (right + 40));
  const width = Math.ceil((right + 40) * scale);
  const height = Math.ceil((bottom + 40) * scale);
  const work = mkdtempSync(join(tmpdir(), 'bpr-bpmn-'));
  try {
    const html = join(work, 'page.html');
    writeFileSync(html, page(xml));
    const common = [
      '--headless', '--no-sandbox', '--disable-gpu', '--hide-scrollbars',
      '--allow-file-access-from-files', '--virtual-time-budget=10000',
      `--window-size=${width},${height}`
    ];
    const dom = execFileSync(chromium, [...common, '--dump-dom', pathToFileURL(html).href], {
      encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore']
    });
    execFileSync(chromium, [...common, `--screenshot=${resolve(png)}`, pathToFileURL(html).href], {
      stdio: 'ignore'
    });
    const found = dom.match(/<pre id="result"[^>]*>([\s\S]*?)<\/pre>/);
    const text = found ? found[1].replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&') : '';
    const result = text ? JSON.parse(text) : { warnings: [], error: 'bpmn-js did not finish' };
    process.stdout.write(JSON.stringify({ file, png, ...result }, null, 2) + '\n');
    return result.error || result.warnings.length ? 1 : 0;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

process.exitCode = main(process.argv.slice(2));
