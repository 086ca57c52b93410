// Minifies the start-up JS glue that wasm-bindgen writes (Trunk's `minify` leaves it as
// written): about 1.9 KB of the start-up download, gzipped; and shortens the names the wasm
// imports from it (`shorten-imports.mjs`): about 5 KB more, then optimises that wasm once more. Trunk runs this as its post_build
// hook (Trunk.toml) on release builds only, in the staging folder, before it moves to dist;
// the page's subresource integrity for each rewritten file is computed again, or the browser
// would refuse it. terser is installed into .tools/ by scripts/setup.sh.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { shortenImports } from './shorten-imports.mjs';

if (process.env.TRUNK_PROFILE !== 'release') process.exit(0);
const dir = process.env.TRUNK_STAGING_DIR;
const { minify } = await import(new URL('../.tools/node_modules/terser/main.js', import.meta.url));
const wasmOpt = new URL('../.tools/node_modules/.bin/wasm-opt', import.meta.url).pathname;
const page = join(dir, 'index.html');
let html = readFileSync(page, 'utf8');
// Every tag that names a rewritten file (its preload link) carries the file's new hash.
const rehash = (name, bytes) => {
  const sri = `sha384-${createHash('sha384').update(bytes).digest('base64')}`;
  html = html.replace(/<link[^>]*>/g, (tag) => (tag.includes(name) ? tag.replace(/sha384-[A-Za-z0-9+/=]+/, sri) : tag));
};
for (const name of readdirSync(dir).filter((f) => /^backoff-lab-[0-9a-f]+\.js$/.test(f))) {
  const file = join(dir, name);
  const wasmName = name.replace(/\.js$/, '_bg.wasm');
  const short = shortenImports(readFileSync(join(dir, wasmName)), readFileSync(file, 'utf8'));
  writeFileSync(join(dir, wasmName), short.wasm);
  // binaryen's -Oz once more on the result: its passes are not idempotent, and a second round
  // finds about 250 bytes more (gzipped). The features are those Rust's wasm32 target emits.
  // The producers and target-features sections (the toolchain's names, for linkers, unused by
  // a browser) go too: about 200 bytes more.
  const features = ['bulk-memory', 'nontrapping-float-to-int', 'sign-ext', 'mutable-globals', 'reference-types', 'multivalue'].map((f) => `--enable-${f}`);
  execFileSync(wasmOpt, ['-Oz', '--strip-producers', '--strip-target-features', ...features, join(dir, wasmName), '-o', join(dir, wasmName)], { stdio: 'inherit' });
  rehash(wasmName, readFileSync(join(dir, wasmName)));
  const { code } = await minify(short.js, { module: true, compress: true, mangle: true });
  writeFileSync(file, code);
  rehash(name, code);
}
writeFileSync(page, html);
