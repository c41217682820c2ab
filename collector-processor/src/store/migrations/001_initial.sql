-- Anomaly events, partitioned by day of the unit's start so retention drops whole partitions.
-- The partition key must be part of the primary key; ids already encode the start, so (id, start)
-- is as unique as id alone.
CREATE TABLE anomalies (
  id text NOT NULL,
  stream text NOT NULL,
  unit text NOT NULL,
  unit_kind text NOT NULL,
  start_time timestamptz NOT NULL,
  end_time timestamptz NOT NULL,
  score double precision NOT NULL,
  severity text NOT NULL,
  model_version text NOT NULL,
  created_at timestamptz NOT NULL,
  event jsonb NOT NULL,
  PRIMARY KEY (id, start_time)
) PARTITION BY RANGE (start_time);
CREATE INDEX anomalies_stream_start ON anomalies (stream, start_time DESC);
CREATE INDEX anomalies_id ON anomalies (id);

-- Feedback outlives its anomaly's partition: it is training signal.
CREATE TABLE feedback (
  anomaly_id text PRIMARY KEY,
  stream text NOT NULL,
  unit text NOT NULL,
  start_time timestamptz NOT NULL,
  end_time timestamptz NOT NULL,
  label text NOT NULL,
  comment text,
  actor text NOT NULL,
  at timestamptz NOT NULL
);

CREATE TABLE templates (
  stream text NOT NULL,
  id text NOT NULL,
  template text NOT NULL,
  count bigint NOT NULL,
  first_seen timestamptz NOT NULL,
  last_seen timestamptz NOT NULL,
  example text NOT NULL,
  PRIMARY KEY (stream, id)
);
CREATE INDEX templates_count ON templates (count DESC);

-- scope 'global' (stream '') or 'stream'.
CREATE TABLE thresholds (
  scope text NOT NULL,
  stream text NOT NULL DEFAULT '',
  threshold jsonb NOT NULL,
  updated_at timestamptz NOT NULL,
  PRIMARY KEY (scope, stream)
);

CREATE TABLE models (
  version text PRIMARY KEY,
  created_at timestamptz NOT NULL,
  active boolean NOT NULL DEFAULT false,
  manifest jsonb NOT NULL,
  training_stats jsonb NOT NULL,
  evaluation jsonb
);
-- At most one active model, enforced by the database rather than by convention.
CREATE UNIQUE INDEX models_one_active ON models ((true)) WHERE active;

-- Activation history: rollback goes to the version active before the current one.
CREATE TABLE model_activations (
  seq bigserial PRIMARY KEY,
  version text NOT NULL,
  actor text NOT NULL,
  at timestamptz NOT NULL
);

CREATE TABLE audit (
  id bigserial PRIMARY KEY,
  at timestamptz NOT NULL,
  actor text NOT NULL,
  action text NOT NULL,
  target text NOT NULL,
  before jsonb,
  after jsonb
);

CREATE TABLE stream_state (
  stream text NOT NULL,
  kind text NOT NULL,
  json jsonb,
  bytes bytea,
  updated_at timestamptz NOT NULL,
  PRIMARY KEY (stream, kind)
);

CREATE TABLE offsets (
  key text PRIMARY KEY,
  value jsonb NOT NULL,
  updated_at timestamptz NOT NULL
);
