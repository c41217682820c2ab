#!/usr/bin/env node
// Log generator for the docker-compose stack: steady traffic from a few services, with an
// incident every LOGGEN_INCIDENT_EVERY_S seconds so anomalies show up within minutes.
// One file per service under LOGGEN_DIR; the collector's filelog receiver tails them.
// Env: LOGGEN_DIR (/var/log/loggen), LOGGEN_RATE lines/s per service (20),
// LOGGEN_INCIDENT_EVERY_S (600), LOGGEN_INCIDENT_S (90), LOGGEN_DURATION_S (0 = forever),
// LOGGEN_SEED (1).
import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { setInterval } from 'node:timers';

const env = (name, fallback) => Number(process.env[name] ?? fallback);
const dir = process.env.LOGGEN_DIR ?? '/var/log/loggen';
const rate = env('LOGGEN_RATE', 20);
const incidentEvery = env('LOGGEN_INCIDENT_EVERY_S', 600);
const incidentLength = env('LOGGEN_INCIDENT_S', 90);
const duration = env('LOGGEN_DURATION_S', 0);

// Seeded so two runs produce the same traffic (mulberry32).
let seed = env('LOGGEN_SEED', 1) >>> 0;
const random = () => {
  seed = (seed + 0x6d2b79f5) >>> 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const pick = (xs) => xs[Math.floor(random() * xs.length)];
const int = (lo, hi) => lo + Math.floor(random() * (hi - lo + 1));
const hex = (n) => Array.from({ length: n }, () => pick('0123456789abcdef')).join('');

const normal = {
  checkout: [
    () =>
      `INFO  order ${int(100000, 999999)} created for user ${int(1, 5000)} total=${int(5, 400)}.${int(10, 99)}`,
    () => `INFO  payment authorized order=${int(100000, 999999)} latency_ms=${int(20, 180)}`,
    () => `DEBUG cart ${hex(8)} loaded items=${int(1, 12)}`,
  ],
  payments: [
    () => `INFO  charge ok card=****${int(1000, 9999)} amount=${int(5, 400)}.${int(10, 99)} provider=stripe`,
    () => `INFO  refund processed id=${hex(12)}`,
    () => `DEBUG fraud score ${int(1, 30)} for tx ${hex(10)}`,
  ],
  inventory: [
    () => `INFO  reserved sku=SKU-${int(1000, 9999)} qty=${int(1, 5)} warehouse=w${int(1, 4)}`,
    () => `INFO  stock sync finished items=${int(900, 1100)} in ${int(200, 900)}ms`,
  ],
};

// The incident: payments' database goes away, checkout times out on payments, inventory is fine.
const incident = {
  checkout: [
    () => `ERROR payment call failed order=${int(100000, 999999)}: upstream timeout after 5000ms`,
    () => `WARN  retrying payment order=${int(100000, 999999)} attempt=${int(1, 3)}`,
  ],
  payments: [
    () => `ERROR db pool exhausted: connection refused to 10.0.3.${int(2, 30)}:5432`,
    () => `FATAL health check failed: database unreachable for ${int(5, 90)}s`,
  ],
};

mkdirSync(dir, { recursive: true });
const started = Date.now();
const tick = () => {
  const now = Date.now();
  const elapsed = (now - started) / 1000;
  const inIncident = incidentEvery > 0 && elapsed % incidentEvery >= incidentEvery - incidentLength;
  for (const [service, templates] of Object.entries(normal)) {
    const bad = inIncident ? incident[service] : undefined;
    const lines = [];
    for (let i = 0; i < rate; i++) {
      const make = bad && random() < 0.6 ? pick(bad) : pick(templates);
      lines.push(`${new Date(now + i).toISOString()} ${make()}\n`);
    }
    appendFileSync(join(dir, `${service}.log`), lines.join(''));
  }
  if (duration > 0 && elapsed >= duration) process.exit(0);
};
setInterval(tick, 1000);
tick();
