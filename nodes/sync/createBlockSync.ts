import { CustosError, isCustosError } from "../../src/errors/index.ts";
import type { BlockImporter } from "./BlockImporter.ts";
import type { BlockSource, SyncPeer } from "./BlockSource.ts";

/** What a sync is doing, for `/readiness` and metrics. */
export interface BlockSyncStatus {
  readonly syncing: boolean;
  /** The height the running sync brings the chain to. */
  readonly target: bigint | undefined;
  /** Blocks imported since the node started. */
  readonly imported: number;
}

/** Brings the chain up to a height with blocks from peers. */
export interface BlockSync {
  /**
   * Imports blocks from peers until the head is at `height` or above. Resolves at once when
   * it already is.
   *
   * @throws CustosError `SYNC_NO_PEER` when no connected peer (left) has the next block —
   *   peers that failed a request or served a bad block are not asked again in this call;
   *   `NODE_ABORTED` when `signal` aborts; the importer's own errors other than a bad block.
   */
  syncTo(height: bigint, signal: AbortSignal): Promise<void>;
  status(): BlockSyncStatus;
}

/** Options of {@link createBlockSync}. */
export interface BlockSyncOptions {
  readonly source: BlockSource;
  readonly importer: BlockImporter;
  /** Most blocks asked of a peer at once. */
  readonly batchSize?: number;
}

/** Defaults of {@link BlockSyncOptions}. */
export const defaultBlockSyncOptions = { batchSize: 128 } as const;

const PEER_FAULTS = new Set(["BLOCK_INVALID", "QBFT_SEAL_INVALID"]);

/** A batch asked for before the previous one was imported. */
interface Prefetch {
  readonly peerId: string;
  readonly from: bigint;
  readonly blocks: Promise<readonly Uint8Array[]>;
}

function aborted(signal: AbortSignal): CustosError {
  return new CustosError("NODE_ABORTED", "block sync stopped", { cause: signal.reason });
}

/** The peer with the highest head that has block `next`, ties by peer id (deterministic). */
function bestPeer(
  peers: readonly SyncPeer[],
  next: bigint,
  excluded: ReadonlySet<string>,
): SyncPeer | undefined {
  let best: SyncPeer | undefined;
  for (const peer of peers) {
    if (peer.head < next || excluded.has(peer.peerId)) continue;
    if (best === undefined || peer.head > best.head) best = peer;
    else if (peer.head === best.head && peer.peerId < best.peerId) best = peer;
  }
  return best;
}

class PeerBlockSync implements BlockSync {
  readonly #source: BlockSource;
  readonly #importer: BlockImporter;
  readonly #batchSize: number;
  #target: bigint | undefined;
  #imported = 0;

  constructor(options: BlockSyncOptions) {
    this.#source = options.source;
    this.#importer = options.importer;
    this.#batchSize = options.batchSize ?? defaultBlockSyncOptions.batchSize;
    if (!Number.isSafeInteger(this.#batchSize) || this.#batchSize < 1) {
      throw new CustosError("INVALID_ARGUMENT", "batchSize must be a positive integer", {
        details: { field: "batchSize", value: this.#batchSize },
      });
    }
  }

  status(): BlockSyncStatus {
    return { syncing: this.#target !== undefined, target: this.#target, imported: this.#imported };
  }

  async syncTo(height: bigint, signal: AbortSignal): Promise<void> {
    this.#target = height;
    try {
      await this.#run(height, signal);
    } finally {
      this.#target = undefined;
      await this.#importer.flush();
    }
  }

  /** Blocks to ask for after `head` on the way to `height`: at most a batch. */
  #wanted(head: bigint, height: bigint): number {
    return height - head < BigInt(this.#batchSize) ? Number(height - head) : this.#batchSize;
  }

  async #run(height: bigint, signal: AbortSignal): Promise<void> {
    // Peers that failed once are not asked again in this call: a lying or stuck peer cannot
    // hold the sync in a loop, and the caller retries with fresh peers later.
    const excluded = new Set<string>();
    let prefetched: Prefetch | undefined;
    for (;;) {
      if (signal.aborted) throw aborted(signal);
      const head = this.#importer.headNumber();
      if (head >= height) return;
      const next = head + 1n;
      const peers = this.#source.peers();
      const peer = bestPeer(peers, next, excluded);
      if (peer === undefined) {
        throw new CustosError("SYNC_NO_PEER", `no connected peer has block ${next}`, {
          details: {
            wanted: next.toString(),
            target: height.toString(),
            peers: peers.map((p) => ({ peerId: p.peerId, head: p.head.toString() })),
            excluded: [...excluded],
          },
        });
      }
      const wanted = this.#wanted(head, height);
      const request =
        prefetched !== undefined && prefetched.peerId === peer.peerId && prefetched.from === next
          ? prefetched.blocks
          : this.#source.requestBlocks(peer.peerId, next, wanted, signal);
      prefetched = undefined;
      let blocks: readonly Uint8Array[];
      try {
        blocks = await request;
      } catch {
        if (signal.aborted) throw aborted(signal);
        excluded.add(peer.peerId);
        continue;
      }
      // The next batch travels while this one is imported.
      const after = next + BigInt(blocks.length);
      if (blocks.length > 0 && after <= height && after <= peer.head) {
        const more = this.#wanted(after - 1n, height);
        const ahead = this.#source.requestBlocks(peer.peerId, after, more, signal);
        // Handled here: a prefetch left behind (the sync ended or moved to another peer) must
        // not surface as an unhandled rejection; one that is used is awaited below.
        ahead.catch(() => undefined);
        prefetched = { peerId: peer.peerId, from: after, blocks: ahead };
      }
      if (blocks.length === 0) excluded.add(peer.peerId);
      for (const encoded of blocks) {
        if (signal.aborted) throw aborted(signal);
        try {
          await this.#importer.importBlock(encoded, signal);
        } catch (error) {
          if (!isCustosError(error) || !PEER_FAULTS.has(error.code)) throw error;
          this.#source.penalise(peer.peerId, "invalid-block");
          excluded.add(peer.peerId);
          break;
        }
        this.#imported++;
      }
      await this.#importer.flush();
    }
  }
}

/**
 * Creates block sync: fetches consecutive blocks from the connected peer with the highest
 * head, in batches (the next one asked for while the current one is imported), and hands
 * each to the importer, which verifies its seals and execution
 * before committing it. A peer whose request fails is passed over for the rest of the call;
 * one that serves a block that does not verify is also penalised. A node with empty storage
 * catches up this way from any peer, and a validator that missed blocks (it was down, or
 * its storage lost them) catches up before it votes again.
 *
 * @throws CustosError `INVALID_ARGUMENT` for a batch size that is not a positive integer.
 * @example
 * ```ts
 * const sync = createBlockSync({ source, importer });
 * await sync.syncTo(1_000n, controller.signal);
 * ```
 */
export function createBlockSync(options: BlockSyncOptions): BlockSync {
  return new PeerBlockSync(options);
}
