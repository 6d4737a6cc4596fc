import { isIP } from "node:net";
import type { PrivateKey } from "@libp2p/interface";
import { multiaddr } from "@multiformats/multiaddr";
import { CustosError } from "../../src/errors/index.ts";
import type { Address } from "./Address.ts";
import { addressOfPeerId } from "./addressOfPeerId.ts";
import { type NetworkLogger, silentNetworkLogger } from "./NetworkLogger.ts";
import { type NetworkMetrics, noopNetworkMetrics } from "./NetworkMetrics.ts";
import {
  defaultP2pLimits,
  defaultP2pTimeouts,
  type P2pLimits,
  type P2pNetworkOptions,
  type P2pTimeouts,
} from "./P2pNetworkOptions.ts";
import { defaultScoringPolicy, type ScoringPolicy } from "./PeerScores.ts";
import { libp2pKeyOfNodeKey, peerIdOfNodeKey } from "./peerIdOfNodeKey.ts";
import { defaultReconnectPolicy, type ReconnectPolicy } from "./Redialer.ts";
import type { ChainHead } from "./wire/headMessage.ts";

/** A bootnode: its peer id and its full multiaddr. */
export interface Bootnode {
  readonly peerId: string;
  readonly multiaddr: string;
}

/** {@link P2pNetworkOptions} checked, with every default filled in. */
export interface ResolvedNetworkOptions {
  readonly privateKey: PrivateKey;
  readonly peerId: string;
  readonly address: Address;
  readonly listen: { readonly host: string; readonly port: number };
  /** The port peers dial this node back on; undefined: the port it listens on. */
  readonly announcePort: number | undefined;
  readonly bootnodes: readonly Bootnode[];
  readonly chainId: bigint;
  readonly genesisHash: Uint8Array;
  readonly protocolVersion: number;
  readonly head: ChainHead;
  readonly isAllowed: (address: Address) => boolean | Promise<boolean>;
  readonly limits: P2pLimits;
  readonly timeouts: P2pTimeouts;
  readonly reconnect: ReconnectPolicy;
  readonly scoring: ScoringPolicy;
  readonly logger: NetworkLogger;
  readonly metrics: NetworkMetrics;
}

const U64_MAX = 2n ** 64n - 1n;
// A TCP bootnode with a peer id: the only kind the network dials.
const BOOTNODE = /^\/(ip4|ip6|dns4|dns6|dns)\/[^/]+\/tcp\/\d{1,5}\/p2p\/[1-9A-HJ-NP-Za-km-z]+$/;

function invalid(field: string, reason: string): CustosError {
  return new CustosError("CONFIG_INVALID", `${field} ${reason}`, { details: { field, reason } });
}

function integer(field: string, value: number, min: number, max: number): number {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw invalid(field, `must be an integer from ${min} to ${max}`);
  }
  return value;
}

function bytes32(field: string, value: unknown): Uint8Array {
  if (!(value instanceof Uint8Array) || value.length !== 32)
    throw invalid(field, "must be 32 bytes");
  return Uint8Array.from(value);
}

function resolveBootnode(value: unknown, index: number, self: string): Bootnode {
  const field = `bootnodes[${index}]`;
  if (typeof value !== "string" || !BOOTNODE.test(value)) {
    throw invalid(field, "must be a multiaddr /ip4|ip6|dns4|dns6/<host>/tcp/<port>/p2p/<peerId>");
  }
  try {
    multiaddr(value);
  } catch {
    throw invalid(field, "is not a valid multiaddr");
  }
  const peerId = value.slice(value.lastIndexOf("/") + 1);
  if (addressOfPeerId(peerId) === undefined) {
    throw invalid(field, "must name a secp256k1 peer id (a node key's)");
  }
  if (peerId === self) throw invalid(field, "is this node itself");
  return { peerId, multiaddr: value };
}

function resolveLimits(limits: Partial<P2pLimits> = {}): P2pLimits {
  const merged = { ...defaultP2pLimits, ...limits };
  const maxMessageBytes = integer("limits.maxMessageBytes", merged.maxMessageBytes, 1024, 2 ** 30);
  return {
    maxMessageBytes,
    maxPeers: integer("limits.maxPeers", merged.maxPeers, 1, 10_000),
    sendQueueFrames: integer("limits.sendQueueFrames", merged.sendQueueFrames, 1, 1_000_000),
    sendQueueBytes: integer("limits.sendQueueBytes", merged.sendQueueBytes, 1024, 2 ** 40),
    maxBlocksPerRequest: integer(
      "limits.maxBlocksPerRequest",
      merged.maxBlocksPerRequest,
      1,
      1_000_000,
    ),
  };
}

/**
 * Checks `createP2pNetwork`'s options and fills the defaults (after which nothing is read from
 * the caller's object again).
 *
 * @throws CustosError `CONFIG_INVALID` naming the field (`details.field`): a node key that is
 *   not a secp256k1 private key, a host that is not an IP literal, a port outside 0–65535, a
 *   bootnode that is not a TCP multiaddr ending in a secp256k1 `/p2p/` id, a chain id outside
 *   1–2^64−1, a genesis or head hash that is not 32 bytes, a protocol version that is not a
 *   u32, a missing `isAllowed`, or a limit, timeout or policy out of range.
 * @example
 * ```ts
 * const resolved = resolveNetworkOptions({ nodeKey, chainId: 1337n, genesisHash,
 *   protocolVersion: 1, isAllowed: () => true });
 * resolved.limits.maxMessageBytes; // 10 MiB
 * ```
 */
export function resolveNetworkOptions(options: P2pNetworkOptions): ResolvedNetworkOptions {
  const privateKey = libp2pKeyOfNodeKey(options.nodeKey);
  const peerId = peerIdOfNodeKey(options.nodeKey);
  const address = addressOfPeerId(peerId) as Address;
  const host = options.listen?.host ?? "127.0.0.1";
  if (typeof host !== "string" || isIP(host) === 0)
    throw invalid("listen.host", "must be an IP address");
  const port = integer("listen.port", options.listen?.port ?? 0, 0, 65_535);
  const announcePort =
    options.announcePort === undefined
      ? undefined
      : integer("announcePort", options.announcePort, 0, 65_535);
  if (!Array.isArray(options.bootnodes ?? [])) throw invalid("bootnodes", "must be an array");
  const bootnodes = (options.bootnodes ?? []).map((value, index) =>
    resolveBootnode(value, index, peerId),
  );
  if (typeof options.chainId !== "bigint" || options.chainId < 1n || options.chainId > U64_MAX) {
    throw invalid("chainId", "must be a bigint from 1 to 2^64-1");
  }
  const genesisHash = bytes32("genesisHash", options.genesisHash);
  const protocolVersion = integer("protocolVersion", options.protocolVersion, 0, 2 ** 32 - 1);
  const head = options.head ?? { number: 0n, hash: genesisHash };
  if (typeof head.number !== "bigint" || head.number < 0n || head.number > U64_MAX) {
    throw invalid("head.number", "must be a bigint from 0 to 2^64-1");
  }
  if (typeof options.isAllowed !== "function") throw invalid("isAllowed", "must be a function");
  const timeouts = { ...defaultP2pTimeouts, ...options.timeouts };
  const reconnect = { ...defaultReconnectPolicy, ...options.reconnect };
  const scoring = { ...defaultScoringPolicy, ...options.scoring };
  const day = 86_400_000;
  return {
    privateKey,
    peerId,
    address,
    listen: { host, port },
    announcePort,
    bootnodes,
    chainId: options.chainId,
    genesisHash,
    protocolVersion,
    head: { number: head.number, hash: bytes32("head.hash", head.hash) },
    isAllowed: options.isAllowed,
    limits: resolveLimits(options.limits),
    timeouts: {
      handshakeMs: integer("timeouts.handshakeMs", timeouts.handshakeMs, 1, day),
      requestMs: integer("timeouts.requestMs", timeouts.requestMs, 1, day),
    },
    reconnect: {
      baseMs: integer("reconnect.baseMs", reconnect.baseMs, 1, day),
      capMs: integer("reconnect.capMs", reconnect.capMs, reconnect.baseMs, day),
    },
    scoring: {
      threshold: integer("scoring.threshold", scoring.threshold, 1, 1_000_000),
      halfLifeMs: integer("scoring.halfLifeMs", scoring.halfLifeMs, 1, 365 * day),
      banMs: integer("scoring.banMs", scoring.banMs, 0, 365 * day),
    },
    logger: options.logger ?? silentNetworkLogger,
    metrics: options.metrics ?? noopNetworkMetrics,
  };
}
