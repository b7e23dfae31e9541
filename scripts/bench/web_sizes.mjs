// Prints the gzipped sizes scripts/bench.sh reports for web/dist, as markdown rows:
// the dashboard's initial JavaScript (the entry module and everything index.html
// preloads; lazily loaded pages excluded and listed apart), its CSS, and widget.js.
// gzip at level 9, as CloudFront and most CDNs compress at least this well.
import { readFileSync, readdirSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import path from 'node:path';

const dist = process.argv[2] || 'web/dist';
const html = readFileSync(path.join(dist, 'index.html'), 'utf8');
const gz = (file) => gzipSync(readFileSync(path.join(dist, file)), { level: 9 }).length;
const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;
const refs = (re) => [...html.matchAll(re)].map((m) => m[1].replace(/^\//, ''));

const initialJs = [...new Set([
  ...refs(/<script[^>]+type="module"[^>]+src="([^"]+)"/g),
  ...refs(/<link[^>]+rel="modulepreload"[^>]+href="([^"]+)"/g),
])];
const css = refs(/<link[^>]+rel="stylesheet"[^>]+href="([^"]+)"/g);
if (initialJs.length === 0) throw new Error(`no module script in ${dist}/index.html`);
const lazy = readdirSync(path.join(dist, 'assets'))
  .filter((f) => f.endsWith('.js') && !initialJs.includes(`assets/${f}`));

const sum = (files) => files.reduce((n, f) => n + gz(f), 0);
const lazyMax = lazy.reduce((m, f) => Math.max(m, gz(`assets/${f}`)), 0);
console.log(`| dashboard initial JS (${initialJs.length} files) | ${kb(sum(initialJs))} | ≤ 250 KB |`);
console.log(`| dashboard CSS | ${kb(sum(css))} | |`);
console.log(`| dashboard lazy page chunks (${lazy.length}; largest) | ${kb(lazyMax)} | loaded on first visit to a page |`);
console.log(`| widget.js | ${kb(gz('widget.js'))} | ≤ 20 KB |`);
