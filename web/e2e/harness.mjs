// The browser tests' stack: a fresh Postgres database and MongoDB database, an admin
// user, `leadflow serve` on a free port serving the built dashboard (web/dist), and a
// second origin serving the widget's demo page (as a business's own site would), which
// the server allows through CORS_ALLOWED_ORIGINS. Each run isolates its data by name.
import { spawn, execFileSync } from 'node:child_process';
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { once } from 'node:events';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const webDir = path.resolve(here, '..');
const repo = path.resolve(webDir, '..');

export const chromiumPath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
// Without the background-networking flags Chromium keeps dialling Google on a closed network.
export const chromiumArgs = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

async function freePort() {
  const srv = net.createServer();
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const { port } = srv.address();
  srv.close();
  await once(srv, 'close');
  return port;
}

function need(name) {
  const v = process.env[name];
  if (!v) throw new Error(`${name} must be set (scripts/test.sh sets it)`);
  return v;
}

async function waitHealthy(base, child, log) {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`leadflow serve exited (${child.exitCode}):\n${log.join('')}`);
    try {
      const r = await fetch(`${base}/api/health`);
      if (r.ok) return;
    } catch { /* not listening yet */ }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`leadflow serve did not become healthy:\n${log.join('')}`);
}

/// A static server for the widget's demo page on its own origin; `/widget.js` comes from
/// the build, and the page's `data-leadflow-url` is pointed at the API under test.
async function startDemoSite(apiBase) {
  const port = await freePort();
  const server = createServer(async (req, res) => {
    try {
      const url = new URL(req.url, 'http://x');
      if (url.pathname === '/' || url.pathname === '/demo.html') {
        const html = (await readFile(path.join(webDir, 'widget/demo.html'), 'utf8'))
          .replaceAll('https://leads.example.com', apiBase);
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        res.end(html);
      } else if (url.pathname === '/widget.js') {
        res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' });
        res.end(await readFile(path.join(webDir, 'dist/widget.js')));
      } else {
        res.writeHead(404).end();
      }
    } catch (e) {
      res.writeHead(500).end(String(e));
    }
  });
  server.listen(port, '127.0.0.1');
  await once(server, 'listening');
  return { origin: `http://127.0.0.1:${port}`, close: () => new Promise((r) => server.close(r)) };
}

/// Starts everything; `stop()` ends the server and drops the databases.
export async function startStack() {
  const bin = process.env.LEADFLOW_BIN || path.join(repo, 'target/debug/leadflow');
  const base = need('DATABASE_URL');
  const mongo = need('MONGODB_URI');
  const name = `leadflow_e2e_${process.pid}_${Date.now()}`;
  execFileSync('psql', [base, '-qc', `CREATE DATABASE ${name}`]);
  const dbUrl = base.replace(/\/[^/?]*(\?|$)/, `/${name}$1`);
  const port = await freePort();
  const api = `http://127.0.0.1:${port}`;
  const demo = await startDemoSite(api);
  const admin = { email: 'admin@e2e.example.com', password: 'correct horse battery staple' };
  const env = {
    ...process.env,
    DATABASE_URL: dbUrl,
    MONGODB_URI: mongo,
    MONGODB_DATABASE: name,
    LEADFLOW_API_KEYS: 'e2e-key-0123456789abcdef0123',
    CORS_ALLOWED_ORIGINS: demo.origin,
    WEB_DIST_DIR: path.join(webDir, 'dist'),
    SCHEDULE_INTERVAL_SECS: '2',
    RATE_LIMIT_PER_MINUTE: '100000',
    RUST_LOG: process.env.RUST_LOG || 'warn',
  };
  for (const k of ['OPENAI_API_KEY', 'TWILIO_ACCOUNT_SID', 'SENDGRID_API_KEY', 'SLACK_WEBHOOK_URL', 'JOBS_QUEUE_URL']) delete env[k];
  execFileSync(bin, ['migrate'], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  execFileSync(bin, ['users', 'create', '--email', admin.email, '--name', 'Ada Admin', '--role', 'admin'], {
    env: { ...env, LEADFLOW_PASSWORD: admin.password }, stdio: ['ignore', 'ignore', 'inherit'],
  });
  const log = [];
  const child = spawn(bin, ['serve', '--addr', `127.0.0.1:${port}`], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.on('data', (d) => log.push(String(d)));
  child.stderr.on('data', (d) => log.push(String(d)));
  await waitHealthy(api, child, log);
  return {
    api, demo: demo.origin, admin, apiKey: env.LEADFLOW_API_KEYS, log,
    async stop() {
      child.kill('SIGTERM');
      if (child.exitCode === null) await once(child, 'exit');
      await demo.close();
      try { execFileSync('psql', [base, '-qc', `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`]); } catch { /* best effort */ }
    },
  };
}
