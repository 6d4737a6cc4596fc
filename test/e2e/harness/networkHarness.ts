import {
  decodeQbftExtraData,
  headerFromRpc,
  recoverCommitters,
} from "../../../nodes/chain/index.ts";
import type { LocalNetworkNode } from "../../../nodes/localnet/index.ts";

/** A JSON-RPC block as the tests read it. */
export interface RpcBlock {
  readonly number: string;
  readonly hash: string;
  readonly parentHash: string;
  readonly extraData: string;
  readonly [field: string]: unknown;
}

/** The node's JSON-RPC URL. */
export function urlOf(node: LocalNetworkNode): string {
  return `http://127.0.0.1:${node.rpcPort}`;
}

/** One JSON-RPC call; rejects on an error answer or when the node does not answer in 3 s. */
export async function rpc<T>(node: LocalNetworkNode, method: string, params: unknown[] = []) {
  const response = await fetch(urlOf(node), {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
    signal: AbortSignal.timeout(3_000),
  });
  const body = (await response.json()) as { result?: T; error?: { message: string } };
  if (body.error !== undefined) throw new Error(`${method}: ${body.error.message}`);
  return body.result as T;
}

/** The node's head number. */
export async function heightOf(node: LocalNetworkNode): Promise<number> {
  return Number(await rpc<string>(node, "eth_blockNumber"));
}

/** Block `number` of a node, or undefined when it does not have it. */
export async function blockOf(
  node: LocalNetworkNode,
  number: number,
): Promise<RpcBlock | undefined> {
  const block = await rpc<RpcBlock | null>(node, "eth_getBlockByNumber", [
    `0x${number.toString(16)}`,
    false,
  ]);
  return block ?? undefined;
}

/** The validators a block's extraData lists and the addresses its commit seals recover to. */
export function sealsOf(block: RpcBlock): { validators: string[]; committers: string[] } {
  const header = headerFromRpc(block);
  const extra = decodeQbftExtraData(header.extraData);
  const hex = (bytes: Uint8Array) => `0x${Buffer.from(bytes).toString("hex")}`;
  return {
    validators: extra.validators.map(hex),
    committers: recoverCommitters(header).map(hex),
  };
}

/** Polls `check` every 250 ms until it returns a value other than undefined, or throws after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  timeoutMs: number,
  check: () => Promise<T | undefined>,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`, { cause: last });
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** Waits until every node in `nodes` has a head at or above `height`. */
export function waitForHeight(
  nodes: readonly LocalNetworkNode[],
  height: number,
  timeoutMs: number,
): Promise<true> {
  return waitFor(
    `height ${height} on ${nodes.map((n) => n.name).join(", ")}`,
    timeoutMs,
    async () => {
      const heights = await Promise.all(nodes.map(heightOf));
      return heights.every((h) => h >= height) ? true : undefined;
    },
  );
}

/**
 * Asserts there is no fork: at every height from 1 to `upTo`, all `nodes` hold the same
 * block hash. Returns the hashes.
 */
export async function assertOneChain(
  nodes: readonly LocalNetworkNode[],
  upTo: number,
): Promise<string[]> {
  const hashes: string[] = [];
  for (let number = 1; number <= upTo; number++) {
    const seen = await Promise.all(nodes.map(async (node) => (await blockOf(node, number))?.hash));
    const distinct = new Set(seen);
    if (distinct.size !== 1 || seen[0] === undefined) {
      throw new Error(
        `fork or hole at block ${number}: ${nodes.map((n, i) => `${n.name}=${seen[i]}`).join(" ")}`,
      );
    }
    hashes.push(seen[0]);
  }
  return hashes;
}
