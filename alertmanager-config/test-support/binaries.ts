import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/**
 * Finds an executable on PATH. A missing tool skips the tests that need it with a message on a
 * developer's machine; under CI=true the project promises the tools exist, so it throws and
 * the suite fails instead of passing green on nothing.
 */
export function requireBinary(name: string): string | null {
  for (const dir of (process.env['PATH'] ?? '').split(delimiter)) {
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  const message = `${name} not found on PATH (Debian: apt-get install ${debianPackage(name)})`;
  if (process.env['CI'] === 'true') throw new Error(`${message}; required under CI=true`);
  console.warn(`skipping tests that need ${message}`);
  return null;
}

function debianPackage(name: string): string {
  if (name === 'promtool') return 'prometheus';
  if (name === 'amtool') return 'prometheus-alertmanager';
  return name;
}
