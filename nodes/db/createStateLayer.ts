import { createKeyArena } from "./createKeyArena.ts";
import { encodeJournalKeys, type JournalRecord, journalRecordKey } from "./droppedStateJournal.ts";
import { keyspaces } from "./keyspaces.ts";
import { trieKeyHex } from "./trieDbCodec.ts";

/**
 * A state-keyspace record: a trie node or code by its key (as `StateWrite`), and the key's
 * hex when the writer has it already (the layer's maps are keyed by it).
 */
interface StateRecord {
  readonly key: Uint8Array;
  readonly value: Uint8Array;
  readonly hex?: string;
}

/** One write of a persisted state layer, as a level batch op. */
export type StateLayerOp =
  | { readonly type: "put"; readonly key: Uint8Array; readonly value: Uint8Array }
  | { readonly type: "del"; readonly key: Uint8Array };

/**
 * The state-trie changes of the blocks committed since the state was last persisted, held
 * in memory, and the nodes recent blocks dropped, kept readable for a while.
 */
export interface StateLayer {
  /**
   * A node by EthereumJS's hex key: its bytes when held in memory, `null` when it was
   * dropped and is to be deleted from the disk at the next persist, undefined when the
   * layer does not know it (read the disk).
   */
  get(key: string): Uint8Array | null | undefined;
  /**
   * Adds block `number`'s writes and drops (a node dropped and written again is kept). A
   * dropped node stays readable until `retainBlocks` later blocks were applied, so the
   * state of the recent blocks can still be read.
   */
  apply(number: bigint, writes: readonly StateRecord[], deletes: readonly Uint8Array[]): void;
  /** Blocks applied since the last persist. */
  readonly blocks: number;
  /** Whether a persist would write anything (blocks applied, or released drops to delete). */
  readonly dirty: boolean;
  /** Bytes of keys and values held (an estimate with map overheads). */
  readonly bytes: number;
  /**
   * The batch ops that persist the state of the last block applied: the deletes of dropped
   * nodes no retained state reads any more, the writes that state uses, and the journal of
   * retained drops of nodes on disk (so that a crash cannot leave them there for good), in
   * chunk records of up to 4,096 keys. A record is deleted with the last of its nodes, and
   * rewritten without a node that is written again. Keys are views into shared chunks.
   */
  ops(): StateLayerOp[];
  /** Forgets what the last {@link ops} stored, once written (the retained drops stay). */
  persisted(): void;
  /**
   * Lets every retained drop go (at a stop: no one reads the old states any more), so the
   * next {@link ops} deletes them from the disk too.
   */
  releaseAll(): void;
}

/** Options of {@link createStateLayer}. */
export interface StateLayerOptions {
  /**
   * The journal of persisted drops read at open (`d` keyspace): nodes the persisted state no
   * longer uses, kept then for states before it, which after a restart nothing reads: they
   * are deleted at the first persist, and the records with them.
   */
  readonly journal?: Iterable<JournalRecord>;
  /** Blocks after its drop a dropped node stays readable. */
  readonly retainBlocks: number;
  /** Dropped nodes are let go early, oldest first, while the layer holds more than this. */
  readonly retainBytes: number;
}

/** Map overhead per entry, counted into {@link StateLayer.bytes} (V8: ~80–100 bytes). */
const ENTRY_OVERHEAD = 96;

/** Bytes counted for a retained drop (key as bytes and as hex, and its entries). */
const DROP_BYTES = 32 * 3 + ENTRY_OVERHEAD;

/** One block's drops, with each key's hex (computed once, when the block is applied). */
interface BlockDrops {
  readonly number: bigint;
  readonly keys: readonly Uint8Array[];
  readonly hexes: readonly string[];
}

/** A `d` journal chunk record the layer knows on disk, and its keys still to delete. */
interface OpenRecord {
  readonly key: Uint8Array;
  /** The state keys the record lists, by hex (attached: their rewrite rewrites the record). */
  readonly keys: Map<string, Uint8Array>;
  /** Listed keys still on disk (not deleted by a persist yet). */
  readonly pending: Set<string>;
}

/** What a persist does to one journal record (see `ops`). */
interface RecordChange {
  /** Listed keys the persist deletes from the disk. */
  readonly deleted: string[];
  /** Listed keys the persist writes again (live again: a restart must not delete them). */
  readonly revived: string[];
}

/** The bookkeeping of the ops last returned, applied by `persisted` once they are written. */
interface PersistPlan {
  readonly changes: Map<OpenRecord, RecordChange>;
  readonly created: OpenRecord[];
  readonly sequence: bigint;
}

/** Most state keys in one journal record (~270 KB for storage-trie nodes). */
const RECORD_KEYS = 4096;

/**
 * Creates an empty state layer. Most trie nodes a block writes are superseded within a few
 * blocks (the top levels of every trie on each block, and a storage trie's upper branches on
 * each of its updates), so holding them here and storing only what the persisted state uses
 * keeps the garbage off the disk; the drops delete from the disk what that state no longer
 * uses. Like geth's in-memory layers, the recent blocks' states stay readable: a drop takes
 * effect `retainBlocks` blocks later.
 *
 * Every structure is kept up to date as blocks are applied, so a persist costs what it
 * writes: it never walks the retained drops of the last `retainBlocks` blocks (at 3 M
 * consents stored those walks were a third of the layer's cost; decision 015). The journal
 * costs one record per 4,096 retained drops, not a put and two deletes per drop (a third of
 * a persist's ~800,000 ops at 1.4 M consents stored).
 *
 * @example
 * ```ts
 * const layer = createStateLayer({ retainBlocks: 128, retainBytes: 2 ** 28 });
 * layer.apply(block.header.number, executed.stateWrites, executed.stateDeletes);
 * if (layer.blocks >= 64) { await level.batch(layer.ops()); layer.persisted(); }
 * ```
 */
export function createStateLayer(options: StateLayerOptions): StateLayer {
  /** Nodes held in memory: written since the last persist, or dropped and retained. */
  const held = new Map<string, StateRecord>();
  /** Dropped nodes still readable, by the block that dropped them. */
  const retained = new Map<string, bigint>();
  /** The drops in block order, to let them go when they are old enough. */
  const queue: BlockDrops[] = [];
  /** Dropped nodes no state reads any more, to delete from the disk at the next persist. */
  const gone = new Map<string, Uint8Array>();
  let bytes = 0;
  /** Keys listed by a `d` journal record on disk, and the record. */
  const journal = new Map<string, OpenRecord>();
  /**
   * Retained drops of nodes on disk (not held in memory) without a journal record yet: what
   * the next persist journals.
   */
  const unjournaled = new Map<string, Uint8Array>();
  let sequence = 0n;
  for (const record of options.journal ?? []) {
    const open: OpenRecord = { key: record.key, keys: new Map(), pending: new Set() };
    for (const key of record.keys) {
      const hex = trieKeyHex(key);
      open.keys.set(hex, key);
      open.pending.add(hex);
      journal.set(hex, open);
      gone.set(hex, key);
      bytes += key.length * 3 + ENTRY_OVERHEAD;
    }
    if (record.sequence !== undefined && record.sequence >= sequence) {
      sequence = record.sequence + 1n;
    }
  }
  let plan: PersistPlan | undefined;
  let blocks = 0;

  const release = (entry: BlockDrops) => {
    for (let i = 0; i < entry.hexes.length; i++) {
      const hex = entry.hexes[i] as string;
      if (retained.get(hex) !== entry.number) continue;
      retained.delete(hex);
      unjournaled.delete(hex);
      const node = held.get(hex);
      if (node !== undefined) {
        held.delete(hex);
        bytes -= node.key.length * 3 + node.value.length + ENTRY_OVERHEAD;
      }
      const key = entry.keys[i] as Uint8Array;
      gone.set(hex, key);
      bytes += key.length * 3 + ENTRY_OVERHEAD;
    }
  };

  return {
    get(key) {
      const node = held.get(key);
      if (node !== undefined) return node.value;
      return gone.has(key) ? null : undefined;
    },
    apply(number, writes, deletes) {
      if (deletes.length > 0) {
        const hexes: string[] = new Array(deletes.length);
        for (let i = 0; i < deletes.length; i++) {
          const key = deletes[i] as Uint8Array;
          const hex = trieKeyHex(key);
          hexes[i] = hex;
          retained.set(hex, number);
          // Held in memory only, or journaled already: nothing on disk to account for.
          if (!held.has(hex) && !journal.has(hex)) unjournaled.set(hex, key);
        }
        queue.push({ number, keys: deletes, hexes });
        bytes += deletes.length * DROP_BYTES;
      }
      for (const write of writes) {
        const hex = write.hex ?? trieKeyHex(write.key);
        const before = held.get(hex);
        if (before !== undefined) {
          bytes -= before.key.length * 3 + before.value.length + ENTRY_OVERHEAD;
        }
        held.set(hex, write);
        retained.delete(hex);
        unjournaled.delete(hex);
        gone.delete(hex);
        bytes += write.key.length * 3 + write.value.length + ENTRY_OVERHEAD;
      }
      blocks++;
      const oldest = number - BigInt(options.retainBlocks);
      while (queue.length > 0) {
        const first = queue[0] as BlockDrops;
        if (first.number > oldest && bytes <= options.retainBytes) break;
        queue.shift();
        bytes -= first.hexes.length * DROP_BYTES;
        release(first);
      }
    },
    get blocks() {
      return blocks;
    },
    get dirty() {
      return blocks > 0 || gone.size > 0;
    },
    get bytes() {
      return bytes;
    },
    ops() {
      const ops: StateLayerOp[] = [];
      const arena = createKeyArena();
      const changes = new Map<OpenRecord, RecordChange>();
      const change = (record: OpenRecord) => {
        let found = changes.get(record);
        if (found === undefined) {
          found = { deleted: [], revived: [] };
          changes.set(record, found);
        }
        return found;
      };
      for (const [hex, key] of gone) {
        ops.push({ type: "del", key: arena.key(keyspaces.state, key) });
        const record = journal.get(hex);
        if (record !== undefined) change(record).deleted.push(hex);
      }
      for (const [hex, { key, value }] of held) {
        // A retained node is not in the state being persisted: it stays in memory only.
        if (retained.has(hex)) continue;
        ops.push({ type: "put", key: arena.key(keyspaces.state, key), value });
        // Written again after its drop was journaled: a restart must not delete it.
        const record = journal.get(hex);
        if (record !== undefined) change(record).revived.push(hex);
      }
      for (const [record, { deleted, revived }] of changes) {
        const left = new Set(record.pending);
        for (const hex of deleted) left.delete(hex);
        for (const hex of revived) left.delete(hex);
        if (left.size === 0) ops.push({ type: "del", key: record.key });
        else if (revived.length > 0) {
          const keys = [...left].map((hex) => record.keys.get(hex) as Uint8Array);
          ops.push({ type: "put", key: record.key, value: encodeJournalKeys(keys) });
        }
      }
      const created: OpenRecord[] = [];
      let next = sequence;
      let open: OpenRecord | undefined;
      for (const [hex, key] of unjournaled) {
        if (open === undefined || open.keys.size === RECORD_KEYS) {
          open = { key: journalRecordKey(next++), keys: new Map(), pending: new Set() };
          created.push(open);
        }
        open.keys.set(hex, key);
        open.pending.add(hex);
      }
      for (const record of created) {
        ops.push({ type: "put", key: record.key, value: encodeJournalKeys(record.keys.values()) });
      }
      plan = { changes, created, sequence: next };
      return ops;
    },
    persisted() {
      for (const key of gone.values()) bytes -= key.length * 3 + ENTRY_OVERHEAD;
      gone.clear();
      if (plan !== undefined) {
        for (const [record, { deleted, revived }] of plan.changes) {
          for (const hex of deleted) record.pending.delete(hex);
          for (const hex of revived) record.pending.delete(hex);
          // A rewritten record lists its pending keys only; a deleted one lists nothing.
          const rewritten = revived.length > 0 || record.pending.size === 0;
          if (!rewritten) continue;
          for (const hex of record.keys.keys()) {
            if (record.pending.has(hex)) continue;
            record.keys.delete(hex);
            if (journal.get(hex) === record) journal.delete(hex);
          }
        }
        for (const record of plan.created) {
          for (const hex of record.keys.keys()) journal.set(hex, record);
        }
        sequence = plan.sequence;
        plan = undefined;
      }
      unjournaled.clear();
      for (const [hex, node] of held) {
        if (retained.has(hex)) continue;
        held.delete(hex);
        bytes -= node.key.length * 3 + node.value.length + ENTRY_OVERHEAD;
      }
      blocks = 0;
    },
    releaseAll() {
      for (const entry of queue) {
        bytes -= entry.hexes.length * DROP_BYTES;
        release(entry);
      }
      queue.length = 0;
    },
  };
}
