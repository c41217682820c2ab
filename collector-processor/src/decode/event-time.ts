/**
 * Event time checks. Decoders keep only times a log can carry (years 1 to 9999); the live service
 * also keeps event time near the receive time, so one record from a broken clock cannot move the
 * windows of every stream to 1970 or 2100.
 */

/** 0001-01-01T00:00:00Z and 9999-12-31T23:59:59.999Z: beyond them a parsed "time" is noise. */
const MIN_MS = -62_135_596_800_000;
const MAX_MS = 253_402_300_799_999;

/** `ms` when it is a time a log can carry; null for NaN, infinities and years past 9999 or before 1. */
export function validTimeMs(ms: number | null): number | null {
  return ms !== null && ms >= MIN_MS && ms <= MAX_MS ? ms : null;
}

/** limits.maxEventAgeSeconds and limits.maxEventAheadSeconds, in ms. */
export interface EventTimeLimits {
  maxAgeMs: number;
  maxAheadMs: number;
}

export const DEFAULT_EVENT_TIME_LIMITS: EventTimeLimits = { maxAgeMs: 86_400_000, maxAheadMs: 600_000 };

export type OutOfRange = 'past' | 'future';

/** Where `timeMs` lies outside [now - maxAge, now + maxAhead]; null inside. */
export function outOfRange(timeMs: number, nowMs: number, limits: EventTimeLimits): OutOfRange | null {
  if (timeMs < nowMs - limits.maxAgeMs) return 'past';
  if (timeMs > nowMs + limits.maxAheadMs) return 'future';
  return null;
}
