import type { Address } from "./Address.ts";
import type { NetworkLogger } from "./NetworkLogger.ts";
import type { NetworkMetrics } from "./NetworkMetrics.ts";
import type { ScoringPolicy } from "./PeerScores.ts";
import type { ReconnectPolicy } from "./Redialer.ts";
import type { ChainHead } from "./wire/headMessage.ts";

/** Bounds on what the network holds and accepts. */
export interface P2pLimits {
  /**
   * Largest payload of one frame, in bytes: a consensus message (a proposal carries a whole
   * block), a transaction batch, a sync response. Larger incoming frames are refused as soon
   * as their length arrives.
   */
  readonly maxMessageBytes: number;
  /** Peers admitted at once; the gater refuses more. */
  readonly maxPeers: number;
  /** Frames queued per peer and protocol before the oldest is dropped. */
  readonly sendQueueFrames: number;
  /** Bytes queued per peer and protocol before the oldest frames are dropped. */
  readonly sendQueueBytes: number;
  /** Most blocks or headers one sync response carries (a request asking more is capped). */
  readonly maxBlocksPerRequest: number;
}

/** Defaults of {@link P2pLimits}. */
export const defaultP2pLimits: P2pLimits = {
  maxMessageBytes: 10 * 1024 * 1024,
  maxPeers: 64,
  sendQueueFrames: 1024,
  sendQueueBytes: 64 * 1024 * 1024,
  maxBlocksPerRequest: 512,
};

/** Time limits. */
export interface P2pTimeouts {
  /** A connection whose status handshake has not completed by then is closed. */
  readonly handshakeMs: number;
  /** A sync request without a full answer by then fails with `P2P_TIMEOUT`. */
  readonly requestMs: number;
}

/** Defaults of {@link P2pTimeouts}. */
export const defaultP2pTimeouts: P2pTimeouts = { handshakeMs: 5_000, requestMs: 10_000 };

/** Options of `createP2pNetwork`. */
export interface P2pNetworkOptions {
  /** The node key: a 32-byte secp256k1 private key (a validator's signing key). */
  readonly nodeKey: Uint8Array;
  /** Where to listen for TCP: host (an IP literal, default 127.0.0.1), port (0 = any free). */
  readonly listen?: { readonly host?: string; readonly port?: number };
  /**
   * The TCP port peers should dial this node back on, sent in the status handshake: the
   * forwarded port of a node behind NAT or a proxy; 0 when peers must not dial it back (it
   * only dials out). Default: the port it listens on.
   */
  readonly announcePort?: number;
  /** Peers to dial at start and re-dial when they go away: `/ip4/…/tcp/…/p2p/<peerId>`. */
  readonly bootnodes?: readonly string[];
  /** EIP-155 chain id; peers on another chain are refused. */
  readonly chainId: bigint;
  /** Hash of block 0 (32 bytes); peers with another genesis are refused. */
  readonly genesisHash: Uint8Array;
  /** Custos p2p protocol version (an unsigned 32-bit integer); peers must match. */
  readonly protocolVersion: number;
  /** Our head at start; default block 0 with the genesis hash. */
  readonly head?: ChainHead;
  /**
   * The allow-list: whether the account may connect (registered in the Consortium). Asked for
   * every connection in either direction and by `refreshAllowList`; an error counts as no.
   */
  readonly isAllowed: (address: Address) => boolean | Promise<boolean>;
  readonly limits?: Partial<P2pLimits>;
  readonly timeouts?: Partial<P2pTimeouts>;
  readonly reconnect?: Partial<ReconnectPolicy>;
  readonly scoring?: Partial<ScoringPolicy>;
  /** Default: silent. */
  readonly logger?: NetworkLogger;
  /** Default: counts nothing. */
  readonly metrics?: NetworkMetrics;
}
