-- Anomalies raised recently (by detection time, not event time): a restarted service pages again
-- those whose alerts may still be firing.
CREATE INDEX anomalies_created ON anomalies (created_at DESC);
