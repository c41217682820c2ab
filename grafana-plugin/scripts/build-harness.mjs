// Bundles tests/harness/main.tsx (the app plus React and @grafana/*) into one browser script.
import { build } from 'esbuild';
import { copyFile, mkdir } from 'node:fs/promises';
import path from 'node:path';

export async function buildHarness(outDir) {
  const root = path.resolve(import.meta.dirname, '..');
  await mkdir(outDir, { recursive: true });
  await build({
    entryPoints: [path.join(root, 'tests/harness/main.tsx')],
    outfile: path.join(outDir, 'harness.js'),
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    jsx: 'automatic',
    minify: true,
    logLevel: 'error',
    define: { 'process.env.NODE_ENV': '"production"', global: 'globalThis' },
    loader: {
      '.svg': 'dataurl',
      '.woff2': 'dataurl',
      '.woff': 'dataurl',
      '.ttf': 'dataurl',
      '.png': 'dataurl',
    },
  });
  await copyFile(path.join(root, 'tests/harness/index.html'), path.join(outDir, 'index.html'));
  return outDir;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const out = path.resolve(import.meta.dirname, '../../test-output/grafana-plugin/harness');
  const started = Date.now();
  await buildHarness(out);
  console.log(`harness bundled into ${out} in ${Date.now() - started} ms`);
}
