import { defineConfig } from 'vitest/config';

export default defineConfig({
  esbuild: { jsx: 'automatic' },
  test: {
    name: 'grafana-plugin',
    root: import.meta.dirname,
    // Components and pages run in jsdom; the browser tests pick node per file.
    environment: 'jsdom',
    include: ['src/**/*.test.{ts,tsx}', 'tests/**/*.test.{ts,tsx}'],
    setupFiles: ['tests/setup.ts'],
    // @grafana packages ship ESM that imports CSS and untranspiled deps; let vite process them.
    server: { deps: { inline: [/@grafana\//] } },
    testTimeout: 30_000,
    hookTimeout: 180_000,
  },
});
