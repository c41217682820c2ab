import type { KafkaLedger } from '../ingest/kafka-consumer';
import type { SourcePosition } from '../ingest/record-sink';
import type { Storage } from '../store/storage';
import type { PositionMark } from './live-pipeline';

/** What is stored per partition with the pipeline state (the `offsets` table). */
export interface StoredKafkaPosition {
  /** Offset after the last message whose records are in the stored state. */
  next: string;
  /** Messages processed and redeliveries skipped, over the partition's life. */
  messages: number;
  duplicates: number;
}

/**
 * The service's KafkaLedger: partition positions live in storage with the pipeline state they
 * cover (one checkpoint transaction), so any replica that gets a partition recognises messages
 * whose records are already in the stored state, and counts them as duplicates.
 */
export class KafkaPositions implements KafkaLedger {
  private readonly known = new Map<string, StoredKafkaPosition>();

  constructor(
    private readonly o: {
      storage: Storage;
      groupId: string;
      /** Resolves once the records accepted so far are processed and checkpointed. */
      stored: () => Promise<void>;
      onDuplicates?: (messages: number) => void;
    },
  ) {}

  key(topic: string, partition: number): string {
    return `kafka:${this.o.groupId}:${topic}:${partition}`;
  }

  async position(topic: string, partition: number): Promise<bigint | null> {
    const key = this.key(topic, partition);
    const p = await this.o.storage.getOffset<StoredKafkaPosition>(key);
    this.known.set(key, p ?? { next: '0', messages: 0, duplicates: 0 });
    return p ? BigInt(p.next) : null;
  }

  duplicates(topic: string, partition: number, messages: number): void {
    const p = this.known.get(this.key(topic, partition));
    if (p) p.duplicates += messages;
    this.o.onDuplicates?.(messages);
  }

  stored(): Promise<void> {
    return this.o.stored();
  }

  /** The mark the pipeline stores with a batch of the partition (after `position` was read). */
  mark(pos: SourcePosition): PositionMark {
    const key = this.key(pos.topic, pos.partition);
    const p = this.known.get(key) ?? { next: '0', messages: 0, duplicates: 0 };
    // A batch of redeliveries only (offsets reset or lost) ends before the stored position.
    if (BigInt(pos.nextOffset) > BigInt(p.next)) p.next = pos.nextOffset;
    p.messages += pos.messages;
    this.known.set(key, p);
    return { key, value: { ...p } };
  }

  /**
   * The checkpoint fence: the stored position of a partition is past this replica's, so another
   * owns it now. Other positions (the write-ahead log's) are this replica's alone.
   */
  stale = (key: string, stored: unknown, next: unknown): boolean =>
    key.startsWith('kafka:') &&
    BigInt((stored as StoredKafkaPosition).next) > BigInt((next as StoredKafkaPosition).next);

  /** Position keys of the partitions in a consumer assignment. */
  keysOf(assignment: Record<string, number[]>): Set<string> {
    return new Set(Object.entries(assignment).flatMap(([t, ps]) => ps.map((p) => this.key(t, p))));
  }
}
