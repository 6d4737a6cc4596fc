import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { CustosError, isCustosError } from "../../src/errors/index.ts";
import {
  createDevGenesis,
  type DevGenesisKeys,
  type Genesis,
  parseGenesis,
} from "../chain/index.ts";

/** The dev chain's parameters (config `devChain`). */
export interface DevChainParameters {
  readonly hospitals: number;
  readonly chainId: number;
  readonly gasLimit: number;
  readonly blockPeriodSeconds: number;
}

/** The contents of `dev-keys.json`: everything a client needs to use a dev node. */
export interface DevKeysFile extends DevGenesisKeys {
  readonly chainId: number;
  /** The node's JSON-RPC URL at its last start; absent before the server listens. */
  readonly rpcUrl?: string;
  readonly contracts: Genesis["contracts"];
}

/** A dev chain as stored in a data directory. */
export interface DevChain {
  readonly genesis: Genesis;
  readonly keys: DevKeysFile;
  /** Path of `dev-keys.json`. */
  readonly keysFile: string;
}

/** File names of a dev chain inside the data directory. */
export const devChainFiles = { genesis: "dev-genesis.json", keys: "dev-keys.json" } as const;

async function readJson(path: string): Promise<unknown | undefined> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new CustosError("CONFIG_INVALID", `dev chain file is not valid JSON: ${path}`, {
      cause,
      details: { file: path, field: "dataDir", reason: "holds a damaged dev chain file" },
    });
  }
}

function parametersOf(genesis: Genesis): DevChainParameters {
  return {
    hospitals: genesis.organisations.filter((o) => o.role === "hospital").length,
    chainId: genesis.chainId,
    gasLimit: genesis.gasLimit,
    blockPeriodSeconds: genesis.blockPeriodSeconds,
  };
}

function checkKeys(document: unknown, path: string): DevKeysFile {
  const keys = document as Partial<DevKeysFile> | undefined;
  const first = keys?.hospitals?.[0];
  const isKey = (key: { privateKey?: unknown } | undefined) =>
    typeof key?.privateKey === "string" && /^0x[0-9a-fA-F]{64}$/.test(key.privateKey);
  if (
    typeof keys !== "object" ||
    keys === null ||
    first === undefined ||
    !isKey(first.account) ||
    !isKey(first.recorder) ||
    !isKey(first.validator)
  ) {
    throw new CustosError("CONFIG_INVALID", `dev keys file is damaged: ${path}`, {
      details: { file: path, field: "dataDir", reason: "holds a damaged dev keys file" },
    });
  }
  return keys as DevKeysFile;
}

/**
 * Loads the dev chain kept in `dataDir`, or creates one on the first start: a dev genesis
 * (hospitals with an admin account, a recorder and a validator each; regulator, researcher,
 * review board; accounts and recorders funded; contracts at genesis) in `dev-genesis.json`
 * and its private keys in `dev-keys.json` (mode 0600). A restarted dev node therefore
 * continues the same chain with the same keys.
 *
 * @throws CustosError `CONFIG_INVALID` when `dataDir` already holds a dev chain made with
 *   other parameters (naming the `devChain` field), a dev genesis this version refuses, or a
 *   damaged dev chain file.
 * @example
 * ```ts
 * const dev = await loadDevChain("/tmp/custos-dev", config.devChain);
 * dev.keys.hospitals[0].account.address;
 * ```
 */
export async function loadDevChain(
  dataDir: string,
  parameters: DevChainParameters,
): Promise<DevChain> {
  const genesisPath = join(dataDir, devChainFiles.genesis);
  const keysFile = join(dataDir, devChainFiles.keys);
  const storedGenesis = await readJson(genesisPath);
  if (storedGenesis !== undefined) {
    let genesis: Genesis;
    try {
      genesis = parseGenesis(storedGenesis);
    } catch (error) {
      if (!isCustosError(error, "GENESIS_INVALID")) throw error;
      // E.g. a dev chain of an earlier version, whose recorders were also admin accounts.
      throw new CustosError(
        "CONFIG_INVALID",
        `the dev genesis in ${dataDir} is not valid for this version (${error.shortMessage}); use another dataDir`,
        {
          cause: error,
          details: { file: genesisPath, field: "dataDir", reason: "holds an invalid dev genesis" },
        },
      );
    }
    const stored = parametersOf(genesis);
    for (const field of Object.keys(stored) as (keyof DevChainParameters)[]) {
      if (stored[field] !== parameters[field]) {
        throw new CustosError(
          "CONFIG_INVALID",
          `devChain.${field}: ${parameters[field]} differs from the dev chain in ${dataDir} (${stored[field]}); use another dataDir`,
          {
            details: {
              field: `devChain.${field}`,
              reason: "differs from the dev chain already in dataDir",
            },
          },
        );
      }
    }
    return { genesis, keys: checkKeys(await readJson(keysFile), keysFile), keysFile };
  }
  const { genesis, keys } = createDevGenesis(parameters);
  const file: DevKeysFile = { chainId: genesis.chainId, contracts: genesis.contracts, ...keys };
  // Keys first: a crash between the two writes leaves no genesis without its keys.
  await writeFile(keysFile, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600 });
  await writeFile(genesisPath, `${JSON.stringify(genesis, null, 2)}\n`, { mode: 0o644 });
  return { genesis, keys: file, keysFile };
}

/**
 * Rewrites `dev-keys.json` with the node's current JSON-RPC URL (mode 0600).
 *
 * @example
 * ```ts
 * await writeDevKeys(dev, "http://127.0.0.1:8545");
 * ```
 */
export async function writeDevKeys(dev: DevChain, rpcUrl: string): Promise<void> {
  const file: DevKeysFile = { ...dev.keys, rpcUrl };
  await writeFile(dev.keysFile, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600 });
}
