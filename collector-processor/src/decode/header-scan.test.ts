import { describe, it, expect } from 'vitest';
import { fastHeader, learnColumns, scanHeader } from './header-scan';

/** One raw line of each Loghub system's shape, with the message the header must leave. */
const SHAPES: [string, string, string, string][] = [
  // line, message, level, component
  [
    '081109 203615 148 INFO dfs.DataNode$PacketResponder: PacketResponder 1 for block blk_3886 terminating',
    'PacketResponder 1 for block blk_3886 terminating',
    'INFO',
    'dfs.DataNode$PacketResponder',
  ],
  [
    '2015-10-18 18:01:47,978 INFO [main] org.apache.hadoop.MRAppMaster: Created MRAppMaster',
    'Created MRAppMaster',
    'INFO',
    'org.apache.hadoop.MRAppMaster',
  ],
  [
    '17/06/09 20:10:40 INFO spark.SecurityManager: Changing view acls to: yarn,curi',
    'Changing view acls to: yarn,curi',
    'INFO',
    'spark.SecurityManager',
  ],
  [
    '2015-07-29 17:41:44,747 - INFO  [QuorumPeer[myid=1]/0:0:0:0:0:0:0:0:2181:FastLeaderElection@774] - Notification time out: 3200',
    'Notification time out: 3200',
    'INFO',
    '',
  ],
  [
    '03-17 16:13:38.811  1702  2395 D WindowManager: printFreezingDisplayLogs',
    'printFreezingDisplayLogs',
    'D',
    'WindowManager',
  ],
  [
    '[Sun Dec 04 04:47:44 2005] [notice] workerEnv.init() ok /etc/httpd/conf/workers2.properties',
    'workerEnv.init() ok /etc/httpd/conf/workers2.properties',
    'notice',
    '',
  ],
  [
    'Jun 14 15:16:01 combo sshd(pam_unix)[19939]: check pass; user unknown',
    'check pass; user unknown',
    '',
    'sshd',
  ],
  [
    '20171223-22:15:29:606|Step_LSC|30002312|onStandStepChanged 3579',
    'onStandStepChanged 3579',
    '',
    'Step_LSC',
  ],
  [
    '2016-09-28 04:30:30, Info                  CBS    Loaded Servicing Stack v6.1.7601.23505',
    'Loaded Servicing Stack v6.1.7601.23505',
    'Info',
    'CBS',
  ],
  [
    '[10.30 16:49:06] chrome.exe - proxy.cse.cuhk.edu.hk:5070 open through proxy',
    'proxy.cse.cuhk.edu.hk:5070 open through proxy',
    '',
    'chrome.exe',
  ],
  [
    '- 1131566461 2005.11.09 dn228 Nov 9 12:01:01 dn228/dn228 crond(pam_unix)[2915]: session closed for user root',
    'session closed for user root',
    '',
    'crond',
  ],
  [
    '- 1117838570 2005.06.03 R02-M1-N0-C:J12-U11 2005-06-03-15.42.50.675872 R02-M1-N0-C:J12-U11 RAS KERNEL INFO instruction cache parity error corrected',
    'instruction cache parity error corrected',
    'INFO',
    '',
  ],
  [
    'nova-api.log.1.2017-05-16_13:53:08 2017-05-16 00:00:00.008 25746 INFO nova.osapi_compute.wsgi.server [req-38 113d - - -] 10.11.10.1 "GET /v2/servers/detail HTTP/1.1" status: 200',
    '10.11.10.1 "GET /v2/servers/detail HTTP/1.1" status: 200',
    'INFO',
    'nova.osapi_compute.wsgi.server',
  ],
];

describe('scanHeader', () => {
  it.each(SHAPES)('splits %s', (line, message, level, component) => {
    const h = scanHeader(line)!;
    expect(h).not.toBeNull();
    expect(line.slice(h.bodyStart)).toBe(message);
    expect(h.level).toBe(level);
    if (component) expect(h.component).toBe(component);
    expect(h.timeText).not.toBe('');
  });

  it('leaves lines without a header alone', () => {
    expect(scanHeader('Connection 5 closed by peer')).toBeNull();
    expect(scanHeader('')).toBeNull();
    expect(scanHeader('at org.example.Foo.bar(Foo.java:12)')).toBeNull();
  });

  it('does not take pids for time', () => {
    expect(scanHeader('081109 203615 148 INFO x.Y: msg')!.timeText).toBe('081109 203615');
  });

  it('survives a bracket that never closes and a very long first token', () => {
    const h = scanHeader(`[2020-01-01 10:00:00 ${'x'.repeat(10_000)}`);
    expect(h === null || h.bodyStart >= 0).toBe(true);
  });
});

describe('learnColumns', () => {
  // HPC-like: id, node, facility, state, epoch, flag, message. Ids have 4 to 6 digits, so a
  // per-line look cannot tell the header apart; the stream can.
  const sample = Array.from(
    { length: 40 },
    (_, i) =>
      `${1000 + i * 7919} node-${i} unix.hw state_change.unavailable ${1077804742 + i} 1 Component State Change: Component alt${i} is unavailable`,
  );

  it('finds the fixed columns typed in nearly every line', () => {
    expect(learnColumns(sample)).toBe(6);
  });

  it('cuts every line of the stream at the same place', () => {
    const columns = learnColumns(sample);
    for (const line of sample)
      expect(line.slice(scanHeader(line, columns)!.bodyStart)).toMatch(/^Component State Change:/);
  });

  it('ends the header at the level and its component, however regular the message', () => {
    // A job logging the same sentence every minute: its numbers sit at fixed places too.
    const job = Array.from(
      { length: 100 },
      (_, i) =>
        `2024-03-06 00:${String(i % 60).padStart(2, '0')}:05,680 INFO  [scheduler-1] job inventory-sync run=${2881 + i} finished in ${600 + i} ms items=12010`,
    );
    const columns = learnColumns(job);
    for (const line of job)
      expect(line.slice(scanHeader(line, columns)!.bodyStart)).toMatch(/^job inventory-sync/);
  });

  it('learns nothing from too few lines or lines without headers', () => {
    expect(learnColumns(sample.slice(0, 3))).toBe(0);
    expect(learnColumns(Array.from({ length: 50 }, (_, i) => `user ${i} logged in`))).toBe(0);
  });
});

describe('fastHeader', () => {
  it('gives what scanHeader gives for lines of the same layout', () => {
    const a = scanHeader(
      '081109 203615 148 INFO dfs.DataNode$PacketResponder: PacketResponder 1 terminating',
    )!;
    expect(a.layout).toBe('ttnlk');
    const line = '081109 203807 222 WARN dfs.DataNode: Got exception while serving blk_1';
    expect(fastHeader(line, a.layout!)).toEqual(scanHeader(line));
  });

  it('rejects lines of another shape', () => {
    expect(fastHeader('java.io.IOException: boom', 'ttnlk')).toBeNull();
    expect(fastHeader('081109 203807 222 NOTALEVEL x: y', 'ttnlk')).toBeNull();
    expect(fastHeader('081109', 'ttnlk')).toBeNull();
  });
});
