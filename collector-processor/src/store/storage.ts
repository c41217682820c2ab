import type { AnomalyEvent, AnomalySeverity, Feedback } from '../anomaly-event';
import type { Threshold } from '../api/schemas';

/** Persistent state of the service; `SqlStorage` implements it on PostgreSQL and PGlite alike. */

export interface Page<T> {
  items: T[];
  total: number;
}

export interface AnomalyFilter {
  stream?: string;
  /** RFC 3339; compared with the unit's start. */
  from?: string;
  to?: string;
  minScore?: number;
  severity?: AnomalySeverity;
  limit: number;
  offset: number;
}

export interface InsertResult {
  /** Ids stored by this call; an id already stored (a replay) is left out. */
  newIds: string[];
}

export interface FeedbackEntry {
  anomalyId: string;
  stream: string;
  unit: string;
  start: string;
  end: string;
  label: Feedback['label'];
  comment?: string;
  actor: string;
  at: string;
}

export interface TemplateUpdate {
  stream: string;
  id: string;
  template: string;
  /** Records seen since the last update. */
  countDelta: number;
  /** RFC 3339 or ms since the epoch: the latest time the template was seen in this batch. */
  seenAt: string | number;
  example: string;
}

export interface CheckpointExtras {
  stale?: (key: string, stored: unknown, next: unknown) => boolean;
  /** Counted from the records the state covers. */
  templates?: TemplateUpdate[];
}

/** A template of a stream. */
export interface TemplateKey {
  stream: string;
  id: string;
}

export interface TemplateFilter {
  stream?: string;
  /** Case-insensitive substring of the template text. */
  search?: string;
  /** Only templates first seen after the active model was created. */
  onlyNew?: boolean;
  limit: number;
  offset: number;
}

export interface TemplateInfo {
  id: string;
  stream: string;
  template: string;
  count: number;
  firstSeen: string;
  lastSeen: string;
  example: string;
  /** First seen after the active model was created (false when no model is active). */
  isNew: boolean;
}

export interface Thresholds {
  /** null until someone sets one: the caller applies the built-in default. */
  global: Threshold | null;
  streams: Record<string, Threshold>;
}

export interface TrainingStats {
  units: number;
  lines: number;
  templates: number;
  streams: number;
  seconds: number;
}

export interface NewModel {
  version: string;
  createdAt: string;
  manifest: unknown;
  trainingStats: TrainingStats;
  evaluation: Record<string, number> | null;
}

export interface ModelVersion {
  version: string;
  createdAt: string;
  active: boolean;
  trainingStats: TrainingStats;
  evaluation: Record<string, number> | null;
}

export interface AuditEntry {
  id: string;
  at: string;
  actor: string;
  action: string;
  target: string;
  before: unknown;
  after: unknown;
}

export interface AuditRecord {
  actor: string;
  action: string;
  target: string;
  before?: unknown;
  after?: unknown;
}

/** A snapshot: JSON-able values go to a jsonb column, byte arrays to bytea. */
export type StateData = Uint8Array | Record<string, unknown> | unknown[];

export interface StoredState {
  data: StateData;
  updatedAt: string;
}

export interface StreamSummary {
  stream: string;
  /** Records counted into the stream's templates. */
  records: number;
  anomalies: number;
  templates: number;
  lastSeen: string | null;
  /** Score of the stream's most recent anomaly (the live score is the pipeline's to add). */
  score: number | null;
}

export interface Storage {
  readonly kind: 'postgres' | 'pglite';

  insertAnomalies(events: AnomalyEvent[]): Promise<InsertResult>;
  /** Newest (by start) first. */
  listAnomalies(filter: AnomalyFilter): Promise<Page<AnomalyEvent>>;
  /** Anomalies detected (createdAt) at or after `since`, newest first, at most `limit`. */
  listRaisedSince(since: string, limit: number): Promise<AnomalyEvent[]>;
  getAnomaly(id: string): Promise<AnomalyEvent | null>;
  /** null when the anomaly does not exist. Audited. */
  setFeedback(
    id: string,
    fb: { label: Feedback['label']; comment?: string },
    actor: string,
  ): Promise<AnomalyEvent | null>;
  clearFeedback(id: string, actor: string): Promise<AnomalyEvent | null>;
  listFeedback(opts?: { stream?: string; since?: string }): Promise<FeedbackEntry[]>;

  /**
   * Adds the counts; returns the templates the database refused for their data (left out, so they
   * cannot fail every later flush), normally none.
   */
  upsertTemplates(batch: TemplateUpdate[]): Promise<TemplateKey[]>;
  /** Largest count first. */
  listTemplates(filter: TemplateFilter): Promise<Page<TemplateInfo>>;

  getThresholds(): Promise<Thresholds>;
  putGlobalThreshold(t: Threshold, actor: string): Promise<Threshold>;
  putStreamThreshold(stream: string, t: Threshold, actor: string): Promise<Threshold>;
  /** false when the stream had no threshold of its own. */
  deleteStreamThreshold(stream: string, actor: string): Promise<boolean>;

  /** Audited. Fails when the version exists. */
  registerModel(m: NewModel, actor: string): Promise<ModelVersion>;
  /** Newest first. */
  listModels(): Promise<ModelVersion[]>;
  getModel(version: string): Promise<(ModelVersion & { manifest: unknown }) | null>;
  getActiveModel(): Promise<ModelVersion | null>;
  /** Makes `version` the only active model; null when it does not exist. Audited. */
  activateModel(version: string, actor: string): Promise<ModelVersion | null>;
  /** Re-activates the version active before the current one; null when there is none. Audited. */
  rollbackModel(actor: string): Promise<ModelVersion | null>;
  /** Refuses (throws) for the active model; false when it does not exist. Audited. */
  deleteModel(version: string, actor: string): Promise<boolean>;

  appendAudit(entry: AuditRecord): Promise<void>;
  /** Newest first. */
  listAudit(page: { limit: number; offset: number }): Promise<Page<AuditEntry>>;

  saveState(stream: string, kind: string, data: StateData): Promise<void>;
  loadState(stream: string, kind: string): Promise<StoredState | null>;
  /** Every stream's snapshot of one kind (a replica picking up rebalanced partitions). */
  listStates(kind: string): Promise<(StoredState & { stream: string })[]>;

  /**
   * Stream snapshots of one kind (null deletes one), offsets and template statistics in one
   * transaction: the state and the source positions it covers are stored together or not at all.
   * When `stale` says a stored offset is ahead of the one to write (another owner moved the source
   * on), nothing is written and it rejects with FencedCheckpointError. Returns the templates
   * refused for their data, as upsertTemplates.
   */
  saveCheckpoint(
    kind: string,
    states: Record<string, StateData | null>,
    offsets: Record<string, unknown>,
    extras?: CheckpointExtras,
  ): Promise<TemplateKey[]>;

  getOffset<T = unknown>(key: string): Promise<T | null>;
  setOffset(key: string, value: unknown): Promise<void>;

  listStreams(): Promise<StreamSummary[]>;
  /** Drops anomaly partitions whose whole day is older than `days` before `now`; returns their names. */
  applyRetention(days: number, now?: Date): Promise<string[]>;
  /** Throws when the database cannot be reached. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** A checkpoint refused because another writer stored newer positions for these offset keys. */
export class FencedCheckpointError extends Error {
  constructor(readonly keys: string[]) {
    super(`checkpoint fenced: newer positions stored for ${keys.join(', ')}`);
    this.name = 'FencedCheckpointError';
  }
}
