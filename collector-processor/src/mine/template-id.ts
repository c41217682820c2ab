import { createHash } from 'node:crypto';

/**
 * A template's id is a hash of its text alone, so every replica and every restart gives the same
 * template the same id without coordination.
 */
export function templateId(template: string): string {
  return createHash('sha256').update(template).digest('hex').slice(0, 16);
}
