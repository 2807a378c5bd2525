/** npm run bundle-size: packages/core bundled and minified with esbuild, then gzipped; prints bytes. */
import { build } from 'esbuild';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';

const entry = fileURLToPath(new URL('../packages/core/src/index.ts', import.meta.url));
const result = await build({ entryPoints: [entry], bundle: true, minify: true, format: 'esm', platform: 'neutral', target: 'es2022', write: false });
const code = result.outputFiles[0].contents;
const gz = gzipSync(code, { level: 9 }).length;
console.log(`packages/core: ${code.length} bytes minified, ${gz} bytes minified+gzipped (${(gz / 1024).toFixed(1)} KiB)`);
console.log('BUNDLE ' + JSON.stringify({ package: '@cepheus/core', minified_bytes: code.length, gzip_bytes: gz }));
