// Builds dist/ the way Grafana loads an app plugin: module.js is an AMD module (Grafana's SystemJS
// loader resolves the `define` dependencies to its own copies of @grafana/*, react, rxjs, ...).
// Vite/rollup are used because rollup emits AMD natively and both are already in the workspace
// (via vitest), so the build runs offline with no extra toolchain.
import { build } from 'vite';
import { cp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const dist = path.join(root, 'dist');
// Shared with Grafana at run time; bundling them would load a second React or a second runtime.
const EXTERNALS = [
  'react',
  'react-dom',
  'react/jsx-runtime',
  'rxjs',
  'rxjs/operators',
  '@emotion/css',
  '@emotion/react',
  'lodash',
  'moment',
  /^@grafana\/(data|ui|runtime|schema|i18n)(\/.*)?$/,
];

const started = Date.now();
await rm(dist, { recursive: true, force: true });
await build({
  root,
  configFile: false,
  logLevel: 'warn',
  esbuild: { jsx: 'automatic' },
  define: { 'process.env.NODE_ENV': '"production"' },
  build: {
    outDir: dist,
    emptyOutDir: false,
    minify: true,
    sourcemap: true,
    target: 'es2022',
    lib: { entry: path.join(root, 'src/module.tsx'), formats: ['amd'], fileName: () => 'module.js' },
    rollupOptions: { external: EXTERNALS, output: { amd: { id: undefined } } },
  },
});

const pkg = JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8'));
const pluginJson = (await readFile(path.join(root, 'src/plugin.json'), 'utf8'))
  .replaceAll('%VERSION%', pkg.version)
  // A fixed date keeps the build reproducible; it is the package version's date, not the build's.
  .replaceAll('%TODAY%', pkg.releaseDate ?? '2026-11-24');
await writeFile(path.join(dist, 'plugin.json'), pluginJson);
await mkdir(path.join(dist, 'img'), { recursive: true });
await cp(path.join(root, 'src/img'), path.join(dist, 'img'), { recursive: true });
// Only the dashboards themselves: their tests stay in the source tree.
await cp(path.join(root, 'src/dashboards'), path.join(dist, 'dashboards'), {
  recursive: true,
  filter: (src) => !src.endsWith('.test.ts'),
});
await cp(path.join(root, 'README.md'), path.join(dist, 'README.md'));
const size = (await readFile(path.join(dist, 'module.js'))).length;
console.log(
  `grafana-plugin: dist/ built in ${Date.now() - started} ms (module.js ${(size / 1024).toFixed(1)} KiB)`,
);
