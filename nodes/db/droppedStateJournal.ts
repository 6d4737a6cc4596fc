import { CustosError } from "../../src/errors/index.ts";
import { keyspaces } from "./keyspaces.ts";

/**
 * A record of the `d` journal as read at open: the state keys it lists, and the sequence
 * number of a chunk record (undefined for a record of the one-key-per-record layout).
 */
export interface JournalRecord {
  readonly key: Uint8Array;
  readonly keys: readonly Uint8Array[];
  readonly sequence?: bigint;
}

/** Length of a chunk record's key: `d` ‖ 8-byte big-endian sequence number. */
const RECORD_KEY_LENGTH = 9;

/**
 * The key of journal chunk record `sequence`: `d` ‖ sequence (8 bytes, big-endian). The
 * one-key-per-record layout before it keyed a record by `d` ‖ state key (33 bytes or more),
 * so the two never collide.
 *
 * @example
 * ```ts
 * journalRecordKey(3n); // Uint8Array [0x64, 0, 0, 0, 0, 0, 0, 0, 3]
 * ```
 */
export function journalRecordKey(sequence: bigint): Uint8Array {
  const key = new Uint8Array(RECORD_KEY_LENGTH);
  key[0] = keyspaces.droppedState;
  new DataView(key.buffer).setBigUint64(1, sequence);
  return key;
}

/**
 * A chunk record's value: each state key as its length (one byte) and its bytes.
 *
 * @example
 * ```ts
 * encodeJournalKeys([Uint8Array.of(1, 2)]); // Uint8Array [2, 1, 2]
 * ```
 */
export function encodeJournalKeys(keys: Iterable<Uint8Array>): Uint8Array {
  let length = 0;
  const list = [...keys];
  for (const key of list) length += key.length + 1;
  const value = new Uint8Array(length);
  let offset = 0;
  for (const key of list) {
    value[offset] = key.length;
    value.set(key, offset + 1);
    offset += key.length + 1;
  }
  return value;
}

function corrupt(key: Uint8Array, reason: string): CustosError {
  return new CustosError(
    "CHAIN_DB_CORRUPT",
    `a dropped-state journal record is malformed: ${reason}`,
    {
      details: { keyspace: "droppedState", key: Buffer.from(key).toString("hex") },
    },
  );
}

/**
 * Reads one `d` record: a chunk record (`d` ‖ sequence → length-prefixed state keys) or a
 * record of the earlier layout (`d` ‖ state key → block number), which lists its own key.
 *
 * @throws CustosError `CHAIN_DB_CORRUPT` when the record is neither.
 * @example
 * ```ts
 * const { keys, sequence } = readJournalRecord(key, value);
 * ```
 */
export function readJournalRecord(key: Uint8Array, value: Uint8Array): JournalRecord {
  if (key[0] !== keyspaces.droppedState) throw corrupt(key, "not in the journal keyspace");
  if (key.length !== RECORD_KEY_LENGTH) {
    if (key.length < 2 || value.length !== 8) throw corrupt(key, "not a one-key record");
    return { key, keys: [key.slice(1)] };
  }
  const keys: Uint8Array[] = [];
  let offset = 0;
  while (offset < value.length) {
    const length = value[offset] as number;
    const end = offset + 1 + length;
    if (length === 0 || end > value.length) throw corrupt(key, "a key runs past the value");
    keys.push(value.slice(offset + 1, end));
    offset = end;
  }
  const sequence = new DataView(key.buffer, key.byteOffset, key.length).getBigUint64(1);
  return { key, keys, sequence };
}
