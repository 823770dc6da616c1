// Builds the client's browser bundle, the demo page and the cluster page into dist/public
// (served by the gateway at /, /cluster and /assets/*), and prints the bundle's size,
// minified and gzipped.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.join(root, 'dist/public');
mkdirSync(out, { recursive: true });

const common = { bundle: true, format: 'esm', minify: true, target: 'es2020', platform: 'browser', legalComments: 'none', logLevel: 'warning' };
await build({ ...common, entryPoints: [path.join(root, 'src/client/index.ts')], outfile: path.join(out, 'sse-client.js') });
await build({ ...common, entryPoints: [path.join(root, 'src/client/shared-worker.ts')], outfile: path.join(out, 'shared-worker.js') });

for (const page of ['src/gateway/demo/public', 'src/gateway/cluster/public']) {
  const dir = path.join(root, page);
  for (const file of readdirSync(dir)) copyFileSync(path.join(dir, file), path.join(out, file));
}

for (const file of ['sse-client.js', 'shared-worker.js']) {
  const bytes = readFileSync(path.join(out, file));
  console.log(`dist/public/${file}: ${(bytes.length / 1024).toFixed(1)} KiB minified, ${(gzipSync(bytes, { level: 9 }).length / 1024).toFixed(1)} KiB gzipped`);
}
