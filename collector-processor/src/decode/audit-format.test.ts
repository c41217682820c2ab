import { describe, expect, it } from 'vitest';
import { auditFormat } from './audit-format';
import { createStreamDecoder } from './stream-decoder';
import { Severity } from '../record';
import { TemplateMiner } from '../mine/template-miner';

/** Audit records as /var/log/audit/audit.log writes them (written here, in auditd's own format). */
const login = (serial: number, acct: string, addr: string, res: 'failed' | 'success') =>
  `type=USER_LOGIN msg=audit(1714557600.${String(serial % 1000).padStart(3, '0')}:${serial}): pid=${2000 + serial} uid=0 auid=4294967295 ses=4294967295 subj=unconfined msg='op=login acct="${acct}" exe="/usr/sbin/sshd" hostname=? addr=${addr} terminal=ssh res=${res}'`;
const syscall = (serial: number, success: 'yes' | 'no', comm: string) =>
  `type=SYSCALL msg=audit(1714557601.250:${serial}): arch=c000003e syscall=59 success=${success} exit=0 a0=55d1 a1=55d2 a2=55d3 a3=0 items=2 ppid=1 pid=${3000 + serial} auid=1000 uid=0 gid=0 euid=0 tty=pts0 ses=3 comm="${comm}" exe="/usr/bin/${comm}" subj=unconfined key="exec"`;
const AVC =
  'type=AVC msg=audit(1714557602.5:900): avc:  denied  { read } for  pid=812 comm="cat" name="shadow" dev="sda1" ino=1234 scontext=u:r:app:s0 tcontext=u:object_r:shadow:s0 tclass=file permissive=0';

describe('auditd records', () => {
  const f = auditFormat();

  it('reads the record type, outcome, time and fields, a failure as a warning', () => {
    const d = f.decode(login(7, 'root', '203.0.113.9', 'failed'))!;
    expect(d.body).toBe(
      'USER_LOGIN res=failed op=login acct=root exe=/usr/sbin/sshd addr=203.0.113.9 terminal=ssh',
    );
    expect(d.severityNumber).toBe(Severity.WARN);
    expect(d.timeMs).toBe(1714557600007);
    expect(d.attributes).toMatchObject({
      'audit.type': 'USER_LOGIN',
      'audit.serial': 7,
      pid: '2007',
      res: 'failed',
    });
    expect(f.decode(login(8, 'deploy', '10.0.0.2', 'success'))!.severityNumber).toBe(Severity.INFO);
    expect(f.decode(syscall(9, 'yes', 'bash'))!.body).toBe(
      'SYSCALL success=yes syscall=59 key=exec comm=bash exe=/usr/bin/bash',
    );
    expect(f.decode(syscall(10, 'no', 'bash'))!.severityNumber).toBe(Severity.WARN);
    const avc = f.decode(AVC)!;
    expect(avc.severityNumber).toBe(Severity.WARN);
    expect(avc.body).toMatch(/^AVC avc: {2}denied {2}\{ read \} for/);
    expect(avc.timeMs).toBe(1714557602500);
    expect(f.decode('time=2024-05-01 level=info msg=x')).toBeNull();
  });

  it('is told from logfmt by the stream decoder, and keeps a failed login apart from a successful one', () => {
    const d = createStreamDecoder('audit.log');
    const miner = new TemplateMiner();
    const template = (line: string, n: number) => miner.add(d.decode(line, n)!.body).template;
    const failed = [1, 2, 3, 4].map((i) => template(login(i, `u${i}`, `198.51.100.${i}`, 'failed'), i));
    const ok = [5, 6, 7, 8].map((i) => template(login(i, `u${i}`, `198.51.100.${i}`, 'success'), i));
    expect(d.format).toBe('auditd');
    expect(failed[3]).toMatch(/^USER_LOGIN res=failed op=login acct=<\*>/);
    expect(ok[3]).toMatch(/^USER_LOGIN res=success op=login acct=<\*>/);
    // SYSCALL records keep their type and outcome, not one `<*>`.
    const calls = ['bash', 'ls', 'cat', 'vi'].map((c, i) => template(syscall(20 + i, 'yes', c), 20 + i));
    for (const c of calls) expect(c).toMatch(/^SYSCALL success=yes syscall=<\*> key=exec comm=/);
  });
});
