import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { rulesFile } from './repo-paths';

export interface Rule {
  alert?: string;
  record?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
export interface RuleFile {
  groups: { name: string; interval?: string; rules: Rule[] }[];
}

export function readRules(file = rulesFile): RuleFile {
  return parse(readFileSync(file, 'utf8')) as RuleFile;
}

export const allRules = (f: RuleFile): Rule[] => f.groups.flatMap((g) => g.rules);
