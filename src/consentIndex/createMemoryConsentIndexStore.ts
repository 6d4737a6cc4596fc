import type { ConsentIndexStore, StoredConsent, StoredSyncPosition } from "./ConsentIndexStore.ts";
import { packConsentState, unpackConsentState } from "./packConsentState.ts";

/**
 * A {@link ConsentIndexStore} in memory, with the level store's encoding (records packed to
 * 30 bytes): for tests, and for hosts that rebuild the index from the chain at every start.
 *
 * @example
 * ```ts
 * const sync = createConsentIndexSync({ index, source, store: createMemoryConsentIndexStore(), fromBlock, now });
 * ```
 */
export function createMemoryConsentIndexStore(): ConsentIndexStore {
  const records = new Map<string, Uint8Array>();
  let position: StoredSyncPosition | null = null;
  return {
    async readPosition(signal) {
      signal?.throwIfAborted();
      return position;
    },
    async *records(signal): AsyncGenerator<StoredConsent> {
      signal?.throwIfAborted();
      for (const subject of [...records.keys()].sort()) {
        yield {
          subject: subject as `0x${string}`,
          state: unpackConsentState(records.get(subject) as Uint8Array),
        };
      }
    },
    async commit(commit, signal) {
      signal?.throwIfAborted();
      // Encode everything first so a malformed record leaves the store unchanged (atomic).
      const packed = commit.records.map(
        (r) => [r.subject.toLowerCase(), packConsentState(r.state)] as const,
      );
      for (const [subject, bytes] of packed) records.set(subject, bytes);
      position = { blockNumber: commit.position.blockNumber, scope: commit.position.scope };
    },
  };
}
