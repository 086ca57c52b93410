// Shortens the start-up wasm's import names (module "./backoff-lab_bg.js", fields such as
// "__wbg_getElementById_7ee213db584f37b0") to "a" and "$0", "$1", …, in the wasm and in its JS
// glue alike. The hex suffixes barely compress: about 3 KB of the start-up download, gzipped.
export function shortenImports(wasm, js) {
  const u = (bytes, at) => { // unsigned LEB128: [value, next offset]
    let v = 0, shift = 0, b;
    do { b = bytes[at++]; v += (b & 0x7f) * 2 ** shift; shift += 7; } while (b & 0x80);
    return [v, at];
  };
  const leb = (v) => { const out = []; do { let b = v & 0x7f; v = Math.floor(v / 128); if (v) b |= 0x80; out.push(b); } while (v); return out; };
  const name = (s) => { const b = Buffer.from(s, 'utf8'); return [...leb(b.length), ...b]; };
  let at = 8;
  while (at < wasm.length) {
    const id = wasm[at];
    const [size, body] = u(wasm, at + 1);
    if (id !== 2) { at = body + size; continue; }
    const end = body + size;
    let [count, p] = u(wasm, body);
    const map = new Map();
    let module = null;
    const out = [...leb(count)];
    for (let i = 0; i < count; i++) {
      let [ml, q] = u(wasm, p); const mod = wasm.subarray(q, q + ml).toString('utf8'); q += ml;
      let [fl, r] = u(wasm, q); const field = wasm.subarray(r, r + fl).toString('utf8'); r += fl;
      // The import's kind and description, copied as they are.
      const kind = wasm[r]; let s = r + 1;
      if (kind === 0) s = u(wasm, s)[1];
      else if (kind === 1) { s += 1; const f = wasm[s]; s = u(wasm, s + 1)[1]; if (f & 1) s = u(wasm, s)[1]; }
      else if (kind === 2) { const f = wasm[s]; s = u(wasm, s + 1)[1]; if (f & 1) s = u(wasm, s)[1]; }
      else if (kind === 3) s += 2;
      else if (kind === 4) s = u(wasm, s + 1)[1];
      else throw new Error(`import kind ${kind} not known`);
      if (module === null) module = mod;
      if (mod !== module) throw new Error(`imports from two modules (${module}, ${mod})`);
      const short = map.get(field) ?? `$${map.size.toString(36)}`;
      map.set(field, short);
      out.push(...name('a'), ...name(short), ...wasm.subarray(r, s));
      p = s;
    }
    if (p !== end) throw new Error('import section not read to its end');
    const section = Buffer.from([2, ...leb(out.length), ...out]);
    const newWasm = Buffer.concat([wasm.subarray(0, at), section, wasm.subarray(end)]);
    const quoted = JSON.stringify(module);
    if (js.split(quoted).length !== 2) throw new Error(`the glue names ${quoted} other than once`);
    let newJs = js.replace(quoted, '"a"');
    // Whole names only, each exactly once (as its key in the glue's imports object): a name
    // missing, or used elsewhere too, stops the build rather than break the page.
    const seen = new Map();
    newJs = newJs.replace(/[A-Za-z0-9_$]+/g, (t) => {
      const short = map.get(t);
      if (short === undefined) return t;
      seen.set(t, (seen.get(t) ?? 0) + 1);
      return short;
    });
    for (const f of map.keys()) if (seen.get(f) !== 1) throw new Error(`the glue names ${f} ${seen.get(f) ?? 0} times, not once`);
    return { wasm: newWasm, js: newJs, count: map.size };
  }
  throw new Error('no import section');
}
