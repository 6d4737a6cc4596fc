import { Level } from "level";
import { CustosError, isCustosError } from "../errors/index.ts";
import type { ConsentIndexStore, StoredConsent, StoredSyncPosition } from "./ConsentIndexStore.ts";
import { packConsentState, unpackConsentState } from "./packConsentState.ts";

/** Options of {@link createLevelConsentIndexStore}. */
export interface LevelConsentIndexStoreOptions {
  /** Directory of the level database (created if missing). */
  readonly location: string;
}

/** A {@link ConsentIndexStore} on level; close it when done. */
export interface LevelConsentIndexStore extends ConsentIndexStore {
  /** Closes the database; later calls fail with `CONSENT_INDEX_STORE_FAILED`. */
  close(): Promise<void>;
}

/** Key prefixes: one keyspace for the position, one for records (prefix + 32-byte subject). */
const POSITION_KEY = Uint8Array.of(0x00);
const RECORD_PREFIX = 0x01;
const RECORDS_START = Uint8Array.of(RECORD_PREFIX);
const RECORDS_END = Uint8Array.of(RECORD_PREFIX + 1);

const HEX = /^0x[0-9a-fA-F]{64}$/;

function failed(cause: unknown, operation: string): CustosError {
  if (isCustosError(cause)) return cause;
  return new CustosError("CONSENT_INDEX_STORE_FAILED", `consent store ${operation} failed`, {
    details: { operation },
    cause,
  });
}

function recordKey(subject: string): Uint8Array {
  if (!HEX.test(subject)) {
    throw new CustosError("INVALID_ARGUMENT", "stored subject must be bytes32 hex", {
      details: { field: "records.subject" },
    });
  }
  const key = new Uint8Array(33);
  key[0] = RECORD_PREFIX;
  key.set(Buffer.from(subject.slice(2), "hex"), 1);
  return key;
}

function encodePosition(position: StoredSyncPosition): Uint8Array {
  if (!Number.isSafeInteger(position.blockNumber) || position.blockNumber < 0) {
    throw new CustosError("INVALID_ARGUMENT", "position block must be a non-negative integer", {
      details: { field: "position.blockNumber" },
    });
  }
  return new TextEncoder().encode(
    JSON.stringify({ format: 1, blockNumber: position.blockNumber, scope: position.scope }),
  );
}

function decodePosition(bytes: Uint8Array): StoredSyncPosition {
  const corrupt = new CustosError(
    "CONSENT_INDEX_STORE_CORRUPT",
    "stored sync position is malformed",
    {
      details: { key: "position", problem: "malformed" },
    },
  );
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    throw corrupt;
  }
  const v = value as { format?: unknown; blockNumber?: unknown; scope?: unknown };
  if (
    v === null ||
    typeof v !== "object" ||
    v.format !== 1 ||
    !Number.isSafeInteger(v.blockNumber) ||
    (v.blockNumber as number) < 0 ||
    (v.scope !== null && typeof v.scope !== "string")
  ) {
    throw corrupt;
  }
  return { blockNumber: v.blockNumber as number, scope: v.scope as string | null };
}

/**
 * A consent index store on a level database: per subject one key (`0x01 ‖ subject`, 33
 * bytes) holding the latest record packed into 30 bytes, and the sync position under `0x00`;
 * each commit is one level batch, so the records of a range and its position land together.
 * The only file of the consent module doing storage I/O.
 *
 * @throws CustosError (from the methods) `CONSENT_INDEX_STORE_FAILED` on I/O errors,
 *   `CONSENT_INDEX_STORE_CORRUPT` on undecodable content.
 * @example
 * ```ts
 * const store = createLevelConsentIndexStore({ location: "/var/lib/custos/consent-index" });
 * const sync = createConsentIndexSync({ index, source, store, fromBlock, now });
 * // …
 * await store.close();
 * ```
 */
export function createLevelConsentIndexStore(
  options: LevelConsentIndexStoreOptions,
): LevelConsentIndexStore {
  if (typeof options?.location !== "string" || options.location === "") {
    throw new CustosError("INVALID_ARGUMENT", "location must be a directory path", {
      details: { field: "location" },
    });
  }
  const db = new Level<Uint8Array, Uint8Array>(options.location, {
    keyEncoding: "view",
    valueEncoding: "view",
  });

  return {
    async readPosition(signal) {
      signal?.throwIfAborted();
      let bytes: Uint8Array | undefined;
      try {
        bytes = await db.get(POSITION_KEY);
      } catch (cause) {
        throw failed(cause, "read");
      }
      return bytes === undefined ? null : decodePosition(bytes);
    },
    async *records(signal): AsyncGenerator<StoredConsent> {
      signal?.throwIfAborted();
      let iterator: ReturnType<typeof db.iterator>;
      try {
        iterator = db.iterator({ gte: RECORDS_START, lt: RECORDS_END });
      } catch (cause) {
        throw failed(cause, "read");
      }
      try {
        for (;;) {
          let entries: [Uint8Array, Uint8Array][];
          try {
            entries = (await iterator.nextv(4096)) as [Uint8Array, Uint8Array][];
          } catch (cause) {
            throw failed(cause, "read");
          }
          if (entries.length === 0) return;
          signal?.throwIfAborted();
          for (const [key, value] of entries) {
            if (key.length !== 33) {
              throw new CustosError(
                "CONSENT_INDEX_STORE_CORRUPT",
                "stored record key is malformed",
                {
                  details: { key: "record", problem: "key length" },
                },
              );
            }
            yield {
              subject: `0x${Buffer.from(key.buffer, key.byteOffset + 1, 32).toString("hex")}`,
              state: unpackConsentState(value),
            };
          }
        }
      } finally {
        await iterator.close().catch(() => undefined);
      }
    },
    async commit(commit, signal) {
      signal?.throwIfAborted();
      const operations: { type: "put"; key: Uint8Array; value: Uint8Array }[] = commit.records.map(
        (record) => ({
          type: "put",
          key: recordKey(record.subject),
          value: packConsentState(record.state),
        }),
      );
      operations.push({ type: "put", key: POSITION_KEY, value: encodePosition(commit.position) });
      try {
        await db.batch(operations);
      } catch (cause) {
        throw failed(cause, "write");
      }
    },
    async close() {
      try {
        await db.close();
      } catch (cause) {
        throw failed(cause, "close");
      }
    },
  };
}
