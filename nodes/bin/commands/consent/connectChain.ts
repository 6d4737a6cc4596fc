import { Wallet } from "ethers";
import { CustosError } from "../../../../src/errors/index.ts";
import { type LedgerClientOptions, LedgerRpcProvider } from "../../../../src/ledger/index.ts";
import { usageError } from "../../usageError.ts";
import { RECORDER_KEY_ENV } from "./consentEnv.ts";

/** A chain connection made by `ConsentCommandOptions.connect`. */
export interface ConsentConnection {
  /** Signer (with a key) or provider (read-only) the registry client runs on. */
  readonly runner: LedgerClientOptions["runner"];
  /** Releases the connection (stops provider polling). */
  readonly close: () => void;
}

/**
 * Connects to the JSON-RPC endpoint `rpc` with ethers: a provider (`LedgerRpcProvider`), and a wallet on it when
 * `key` is given.
 *
 * @throws CustosError `CLI_USAGE` when `rpc` is no http(s) URL; `CONFIG_INVALID` when `key`
 *   is no private key (never echoing it).
 * @example
 * ```ts
 * const { runner, close } = connectChain("http://127.0.0.1:8545", recorderKey);
 * ```
 */
export function connectChain(rpc: string, key: string | undefined): ConsentConnection {
  let url: URL | undefined;
  try {
    url = new URL(rpc);
  } catch {
    url = undefined;
  }
  if (url?.protocol !== "http:" && url?.protocol !== "https:") {
    throw usageError("consent", "--rpc must be an http(s) URL", { flag: "--rpc" });
  }
  // cacheTimeout -1: a stale cached nonce would make consecutive transactions collide.
  const provider = new LedgerRpcProvider(rpc, undefined, { cacheTimeout: -1 });
  if (key === undefined) return { runner: provider, close: () => provider.destroy() };
  let wallet: Wallet;
  try {
    wallet = new Wallet(key, provider);
  } catch {
    provider.destroy();
    // The cause is dropped on purpose: ethers' message would echo the key.
    throw new CustosError("CONFIG_INVALID", `${RECORDER_KEY_ENV} is not a valid private key`, {
      details: { field: RECORDER_KEY_ENV },
    });
  }
  return { runner: wallet, close: () => provider.destroy() };
}
