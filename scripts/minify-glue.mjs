// Minifies the start-up JS glue that wasm-bindgen writes (Trunk's `minify` leaves it as
// written): about 1.9 KB of the start-up download, gzipped. Trunk runs this as its post_build
// hook (Trunk.toml) on release builds only, in the staging folder, before it moves to dist;
// the page's subresource integrity for the rewritten file is computed again, or the browser
// would refuse it. terser is installed into .tools/ by scripts/setup.sh.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

if (process.env.TRUNK_PROFILE !== 'release') process.exit(0);
const dir = process.env.TRUNK_STAGING_DIR;
const { minify } = await import(new URL('../.tools/node_modules/terser/main.js', import.meta.url));
const page = join(dir, 'index.html');
let html = readFileSync(page, 'utf8');
for (const name of readdirSync(dir).filter((f) => /^backoff-lab-[0-9a-f]+\.js$/.test(f))) {
  const file = join(dir, name);
  const { code } = await minify(readFileSync(file, 'utf8'), { module: true, compress: true, mangle: true });
  writeFileSync(file, code);
  const sri = `sha384-${createHash('sha384').update(code).digest('base64')}`;
  // Every tag that names the file (its modulepreload link) carries the new hash.
  html = html.replace(/<link[^>]*>/g, (tag) => (tag.includes(name) ? tag.replace(/sha384-[A-Za-z0-9+/=]+/, sri) : tag));
}
writeFileSync(page, html);
