import { Interface, type ParamType, type Result } from "ethers";
import { accessLedgerAbi, consentRegistryAbi, consortiumAbi } from "../contracts/index.ts";
import type { ChainContracts } from "./TrustAnchor.ts";
import type { VerifiedLog } from "./VerifiedLog.ts";

/** A JSON value of a decoded event argument (integers as decimal strings). */
export type ProvenEventValue =
  | string
  | boolean
  | readonly ProvenEventValue[]
  | {
      readonly [name: string]: ProvenEventValue;
    };

/** A verified log named and decoded with its contract's ABI. */
export interface ProvenEvent extends VerifiedLog {
  /** Consortium, ConsentRegistry or AccessLedger; undefined for another emitter. */
  readonly contract?: "Consortium" | "ConsentRegistry" | "AccessLedger";
  /** The event's name; undefined when the log is none of the contract's events. */
  readonly event?: string;
  /** The arguments by name (integers as decimal strings, bytes as hex). */
  readonly args?: { readonly [name: string]: ProvenEventValue };
}

const interfaces = {
  Consortium: new Interface(consortiumAbi),
  ConsentRegistry: new Interface(consentRegistryAbi),
  AccessLedger: new Interface(accessLedgerAbi),
} as const;

/** An argument as JSON, shaped by its ABI type: tuples as objects, integers as decimal. */
function jsonValue(value: unknown, type: ParamType): ProvenEventValue {
  if (type.isTuple()) {
    const fields = value as Result;
    return Object.fromEntries(
      type.components.map((component, i) => [
        component.name === "" ? String(i) : component.name,
        jsonValue(fields[i], component),
      ]),
    );
  }
  if (type.isArray())
    return (value as unknown[]).map((item) => jsonValue(item, type.arrayChildren));
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "boolean") return value;
  return type.baseType === "address" ? String(value).toLowerCase() : String(value);
}

/**
 * Names and decodes verified logs (from `verifyChainProof`) with the ABIs of the three
 * Custos contracts at `addresses` (from the trust anchor's `contracts`, or the genesis).
 * Logs of other emitters, or that match none of the contract's events, are returned without
 * `event`. Uses ethers: keep it out of a bundle that needs only the verifier.
 *
 * @example
 * ```ts
 * const events = decodeProvenEvents(verifyChainProof(proof, anchor), anchor.contracts);
 * events[0].event; // "QuerySubmitted"
 * ```
 */
export function decodeProvenEvents(
  logs: readonly VerifiedLog[],
  addresses: Partial<ChainContracts>,
): ProvenEvent[] {
  const byAddress = new Map<string, keyof typeof interfaces>([
    [addresses.consortium?.toLowerCase() ?? "", "Consortium"],
    [addresses.consentRegistry?.toLowerCase() ?? "", "ConsentRegistry"],
    [addresses.accessLedger?.toLowerCase() ?? "", "AccessLedger"],
  ]);
  return logs.map((log) => {
    const contract = byAddress.get(log.address.toLowerCase());
    if (contract === undefined) return { ...log };
    let parsed: ReturnType<Interface["parseLog"]> = null;
    try {
      parsed = interfaces[contract].parseLog({ topics: [...log.topics], data: log.data });
    } catch {
      parsed = null;
    }
    if (parsed === null) return { ...log, contract };
    const args = Object.fromEntries(
      parsed.fragment.inputs.map((input, i) => [input.name, jsonValue(parsed.args[i], input)]),
    );
    return { ...log, contract, event: parsed.name, args };
  });
}
