// `npm run gen`: the typed API client's types come from the server itself.
// 1. `leadflow openapi` prints the OpenAPI document (no database needed) -> openapi.json
// 2. openapi-typescript turns it into src/api/schema.d.ts
// Both files are build outputs (gitignored). LEADFLOW_BIN overrides the binary's path.
import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const web = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = process.env.LEADFLOW_BIN || path.resolve(web, '../target/debug/leadflow');
if (!existsSync(bin)) {
  console.error(`gen: ${bin} not found; build it (cargo build -p leadflow-local) or set LEADFLOW_BIN`);
  process.exit(1);
}
const doc = execFileSync(bin, ['openapi'], { maxBuffer: 64 * 1024 * 1024, stdio: ['ignore', 'pipe', 'inherit'] });
JSON.parse(doc.toString('utf8')); // fail here, not in openapi-typescript, on a broken document
writeFileSync(path.join(web, 'openapi.json'), doc);
execFileSync(path.join(web, 'node_modules/.bin/openapi-typescript'), ['openapi.json', '-o', 'src/api/schema.d.ts'], {
  cwd: web,
  stdio: 'inherit',
});
