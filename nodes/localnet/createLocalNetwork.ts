import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { hexToBytes } from "@ethereumjs/util";
import { CustosError } from "../../src/errors/index.ts";
import { createDevGenesis, type DevGenesisKeys } from "../chain/index.ts";
import { peerIdOfNodeKey } from "../network/index.ts";
import { type LocalNetwork, type LocalNetworkNode, localNetworkFiles } from "./LocalNetwork.ts";
import { localNodeConfig } from "./localNodeConfig.ts";
import { readLocalNetwork } from "./readLocalNetwork.ts";

/** Options of {@link createLocalNetwork}. */
export interface LocalNetworkOptions {
  /** Directory holding the network (created when missing). */
  readonly dir: string;
  /** Validator hospitals, 1..64. */
  readonly hospitals: number;
  /** Observer nodes (regulators' copies), 0..64. */
  readonly observers?: number;
  /** Hospital i serves JSON-RPC on basePort + i, observer j on basePort + hospitals + j. */
  readonly basePort?: number;
  /** Hospital i listens for peers on p2pBasePort + i, observer j on p2pBasePort + hospitals + j. */
  readonly p2pBasePort?: number;
  /** Seconds between blocks. */
  readonly blockPeriodSeconds?: number;
  readonly chainId?: number;
  /** Block gas limit (default the dev genesis's). */
  readonly gasLimit?: number;
  /** Source of key material (default node:crypto; tests inject a seeded one). */
  readonly randomBytes?: (length: number) => Uint8Array;
}

/** Defaults of {@link LocalNetworkOptions}. */
export const defaultLocalNetworkOptions = {
  observers: 0,
  basePort: 8545,
  p2pBasePort: 30303,
  blockPeriodSeconds: 1,
  chainId: 4343,
} as const;

function count(field: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new CustosError("INVALID_ARGUMENT", `${field} must be an integer from ${min} to ${max}`, {
      details: { field, value },
    });
  }
  return value;
}

function nodeOf(
  dir: string,
  kind: LocalNetworkNode["kind"],
  index: number,
  position: number,
  key: string,
  address: string,
  ports: { readonly basePort: number; readonly p2pBasePort: number },
): LocalNetworkNode & { readonly key: string } {
  const name = `${kind}-${index}`;
  const p2pPort = ports.p2pBasePort + position;
  const peerId = peerIdOfNodeKey(hexToBytes(key as `0x${string}`));
  return {
    name,
    kind,
    dir: join(dir, name),
    configFile: join(dir, name, localNetworkFiles.config),
    rpcPort: ports.basePort + position,
    p2pPort,
    multiaddr: `/ip4/127.0.0.1/tcp/${p2pPort}/p2p/${peerId}`,
    address,
    key,
  };
}

/**
 * Creates a local network's directory, or reads it back when it exists (so `network up` on
 * the same directory restarts from its data): a genesis with N hospitals (each a validator)
 * and M observers (regulator accounts, so they are allowed to connect), the keys file (mode
 * 0600), and per node a directory with its key file (0600) and a `config.json` for
 * `custos node --config`: data in `data/`, JSON-RPC on 127.0.0.1 at basePort + position,
 * p2p on 127.0.0.1 at p2pBasePort + position, every hospital as a bootnode.
 *
 * @throws CustosError `INVALID_ARGUMENT` for counts or ports out of range, or a directory
 *   holding a network of another shape than asked; `CONFIG_INVALID` for a damaged manifest.
 * @example
 * ```ts
 * const network = await createLocalNetwork({ dir: "/tmp/net", hospitals: 4 });
 * network.nodes[0].configFile; // /tmp/net/hospital-0/config.json
 * ```
 */
export async function createLocalNetwork(options: LocalNetworkOptions): Promise<LocalNetwork> {
  const hospitals = count("hospitals", options.hospitals, 1, 64);
  const observers = count(
    "observers",
    options.observers ?? defaultLocalNetworkOptions.observers,
    0,
    64,
  );
  const basePort = count(
    "basePort",
    options.basePort ?? defaultLocalNetworkOptions.basePort,
    1,
    65535 - hospitals - observers,
  );
  const p2pBasePort = count(
    "p2pBasePort",
    options.p2pBasePort ?? defaultLocalNetworkOptions.p2pBasePort,
    1,
    65535 - hospitals - observers,
  );
  const existing = await readLocalNetwork(options.dir, { missing: "undefined" });
  if (existing !== undefined) {
    if (existing.hospitals !== hospitals || existing.observers !== observers) {
      throw new CustosError(
        "INVALID_ARGUMENT",
        `${options.dir} holds a network of ${existing.hospitals} hospitals and ${existing.observers} observers`,
        { details: { field: "dir", hospitals: existing.hospitals, observers: existing.observers } },
      );
    }
    return existing;
  }
  const chainId = options.chainId ?? defaultLocalNetworkOptions.chainId;
  const { genesis, keys } = createDevGenesis({
    hospitals,
    observers,
    chainId,
    blockPeriodSeconds: options.blockPeriodSeconds ?? defaultLocalNetworkOptions.blockPeriodSeconds,
    ...(options.gasLimit === undefined ? {} : { gasLimit: options.gasLimit }),
    ...(options.randomBytes === undefined ? {} : { randomBytes: options.randomBytes }),
  });
  const dir = options.dir;
  const ports = { basePort, p2pBasePort };
  const nodes = [
    ...keys.hospitals.map((h, i) =>
      nodeOf(dir, "hospital", i, i, h.validator.privateKey, h.validator.address, ports),
    ),
    ...(keys.observers ?? []).map((o, j) =>
      nodeOf(dir, "observer", j, hospitals + j, o.privateKey, o.address, ports),
    ),
  ];
  const bootnodes = nodes.filter((n) => n.kind === "hospital").map((n) => n.multiaddr);
  await mkdir(dir, { recursive: true });
  const genesisFile = join(dir, localNetworkFiles.genesis);
  const keysFile = join(dir, localNetworkFiles.keys);
  await writeFile(genesisFile, `${JSON.stringify(genesis, null, 2)}\n`, { mode: 0o644 });
  await writeKeys(keysFile, keys);
  for (const [position, node] of nodes.entries()) {
    await mkdir(node.dir, { recursive: true });
    const keyFile =
      node.kind === "hospital" ? localNetworkFiles.validatorKey : localNetworkFiles.nodeKey;
    await writeFile(join(node.dir, keyFile), `${node.key.slice(2)}\n`, { mode: 0o600 });
    // Hospitals come first in `nodes`, in the order of `keys.hospitals`.
    const admin = node.kind === "hospital" ? keys.hospitals[position]?.account : undefined;
    if (admin !== undefined) {
      await writeFile(
        join(node.dir, localNetworkFiles.relayerKey),
        `${admin.privateKey.slice(2)}\n`,
        {
          mode: 0o600,
        },
      );
    }
    const config = localNodeConfig(
      node,
      bootnodes.filter((b) => b !== node.multiaddr),
      { relayer: admin !== undefined },
    );
    await writeFile(node.configFile, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o644 });
  }
  const network: LocalNetwork = {
    dir,
    hospitals,
    observers,
    basePort,
    p2pBasePort,
    chainId,
    genesisFile,
    keysFile,
    nodes: nodes.map(({ key: _key, ...node }) => node),
  };
  await writeFile(join(dir, localNetworkFiles.manifest), `${JSON.stringify(network, null, 2)}\n`, {
    mode: 0o644,
  });
  return network;
}

async function writeKeys(path: string, keys: DevGenesisKeys): Promise<void> {
  await writeFile(path, `${JSON.stringify(keys, null, 2)}\n`, { mode: 0o600 });
}
