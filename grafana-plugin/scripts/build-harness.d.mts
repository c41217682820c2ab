/** Bundles the browser harness into `outDir` (index.html, harness.js, harness.css); resolves to `outDir`. */
export function buildHarness(outDir: string): Promise<string>;
