// JavaScript a page loads before anyone touches it: the module scripts its HTML references and
// everything they import statically, each file counted once, gzipped at level 9. Dynamic
// import() targets (the search engine) load on interaction and are left out.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, posix } from 'node:path';
import { gzipSync } from 'node:zlib';

export interface FirstLoadJs {
  files: { path: string; bytes: number; gzipBytes: number }[];
  bytes: number;
  gzipBytes: number;
}

const SCRIPT_SRC = /<script\b[^>]*\bsrc="([^"]+)"[^>]*>/g;
const INLINE_SCRIPT = /<script\b(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/g;
// Static imports in minified ES modules: `import"./x.js"`, `import{a}from"./x.js"`, `export*from"./x.js"`.
const STATIC_IMPORT = /(?:\bimport|\bexport)\s*(?:[\w*${}\s,]*?\s*from\s*)?["']([^"']+\.js)["']/g;

function gzipSize(text: string | Buffer): number {
  return gzipSync(text, { level: 9 }).length;
}

/** Measures one built page; `pagePath` is relative to `distDir` (e.g. "index.html"). */
export function firstLoadJs(distDir: string, pagePath: string): FirstLoadJs {
  const html = readFileSync(join(distDir, pagePath), 'utf8');
  const files: FirstLoadJs['files'] = [];
  const seen = new Set<string>();
  const visit = (urlPath: string) => {
    if (seen.has(urlPath)) return;
    seen.add(urlPath);
    const file = join(distDir, urlPath);
    if (!existsSync(file))
      throw new Error(`${pagePath} loads ${urlPath}, which is not in ${distDir}`);
    const source = readFileSync(file);
    files.push({ path: urlPath, bytes: source.length, gzipBytes: gzipSize(source) });
    for (const match of source.toString('utf8').matchAll(STATIC_IMPORT)) {
      const target = match[1];
      if (/^https?:/.test(target)) continue;
      visit(target.startsWith('/') ? target : posix.join(dirname(urlPath), target));
    }
  };
  for (const match of html.matchAll(SCRIPT_SRC)) visit(match[1]);
  for (const match of html.matchAll(INLINE_SCRIPT)) {
    if (match[1].trim() === '') continue;
    files.push({
      path: `(inline in ${pagePath})`,
      bytes: Buffer.byteLength(match[1]),
      gzipBytes: gzipSize(match[1]),
    });
  }
  return {
    files,
    bytes: files.reduce((sum, file) => sum + file.bytes, 0),
    gzipBytes: files.reduce((sum, file) => sum + file.gzipBytes, 0),
  };
}
