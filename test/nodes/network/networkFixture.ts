import { keccak_256 } from "@noble/hashes/sha3.js";
import { afterEach } from "vitest";
import {
  type Address,
  addressOfPeerId,
  type CountingMetrics,
  createCountingMetrics,
  createP2pNetwork,
  type NetworkLogger,
  type P2pNetwork,
  type P2pNetworkOptions,
  peerIdOfNodeKey,
} from "../../../nodes/network/index.ts";

/** Genesis hash of the test chain. */
export const GENESIS = keccak_256(new TextEncoder().encode("custos p2p test genesis"));
export const CHAIN_ID = 1337n;
export const PROTOCOL_VERSION = 1;

/** A deterministic node key. */
export function nodeKey(index: number): Uint8Array {
  return keccak_256(new TextEncoder().encode(`custos p2p test key ${index}`));
}

export function addressOfKey(key: Uint8Array): Address {
  return addressOfPeerId(peerIdOfNodeKey(key)) as Address;
}

/** One log record captured by {@link TestNode}'s logger. */
export interface LogRecord {
  readonly level: "debug" | "info" | "warn" | "error";
  readonly fields: Record<string, unknown>;
  readonly message: string;
}

/** A network under test with its allow-list, counters and log. */
export interface TestNode {
  readonly key: Uint8Array;
  readonly network: P2pNetwork;
  readonly allowed: Set<Address>;
  readonly metrics: CountingMetrics;
  readonly logs: LogRecord[];
}

function capture(logs: LogRecord[]): NetworkLogger {
  const record = (level: LogRecord["level"]) => (fields: object, message: string) => {
    logs.push({ level, fields: fields as Record<string, unknown>, message });
  };
  return {
    debug: record("debug"),
    info: record("info"),
    warn: record("warn"),
    error: record("error"),
  };
}

/** Options that keep in-process tests quick: short handshakes, requests and back-off. */
export const quick = {
  timeouts: { handshakeMs: 2_000, requestMs: 2_000 },
  reconnect: { baseMs: 100, capMs: 400 },
} as const;

/**
 * Starts a network on 127.0.0.1 (ephemeral port unless given) for key `index`, allowing the
 * listed keys' addresses.
 */
export async function startNode(
  index: number,
  allow: readonly number[],
  overrides: Partial<P2pNetworkOptions> = {},
): Promise<TestNode> {
  const key = nodeKey(index);
  const allowed = new Set(allow.map((i) => addressOfKey(nodeKey(i))));
  const metrics = createCountingMetrics();
  const logs: LogRecord[] = [];
  const network = await createP2pNetwork({
    nodeKey: key,
    chainId: CHAIN_ID,
    genesisHash: GENESIS,
    protocolVersion: PROTOCOL_VERSION,
    isAllowed: (address) => allowed.has(address),
    metrics,
    logger: capture(logs),
    ...quick,
    ...overrides,
  });
  return { key, network, allowed, metrics, logs };
}

/** The node's first listen address, for another node's bootnodes. */
export function bootnodeOf(node: TestNode): string {
  const [address] = node.network.multiaddrs();
  if (address === undefined) throw new Error("the node listens nowhere");
  return address;
}

/** Peer ids of a node's established sessions, sorted. */
export function peerIdsOf(node: TestNode): string[] {
  return node.network
    .peers()
    .map((peer) => peer.peerId)
    .sort();
}

/**
 * Starts test nodes for one test file (arguments as {@link startNode}) and stops every one of
 * them after each test.
 *
 * @example
 * ```ts
 * const start = useTestNodes();
 * const a = await start(1, [1, 2]);
 * ```
 */
export function useTestNodes(): (...args: Parameters<typeof startNode>) => Promise<TestNode> {
  const running: TestNode[] = [];
  afterEach(async () => {
    await Promise.all(running.splice(0).map((node) => node.network.stop()));
  });
  return async (...args) => {
    const node = await startNode(...args);
    running.push(node);
    return node;
  };
}
