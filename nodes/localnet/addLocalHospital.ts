import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { createAddressFromPrivateKey, hexToBytes } from "@ethereumjs/util";
import { CustosError } from "../../src/errors/index.ts";
import { peerIdOfNodeKey } from "../network/index.ts";
import { type LocalNetwork, type LocalNetworkNode, localNetworkFiles } from "./LocalNetwork.ts";
import { localNodeConfig } from "./localNodeConfig.ts";

/** Options of {@link addLocalHospital}. */
export interface AddLocalHospitalOptions {
  /** The new hospital's validator key, 0x-hex (the address the consortium votes in). */
  readonly validatorKey: string;
  /** Its JSON-RPC port. */
  readonly rpcPort: number;
  /** Its p2p port. */
  readonly p2pPort: number;
  /** Its admin account's key, 0x-hex: with it, its node's portal relays patients' consent changes. */
  readonly relayerKey?: string;
}

/**
 * Writes the directory of a hospital joining a local network after genesis — its validator
 * key and a config with the network's genesis and every existing hospital as a bootnode —
 * and adds it to `network.json`. Its node is allowed to connect once the Consortium lists
 * its validator (voted in with `proposeAddOrganisation`), and validates from two blocks
 * after that vote executes.
 *
 * @throws CustosError `INVALID_ARGUMENT` for a key that is not 32 bytes of hex.
 * @example
 * ```ts
 * const { network: grown, node } = await addLocalHospital(network, { validatorKey, rpcPort, p2pPort });
 * await startLocalNode(node);
 * ```
 */
export async function addLocalHospital(
  network: LocalNetwork,
  options: AddLocalHospitalOptions,
): Promise<{ network: LocalNetwork; node: LocalNetworkNode }> {
  for (const field of ["validatorKey", "relayerKey"] as const) {
    const value = options[field];
    if (value !== undefined && !/^0x[0-9a-fA-F]{64}$/.test(value)) {
      throw new CustosError("INVALID_ARGUMENT", `${field} must be 32 bytes of 0x-hex`, {
        details: { field },
      });
    }
  }
  const key = hexToBytes(options.validatorKey as `0x${string}`);
  const index = network.nodes.filter((n) => n.kind === "hospital").length;
  const name = `hospital-${index}`;
  const dir = join(network.dir, name);
  const node: LocalNetworkNode = {
    name,
    kind: "hospital",
    dir,
    configFile: join(dir, localNetworkFiles.config),
    rpcPort: options.rpcPort,
    p2pPort: options.p2pPort,
    multiaddr: `/ip4/127.0.0.1/tcp/${options.p2pPort}/p2p/${peerIdOfNodeKey(key)}`,
    address: createAddressFromPrivateKey(key).toString(),
  };
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, localNetworkFiles.validatorKey), `${options.validatorKey.slice(2)}\n`, {
    mode: 0o600,
  });
  if (options.relayerKey !== undefined) {
    await writeFile(join(dir, localNetworkFiles.relayerKey), `${options.relayerKey.slice(2)}\n`, {
      mode: 0o600,
    });
  }
  const bootnodes = network.nodes.filter((n) => n.kind === "hospital").map((n) => n.multiaddr);
  const config = localNodeConfig(node, bootnodes, { relayer: options.relayerKey !== undefined });
  await writeFile(node.configFile, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o644 });
  const grown: LocalNetwork = {
    ...network,
    hospitals: network.hospitals + 1,
    nodes: [...network.nodes, node],
  };
  await writeFile(
    join(network.dir, localNetworkFiles.manifest),
    `${JSON.stringify(grown, null, 2)}\n`,
    { mode: 0o644 },
  );
  return { network: grown, node };
}
