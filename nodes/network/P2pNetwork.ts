import type { Address } from "./Address.ts";
import type { PenaltyReason } from "./PeerScores.ts";
import type { ChainHead } from "./wire/headMessage.ts";

/** A connected peer that completed the status handshake. */
export interface PeerSummary {
  /** Its libp2p peer id (base58). */
  readonly peerId: string;
  /** The Ethereum address of its node key. */
  readonly address: Address;
  /** Its latest announced head. */
  readonly head: ChainHead;
  /** Whether we dialled it (`outbound`) or it dialled us (`inbound`). */
  readonly direction: "inbound" | "outbound";
  /** When its handshake completed, ms since the epoch. */
  readonly connectedSince: number;
}

/** Receives a consensus message; must not throw (errors are logged and counted). */
export type ConsensusHandler = (message: Uint8Array, from: Address) => void;

/** Receives transactions not seen before from any peer, still undecoded. */
export type TransactionsHandler = (rawTxs: readonly Uint8Array[], from: Address) => void;

/** Receives a peer's head, at its handshake and at each announcement. */
export type PeerHeadHandler = (head: ChainHead, peer: { peerId: string; address: Address }) => void;

/**
 * Serves a sync request: up to `count` consecutive items (raw block RLPs, or raw header RLPs
 * for the header variant) from block `fromNumber`, in order; fewer (or none) when it has fewer.
 * `count` is already capped at `limits.maxBlocksPerRequest`; the network trims the answer to
 * `limits.maxMessageBytes`.
 */
export type SyncServer = (
  fromNumber: bigint,
  count: number,
  signal: AbortSignal,
) => Promise<readonly Uint8Array[]>;

/** Options of one sync request. */
export interface SyncRequestOptions {
  /** Cancels the request (the promise rejects with `NODE_ABORTED`). */
  readonly signal?: AbortSignal;
  /** Overrides `timeouts.requestMs` for this request. */
  readonly timeoutMs?: number;
}

/**
 * The node's p2p network: allow-listed peers, a status handshake, consensus messages point to
 * point, gossiped transactions and block sync, over libp2p (TCP, noise, yamux). Everything it
 * carries is opaque bytes; callers verify seals and signatures and call {@link penalise} when
 * a peer sends something invalid. Peers are named by peer id (base58 string) or by the
 * Ethereum address of their node key; nothing in this API is tied to one process.
 */
export interface P2pNetwork {
  /** Our peer id. */
  readonly peerId: string;
  /** Our Ethereum address (that of the node key). */
  readonly address: Address;

  /** Addresses we listen on, each ending in `/p2p/<peerId>`, usable as bootnodes. */
  multiaddrs(): string[];
  /** Peers that completed the handshake. */
  peers(): PeerSummary[];

  /** Records our new head and announces it to every peer. */
  announceHead(number: bigint, hash: Uint8Array): void;
  /** Calls `handler` with each peer head (at handshake and announcement); returns an unsubscribe. */
  onPeerHead(handler: PeerHeadHandler): () => void;

  /**
   * Queues `message` to each connected peer whose address is in `addresses` (each once; our
   * own address and unknown or unconnected addresses are skipped; nothing is relayed onward).
   * Returns how many peers it was queued to.
   */
  sendToValidators(addresses: readonly string[], message: Uint8Array): number;
  /** Calls `handler` with each consensus message received; returns an unsubscribe. */
  onConsensusMessage(handler: ConsensusHandler): () => void;

  /**
   * Sends transactions to every peer not known to have them. The network does not relay what
   * it receives: the caller gossips what its pool admitted, so invalid transactions stop at the
   * first honest node.
   */
  gossipTransactions(rawTxs: readonly Uint8Array[]): void;
  /** Calls `handler` with transactions not seen before; returns an unsubscribe. */
  onTransactions(handler: TransactionsHandler): () => void;

  /** Asks a peer for up to `count` raw block RLPs from `fromNumber`. */
  requestBlocks(
    peerId: string,
    fromNumber: bigint,
    count: number,
    options?: SyncRequestOptions,
  ): Promise<Uint8Array[]>;
  /** Asks a peer for up to `count` raw header RLPs from `fromNumber`. */
  requestHeaders(
    peerId: string,
    fromNumber: bigint,
    count: number,
    options?: SyncRequestOptions,
  ): Promise<Uint8Array[]>;
  /** Installs the block server (one; a later call replaces it). */
  serveBlocks(handler: SyncServer): void;
  /** Installs the header server (one; a later call replaces it). */
  serveHeaders(handler: SyncServer): void;

  /**
   * Penalises a peer (by peer id or address) for `reason`; past the threshold it is
   * disconnected and refused for the ban period. Returns false when the peer is unknown.
   */
  penalise(peer: string, reason: PenaltyReason): boolean;
  /** Asks `isAllowed` again for every connected peer and disconnects those now refused. */
  refreshAllowList(): Promise<void>;

  /** Closes every connection and stops listening, within a few seconds. Idempotent. */
  stop(): Promise<void>;
}
