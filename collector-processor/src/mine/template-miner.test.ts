import { describe, it, expect } from 'vitest';
import { LineCacheBudget, TemplateMiner, type MinerSnapshot } from './template-miner';
import { templateId } from './template-id';

const LINES = [
  'PacketResponder 1 for block blk_38865049064139660 terminating',
  'PacketResponder 0 for block blk_-6952295868487656571 terminating',
  'Received block blk_3587508140051953248 of size 67108864 from /10.251.42.84',
  'Received block blk_5026346766316398066 of size 67108864 from /10.250.19.102',
  'Verification succeeded for blk_-4980916519894289629',
  'session opened for user root by (uid=0)',
  'session opened for user news by (uid=0)',
];

describe('TemplateMiner', () => {
  it('groups lines of one kind and masks their values', () => {
    const m = new TemplateMiner();
    const c = LINES.map((l) => m.add(l));
    expect(c[0]).toBe(c[1]);
    expect(c[2]).toBe(c[3]);
    expect(c[0]).not.toBe(c[2]);
    expect(c[0]!.template).toBe('PacketResponder <*> for block <*> terminating');
    expect(c[2]!.template).toBe('Received block <*> of size <*> from <*>');
    expect(m.templates().map((t) => t.count)).toEqual([2, 2, 1, 1, 1]);
  });

  it('makes a word a variable once it took three values, keeps two values apart', () => {
    const m = new TemplateMiner();
    const root = m.add('session opened for user root by (uid=0)');
    const news = m.add('session opened for user news by (uid=0)');
    expect(root).not.toBe(news);
    const cyrus = m.add('session opened for user cyrus by (uid=0)');
    expect(cyrus.template).toBe('session opened for user <*> by (uid=<*>)');
    expect(root.resolved).toBe(cyrus);
    expect(news.resolved).toBe(cyrus);
    expect(cyrus.count).toBe(3);
    expect(m.add('session opened for user games by (uid=0)')).toBe(cyrus);
    expect(m.templateCount).toBe(1);
    const a = m.add('initialized by client WindowsUpdateAgent.');
    const b = m.add('initialized by client SPP.');
    expect(a).not.toBe(b);
  });

  it('folds an early word-valued cluster into the template once its position varies', () => {
    const m = new TemplateMiner();
    const early = m.add('Invalid user webmaster from 173.234.31.186');
    const general = m.add('Invalid user test9 from 52.80.34.196');
    expect(general).not.toBe(early);
    // A third user name, a word again, goes to the general template: the early one joins it.
    expect(m.add('Invalid user sandeep from 88.147.143.242')).toBe(general);
    expect(early.resolved).toBe(general);
    expect(general.count).toBe(3);
    // Two words seen with a value elsewhere are not enough to fold: HTTPS stays apart from SOCKS5.
    const https = m.add('open through proxy proxy.example.org:5070 HTTPS');
    expect(m.add('open through proxy socks.example.org:1080 SOCKS5')).not.toBe(https);
  });

  it('lets a key=<*> position take word values too', () => {
    const m = new TemplateMiner();
    const a = m.add('authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=218.188.2.4');
    expect(
      m.add('authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=massive.example.org'),
    ).toBe(a);
    expect(a.template).toBe('authentication failure; logname= uid=<*> euid=<*> tty=ssh ruser= <*>');
  });

  it('keeps lines apart that share only a few words', () => {
    const m = new TemplateMiner();
    expect(m.add('cupsd shutdown succeeded')).not.toBe(m.add('cupsd startup succeeded'));
    expect(m.add('Connection closed by peer')).not.toBe(m.add('Connection reset by peer now'));
  });

  it('ids are a hash of the template text: equal across miners, changed by generalisation', () => {
    const a = new TemplateMiner();
    const b = new TemplateMiner();
    const ca = a.add('Verification succeeded for blk_1');
    b.add('something else entirely 5');
    const cb = b.add('Verification succeeded for blk_2');
    expect(ca.id).toBe(cb.id);
    expect(ca.id).toBe(templateId('Verification succeeded for <*>'));
    expect(ca.id).toMatch(/^[0-9a-f]{16}$/);
    const before = a.add('user alice logged in from the console').id;
    a.add('user bob logged in from the console');
    const after = a.add('user carol logged in from the console');
    expect(after.id).not.toBe(before);
    expect(after.id).toBe(templateId('user <*> logged in from the console'));
  });

  it('match is read-only and returns null for unseen kinds of lines', () => {
    const m = new TemplateMiner();
    for (const l of LINES) m.add(l);
    const before = JSON.stringify(m.snapshot());
    expect(m.match('PacketResponder 2 for block blk_5 terminating')!.template).toBe(
      'PacketResponder <*> for block <*> terminating',
    );
    expect(m.match('Disk quota exceeded on volume 3')).toBeNull();
    expect(m.match('')).toBeNull();
    expect(JSON.stringify(m.snapshot())).toBe(before);
  });

  it('extracts the values at wildcard positions', () => {
    const m = new TemplateMiner();
    m.add('Received block blk_1 of size 5 from /10.0.0.1');
    const c = m.add('Received block blk_2 of size 6 from /10.0.0.2');
    expect(m.params('Received block blk_2 of size 6 from /10.0.0.2', c)).toEqual(['blk_2', '6', '/10.0.0.2']);
    const k = m.add('auth failure uid=0 rhost=1.2.3.4');
    expect(m.params('auth failure uid=0 rhost=1.2.3.4', k)).toEqual(['0', '1.2.3.4']);
  });

  it('snapshot is plain JSON and restore resumes with the same templates and ids', () => {
    const m = new TemplateMiner();
    for (const l of LINES) m.add(l);
    const snap = JSON.parse(JSON.stringify(m.snapshot())) as MinerSnapshot;
    const r = TemplateMiner.restore(snap);
    expect(r.templates()).toEqual(m.templates());
    expect(r.add('PacketResponder 3 for block blk_7 terminating').id).toBe(
      m.add('PacketResponder 4 for block blk_8 terminating').id,
    );
    expect(() => TemplateMiner.restore({ ...snap, version: 2 as 1 })).toThrow(/version/);
  });

  it('keeps at most maxTemplates, evicting the least recently used', () => {
    const m = new TemplateMiner({ maxTemplates: 50 });
    const keep = m.add('heartbeat ok');
    for (let i = 0; i < 500; i++) {
      m.add(`distinct${i}a word${i}b thing${i}c`);
      if (i % 10 === 0) m.add('heartbeat ok');
    }
    expect(m.templateCount).toBeLessThanOrEqual(50);
    expect(m.templates().some((t) => t.id === keep.id)).toBe(true);
  });

  it('handles empty, very long and binary-looking bodies', () => {
    const m = new TemplateMiner();
    expect(m.add('').template).toBe('');
    const long = m.add('x '.repeat(50_000));
    expect(long.tokens.length).toBeLessThanOrEqual(128);
    expect(m.add('\u0001\u0002 \u0003').template).toBe('\u0001\u0002 \u0003');
    expect(m.templates()[0]!.example.length).toBeLessThanOrEqual(1000);
  });

  it('groups lines whose values take a varying number of tokens', () => {
    const m = new TemplateMiner();
    const a = m.add('close, 0 bytes sent, 0 bytes received, lifetime 00:01');
    const b = m.add('close, 1190 bytes (1.16 KB) sent, 1671 bytes (1.63 KB) received, lifetime <1 sec');
    expect(b).toBe(a);
    expect(a.template).toBe('close, <*> bytes sent, <*> bytes received, lifetime <*>');
    expect(m.params('close, 850 bytes sent, 10547 bytes (10.2 KB) received, lifetime <1 sec', a)).toEqual([
      '850',
      '10547',
      '<1 sec',
    ]);
  });

  it('routes past a leading qualified name, so lines of one kind about different subjects meet', () => {
    const m = new TemplateMiner();
    const tail = 'told me to run this job; however, the start time is not for 5 seconds. Ignoring.';
    const a = m.add(`com.apple.cache.daily: ${tail}`);
    const b = m.add(`com.apple.icloud.heartbeat: ${tail}`);
    expect(b).toBe(a);
    expect(a.template).toBe('<*> told me to run this job; however, the start time is not for <*>. Ignoring.');
    // A leading plain word still routes: the same tail after another verb stays apart.
    expect(m.add(`Skipped: ${tail}`)).not.toBe(a);
  });

  it('keeps lines that differ in one word apart however long they are, until the word varies', () => {
    const m = new TemplateMiner();
    const line = (w: string) =>
      `Block rdd_42 stored as ${w} in memory on this worker node with spare room left`;
    const bytes = m.add(line('bytes'));
    const values = m.add(line('values'));
    expect(values).not.toBe(bytes);
    expect(m.match(line('values'))).toBe(values);
    expect(m.match(line('bytes'))).toBe(bytes);
    // A third word at the same position makes it a variable; the earlier clusters fold into it.
    const third = m.add(line('objects'));
    expect(third.template).toBe(line('<*>').replace('rdd_42', '<*>'));
    expect(bytes.resolved).toBe(third);
    expect(m.match(line('bytes'))).toBe(third);
  });

  it('addKnown joins existing templates but never starts one', () => {
    const m = new TemplateMiner();
    const received = m.add(LINES[2]!);
    expect(m.addKnown(LINES[4]!)).toBeNull();
    expect(m.addKnown('totally different words here')).toBeNull();
    expect(m.templateCount).toBe(1);
    const joined = m.addKnown(LINES[3]!);
    expect(joined).toBe(received);
    expect(joined!.count).toBe(2);
    expect(m.templates().map((t) => t.count)).toEqual([2]);
  });
});

describe('TemplateMiner line caches sharing a budget', () => {
  it('hold at most the shared number of characters across miners, and still assign every line', () => {
    const budget = new LineCacheBudget(10_000);
    const miners = Array.from({ length: 50 }, () => new TemplateMiner({}, budget));
    const joined = new Set<string>();
    for (let i = 0; i < 20_000; i++) {
      // Distinct (non-digit) words at a variable position: every line is a new cache key.
      const word = String.fromCharCode(97 + (i % 26), 97 + ((i / 26) % 26), 97 + ((i / 676) % 26));
      const c = miners[i % 50]!.add(`session opened for user ${word}${'x'.repeat(i % 40)} by sshd`);
      // Past each miner's first few lines (two values are two templates until a third comes).
      if (i >= 1000) joined.add(c.template);
      expect(budget.used).toBeLessThanOrEqual(10_000);
    }
    expect(budget.used).toBeGreaterThan(5_000);
    expect(joined).toEqual(new Set(['session opened for user <*> by sshd']));
    // A dropped miner gives its share back.
    const before = budget.used;
    miners[0]!.release();
    expect(budget.used).toBeLessThan(before);
    let sum = 0;
    for (const m of miners.slice(1)) {
      const again = budget.used;
      m.release();
      sum += again - budget.used;
    }
    expect(budget.used).toBe(0);
    expect(sum).toBeGreaterThan(0);
  });
});
