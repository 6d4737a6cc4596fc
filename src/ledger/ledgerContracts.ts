import { Interface, type JsonFragment } from "ethers";
import { accessLedgerAbi, consentRegistryAbi, consortiumAbi } from "../contracts/index.ts";
import { type LedgerFunctions, ledgerFunctions } from "./ledgerFunctions.ts";

/** Names of the three Custos contracts. */
export type LedgerContractName = "Consortium" | "ConsentRegistry" | "AccessLedger";

/** A contract's name with its parsed ABI, used to decode its errors and events. */
export interface LedgerContractAbi {
  /** Contract name reported in error details and decoded events. */
  readonly name: string;
  /** The parsed ABI. */
  readonly iface: Interface;
}

/** A Custos contract's ABI with its functions typed from the generated `as const` ABI. */
export interface LedgerContract<Abi extends readonly unknown[]> extends LedgerContractAbi {
  /** The contract's functions by name, for typed calls, encoding and decoding. */
  readonly functions: LedgerFunctions<Abi>;
}

function entry<const Abi extends readonly JsonFragment[]>(
  name: LedgerContractName,
  abi: Abi,
): LedgerContract<Abi> {
  const iface = new Interface(abi);
  return { name, iface, functions: ledgerFunctions(abi, iface) };
}

/**
 * The three Custos contracts' ABIs, parsed once. Order matters only for the (never
 * observed) case of two contracts sharing an error selector: the first wins.
 *
 * @example
 * ```ts
 * const error = decodeContractError(caught, [ledgerContracts.ConsentRegistry]);
 * const data = ledgerContracts.ConsentRegistry.functions.nonceOf.encode([custodian, subject]);
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
