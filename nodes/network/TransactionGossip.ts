import { keccak_256 } from "@noble/hashes/sha3.js";
import type { Listeners } from "./Listeners.ts";
import type { NetworkContext } from "./NetworkContext.ts";
import type { TransactionsHandler } from "./P2pNetwork.ts";
import type { PeerSession } from "./PeerSession.ts";
import { RecentSet } from "./RecentSet.ts";
import { byteListOverhead } from "./wire/byteList.ts";
import { encodeFrame } from "./wire/encodeFrame.ts";
import { FrameType } from "./wire/frameTypes.ts";
import { decodeTransactionBatch, encodeTransactionBatch } from "./wire/transactionBatch.ts";

/** How many transaction keys the node remembers as seen. */
const SEEN = 65_536;

/** A compact key of a raw transaction: 16 bytes of its keccak-256 as a latin1 string. */
function txKey(rawTx: Uint8Array): string {
  return Buffer.from(keccak_256(rawTx).subarray(0, 16)).toString("latin1");
}

/**
 * Transaction propagation over `/custos/tx/1`, the way Ethereum's devp2p does it: each
 * transaction goes to every peer not known to have it (the peer sent it to us, or we sent it
 * already), in batches up to the message limit. Received transactions reach the handlers once
 * per node (a bounded seen-set), and are not relayed here: the caller gossips what its pool
 * admitted, so only valid transactions travel further. In a full mesh of n nodes a transaction
 * costs at most n(n−1)/2 sends.
 *
 * @example
 * ```ts
 * const gossip = new TransactionGossip(context, listeners);
 * gossip.gossip([rawTx]);
 * gossip.receive(session, framePayload); // from the inbound stream
 * ```
 */
export class TransactionGossip {
  readonly #context: NetworkContext;
  readonly #listeners: Listeners<TransactionsHandler>;
  readonly #seen = new RecentSet<string>(SEEN);

  constructor(context: NetworkContext, listeners: Listeners<TransactionsHandler>) {
    this.#context = context;
    this.#listeners = listeners;
  }

  gossip(rawTxs: readonly Uint8Array[]): void {
    const { limits, metrics } = this.#context.options;
    const largest = limits.maxMessageBytes - byteListOverhead(1);
    const keyed: [string, Uint8Array][] = [];
    for (const rawTx of rawTxs) {
      if (rawTx.length === 0 || rawTx.length > largest) {
        metrics.increment("p2p_transactions_skipped_total", { reason: "size" });
        continue;
      }
      const key = txKey(rawTx);
      this.#seen.add(key);
      keyed.push([key, rawTx]);
    }
    if (keyed.length === 0) return;
    for (const session of this.#context.sessions.all()) {
      const fresh = keyed.filter(([key]) => session.knownTxs.add(key)).map(([, rawTx]) => rawTx);
      for (const batch of batches(fresh, limits.maxMessageBytes)) {
        session.sendTransactions(
          encodeFrame(FrameType.transactions, encodeTransactionBatch(batch)),
        );
        metrics.increment("p2p_messages_sent_total", { protocol: "transactions" });
      }
    }
  }

  /**
   * Takes a batch from a peer.
   *
   * @throws CustosError `P2P_MESSAGE_INVALID` when the batch does not decode (the caller's
   *   stream reader counts it and penalises the peer).
   */
  receive(session: PeerSession, payload: Uint8Array): void {
    const fresh: Uint8Array[] = [];
    for (const rawTx of decodeTransactionBatch(payload)) {
      const key = txKey(rawTx);
      session.knownTxs.add(key);
      if (this.#seen.add(key)) fresh.push(rawTx);
    }
    if (fresh.length > 0) this.#listeners.emit(fresh, session.address);
  }
}

/** Splits transactions into consecutive batches whose encoding fits `maxBytes`. */
function* batches(rawTxs: readonly Uint8Array[], maxBytes: number): Generator<Uint8Array[]> {
  let batch: Uint8Array[] = [];
  let size = byteListOverhead(0);
  for (const rawTx of rawTxs) {
    const cost = 4 + rawTx.length;
    if (batch.length > 0 && size + cost > maxBytes) {
      yield batch;
      batch = [];
      size = byteListOverhead(0);
    }
    batch.push(rawTx);
    size += cost;
  }
  if (batch.length > 0) yield batch;
}
