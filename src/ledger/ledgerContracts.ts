import { Interface, type InterfaceAbi } from "ethers";
import { accessLedgerAbi, consentRegistryAbi, consortiumAbi } from "../contracts/index.ts";

/** Names of the three Custos contracts. */
export type LedgerContractName = "Consortium" | "ConsentRegistry" | "AccessLedger";

/** A contract's name with its parsed ABI, used to decode its errors and events. */
export interface LedgerContractAbi {
  /** Contract name reported in error details and decoded events. */
  readonly name: string;
  /** The parsed ABI. */
  readonly iface: Interface;
}

function entry(name: LedgerContractName, abi: unknown): LedgerContractAbi {
  return { name, iface: new Interface(abi as InterfaceAbi) };
}

/**
 * The three Custos contracts' ABIs, parsed once. Order matters only for the (never
 * observed) case of two contracts sharing an error selector: the first wins.
 *
 * @example
 * ```ts
 * const error = decodeContractError(caught, [ledgerContracts.ConsentRegistry]);
 * ```
 */
export const ledgerContracts = {
  ConsentRegistry: entry("ConsentRegistry", consentRegistryAbi),
  AccessLedger: entry("AccessLedger", accessLedgerAbi),
  Consortium: entry("Consortium", consortiumAbi),
} as const satisfies Record<LedgerContractName, LedgerContractAbi>;

/** All three contracts, the default ABI set of {@link decodeContractError}. */
export const allLedgerContracts: readonly LedgerContractAbi[] = [
  ledgerContracts.ConsentRegistry,
  ledgerContracts.AccessLedger,
  ledgerContracts.Consortium,
];
