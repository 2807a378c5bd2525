/**
 * npm run bundle-size: each browser entry bundled and minified with esbuild, then gzipped.
 * platform 'neutral' means a Node built-in import would fail the build.
 */
import { build } from 'esbuild';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';

const entries = [
  { name: '@cepheus/core', file: '../packages/core/src/index.ts' },
  { name: '@cepheus/core/reference (the shared-buffer NFA, with what it needs of the main entry)', file: '../packages/core/src/reference/index.ts' },
  { name: '@cepheus/rules/runtime (rules as JSON, no parser)', file: '../packages/rules/src/runtime.ts' },
  { name: '@cepheus/rules (with the parser)', file: '../packages/rules/src/index.ts' },
];
for (const { name, file } of entries) {
  const result = await build({
    entryPoints: [fileURLToPath(new URL(file, import.meta.url))],
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    write: false,
    alias: { '@cepheus/core': fileURLToPath(new URL('../packages/core/src/index.ts', import.meta.url)) },
  });
  const code = result.outputFiles[0].contents;
  const gz = gzipSync(code, { level: 9 }).length;
  console.log(`${name}: ${code.length} bytes minified, ${gz} bytes minified+gzipped (${(gz / 1024).toFixed(1)} KiB)`);
  console.log('BUNDLE ' + JSON.stringify({ package: name, minified_bytes: code.length, gzip_bytes: gz }));
}
