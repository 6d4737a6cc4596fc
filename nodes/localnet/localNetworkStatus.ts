import { bytesToHex, hexToBytes } from "@ethereumjs/util";
import { decodeQbftExtraData } from "../chain/index.ts";
import type { LocalNetwork } from "./LocalNetwork.ts";

/** One node's state as `network status` shows it. */
export interface LocalNodeStatus {
  readonly name: string;
  readonly kind: "hospital" | "observer";
  readonly rpcUrl: string;
  /** False when the node does not answer. */
  readonly up: boolean;
  /** `/readiness`: serving, in sync, consensus running. */
  readonly ready?: boolean;
  /** Head block number. */
  readonly height?: bigint;
  /** QBFT round of the height being decided. */
  readonly round?: number;
  readonly peers?: number;
  /** Validators named in the head block's extraData (the set that sealed it), 0x-hex. */
  readonly validators?: readonly string[];
}

const TIMEOUT_MS = 2_000;

async function rpc(url: string, method: string, params: unknown[] = []): Promise<unknown> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
    signal: AbortSignal.timeout(TIMEOUT_MS),
  });
  const body = (await response.json()) as { result?: unknown };
  return body.result;
}

/** The value of an unlabelled Prometheus sample, e.g. `custos_consensus_round 0`. */
function sample(metrics: string, name: string): number | undefined {
  const match = new RegExp(`^${name} (\\S+)$`, "m").exec(metrics);
  return match === null ? undefined : Number(match[1]);
}

async function statusOf(node: LocalNetwork["nodes"][number]): Promise<LocalNodeStatus> {
  const rpcUrl = `http://127.0.0.1:${node.rpcPort}`;
  const base = { name: node.name, kind: node.kind, rpcUrl };
  try {
    const [block, peers, metrics, readiness] = await Promise.all([
      rpc(rpcUrl, "eth_getBlockByNumber", ["latest", false]),
      rpc(rpcUrl, "net_peerCount"),
      fetch(`${rpcUrl}/metrics`, { signal: AbortSignal.timeout(TIMEOUT_MS) }).then((r) =>
        r.ok ? r.text() : "",
      ),
      fetch(`${rpcUrl}/readiness`, { signal: AbortSignal.timeout(TIMEOUT_MS) }),
    ]);
    const { number, extraData } = block as { number: string; extraData: string };
    const round = sample(metrics, "custos_consensus_round");
    return {
      ...base,
      up: true,
      ready: readiness.ok,
      height: BigInt(number),
      ...(round === undefined ? {} : { round }),
      peers: Number(peers),
      validators: decodeQbftExtraData(hexToBytes(extraData as `0x${string}`)).validators.map((v) =>
        bytesToHex(v),
      ),
    };
  } catch {
    return { ...base, up: false };
  }
}

/**
 * Asks every node of a local network, at once, for its head (number and the validators its
 * extraData names), QBFT round (from `/metrics`), peer count and readiness; a node that does
 * not answer within 2 s is reported down.
 *
 * @example
 * ```ts
 * for (const node of await localNetworkStatus(network)) console.log(node.name, node.height);
 * ```
 */
export function localNetworkStatus(network: LocalNetwork): Promise<LocalNodeStatus[]> {
  return Promise.all(network.nodes.map(statusOf));
}
