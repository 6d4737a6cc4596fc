import { Contract, type ContractRunner, isAddress, type Provider } from "ethers";
import { CustosError } from "../errors/index.ts";
import type { Hex } from "./abiValues.ts";
import { allLedgerContracts, type LedgerContract } from "./ledgerContracts.ts";
import type { LedgerContractHandle } from "./ledgerTransaction.ts";

/** Options shared by the three client factories. */
export interface LedgerClientOptions {
  /** Address of the deployed contract. */
  readonly address: string;
  /**
   * An ethers Signer (reads and writes) or Provider (reads and event readers only). Signers
   * must be connected to a provider.
   */
  readonly runner: ContractRunner;
}

/** A contract handle plus the provider event readers and batch sizing need. */
export interface BoundLedgerContract<Abi extends readonly unknown[]>
  extends LedgerContractHandle<Abi> {
  readonly address: Hex;
  /** The runner's provider. */
  readonly provider: Provider;
}

/**
 * Binds a contract ABI to an address and runner, checking both.
 *
 * @throws CustosError `INVALID_ARGUMENT` if the address is malformed or the runner has no
 * provider.
 * @example
 * ```ts
 * const bound = bindLedgerContract(ledgerContracts.AccessLedger, options);
 * ```
 */
export function bindLedgerContract<Abi extends readonly unknown[]>(
  abi: LedgerContract<Abi>,
  options: LedgerClientOptions,
): BoundLedgerContract<Abi> {
  if (!isAddress(options.address)) {
    throw new CustosError("INVALID_ARGUMENT", "address: not an Ethereum address", {
      details: { field: "address" },
    });
  }
  const provider = options.runner.provider;
  if (provider === null) {
    throw new CustosError("INVALID_ARGUMENT", "runner: must be a provider or a connected signer", {
      details: { field: "runner" },
    });
  }
  return {
    contract: new Contract(options.address, abi.iface, options.runner),
    abi,
    abis: [abi, ...allLedgerContracts.filter((c) => c !== abi)],
    address: options.address as Hex,
    provider,
  };
}
