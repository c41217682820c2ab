import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LEXICON_ERROR, LEXICON_FATAL, LEXICON_WARN, lexiconBand } from './severity-lexicon';

const DATA = join(__dirname, '../../../../../shared/datasets/loghub_2k');

describe('lexiconBand', () => {
  it('reads fatal, error and warn words in any case', () => {
    expect(lexiconBand('Kernel panic - not syncing')).toBe(LEXICON_FATAL);
    expect(lexiconBand('mlx4: Catastrophic error detected on adapter <*>')).toBe(LEXICON_FATAL);
    expect(lexiconBand('Out of memory: Killed process <*> (java)')).toBe(LEXICON_FATAL);
    expect(lexiconBand('FATAL rts panic! - stopping execution')).toBe(LEXICON_FATAL);
    expect(lexiconBand('Failed password for root from <*> port <*> ssh2')).toBe(LEXICON_ERROR);
    expect(lexiconBand('java.io.IOException: Connection refused')).toBe(LEXICON_ERROR);
    expect(lexiconBand('permission denied for user <*>')).toBe(LEXICON_ERROR);
    expect(lexiconBand('EXT4-fs warning: disk is full')).toBe(LEXICON_ERROR);
    expect(lexiconBand('Warning: we failed to resolve data source name <*>')).toBe(LEXICON_ERROR);
    expect(lexiconBand('deprecated option <*>, retrying')).toBe(LEXICON_WARN);
  });

  it('does not read routine lines or reported absence as errors', () => {
    expect(lexiconBand('GET /api/orders 200 <*> ms')).toBe(0);
    expect(lexiconBand('session opened for user root by (uid=0)')).toBe(0);
    expect(lexiconBand('backup finished: 0 errors, <*> files')).toBe(0);
    expect(lexiconBand('sync completed with no errors')).toBe(0);
    expect(lexiconBand('errors=0 warnings=0')).toBe(0);
    expect(lexiconBand('terror of the seas')).toBe(0); // words, not substrings
    // A handled error is worth a look, not a page.
    expect(lexiconBand('instruction cache parity error corrected')).toBe(LEXICON_WARN);
  });

  // Real lines: BGL carries a level in its header, so it grades the lexicon; Thunderbird has none.
  const bgl = join(DATA, 'BGL/BGL_2k.log');
  it.skipIf(!existsSync(bgl))('agrees with the header level on real BGL lines', () => {
    let fatalHeader = 0;
    let fatalRead = 0;
    let infoHeader = 0;
    let infoReadFatal = 0;
    for (const line of readFileSync(bgl, 'utf8').split(/\r?\n/)) {
      const m = /^\S+ \S+ \S+ \S+ \S+ \S+ \S+ \S+ (INFO|FATAL|ERROR|WARNING|SEVERE|FAILURE) (.*)$/.exec(line);
      if (!m) continue;
      const band = lexiconBand(m[2]!);
      if (m[1] === 'FATAL') {
        fatalHeader++;
        if (band >= LEXICON_ERROR) fatalRead++;
      } else if (m[1] === 'INFO') {
        infoHeader++;
        if (band === LEXICON_FATAL) infoReadFatal++;
      }
    }
    expect(fatalHeader).toBeGreaterThan(300);
    // Most FATAL messages say so in words; the rest are register dumps after a machine check
    // ("data address: 0x...") that say nothing (measured: 59 %).
    expect(fatalRead / fatalHeader).toBeGreaterThan(0.5);
    expect(infoReadFatal / infoHeader).toBeLessThan(0.01);
  });

  const tbird = join(DATA, 'Thunderbird/Thunderbird_2k.log');
  it.skipIf(!existsSync(tbird))('reads few routine Thunderbird lines as errors', () => {
    const lines = readFileSync(tbird, 'utf8').split(/\r?\n/).filter(Boolean);
    const bands = lines.map((l) => lexiconBand(l.split(/\s+/).slice(7).join(' ')));
    const severe = bands.filter((b) => b >= LEXICON_ERROR).length;
    const fatal = bands.filter((b) => b === LEXICON_FATAL).length;
    // The sample holds no alert lines: what reads as error must stay a small minority.
    expect(severe / lines.length).toBeLessThan(0.05);
    expect(fatal).toBe(0);
  });
});
