-- Model bundles kept beside their registry (modelStore.kind: database): every replica that shares
-- the database loads every version.
CREATE TABLE model_files (
  version text NOT NULL,
  path text NOT NULL,
  bytes bytea NOT NULL,
  PRIMARY KEY (version, path)
);
