import type { Interface, Log } from "ethers";
import type { accessLedgerAbi, consentRegistryAbi, consortiumAbi } from "../contracts/index.ts";
import { type AbiParameter, type AbiStruct, type Hex, toAbiStruct } from "./abiValues.ts";
import { staticEventDecodersOf } from "./staticEventDecoders.ts";

/**
 * One decoded contract event with where it was logged. Integers of at most 48 bits are
 * numbers (ids, versions, bitmaps, times), wider ones bigint (query ids, ε, block numbers).
 */
export interface LedgerEvent<
  Name extends string = string,
  Args = Readonly<Record<string, unknown>>,
> {
  /** Event name, e.g. "ConsentGranted". */
  readonly name: Name;
  /** Decoded arguments by name. */
  readonly args: Args;
  /** Emitting contract (EIP-55 checksummed). */
  readonly address: Hex;
  readonly blockNumber: number;
  readonly blockHash: Hex;
  readonly transactionHash: Hex;
  readonly transactionIndex: number;
  /** Position of the log in its block. */
  readonly logIndex: number;
}

type AbiEvent = {
  readonly type: "event";
  readonly name: string;
  readonly inputs: readonly AbiParameter[];
};

/**
 * The union of a generated ABI's events, discriminated by `name`. (The outer Extract changes
 * nothing for a concrete ABI; it lets generic code see that every member is a LedgerEvent.)
 */
export type ContractEvent<Abi extends readonly unknown[]> = Extract<
  {
    [E in Extract<Abi[number], AbiEvent> as E["name"]]: LedgerEvent<
      E["name"],
      AbiStruct<E["inputs"]>
    >;
  }[Extract<Abi[number], AbiEvent>["name"]],
  LedgerEvent
>;

/** Events of ConsentRegistry. */
export type ConsentRegistryEvent = ContractEvent<typeof consentRegistryAbi>;
/** Events of AccessLedger. */
export type AccessLedgerEvent = ContractEvent<typeof accessLedgerAbi>;
/** Events of Consortium. */
export type ConsortiumEvent = ContractEvent<typeof consortiumAbi>;

/**
 * Decodes `log` against `iface`; undefined when the log is not one of its events. Events of
 * one-word static inputs (all of ConsentRegistry's consent events) are read by
 * `staticEventDecodersOf`, the rest by ethers' ABI decoder, with the same result.
 *
 * @example
 * ```ts
 * const event = decodeLedgerLog<ConsentRegistryEvent>(log, ledgerContracts.ConsentRegistry.iface);
 * ```
 */
export function decodeLedgerLog<E extends LedgerEvent>(log: Log, iface: Interface): E | undefined {
  const topic0 = log.topics[0];
  const entry = topic0 === undefined ? undefined : staticEventDecodersOf(iface).get(topic0);
  const args = entry?.decode(log.topics, log.data);
  if (entry !== undefined && args !== undefined) return eventOf(log, entry.name, args) as E;
  let decoded: { name: string; args: Readonly<Record<string, unknown>> } | undefined;
  try {
    const parsed = iface.parseLog({ topics: [...log.topics], data: log.data });
    // ethers defers a value's decoding error (an address wider than 20 bytes) to its first
    // read: reading the values here keeps it inside the try.
    if (parsed !== null) {
      decoded = { name: parsed.name, args: toAbiStruct([...parsed.args], parsed.fragment.inputs) };
    }
  } catch {
    return undefined;
  }
  return decoded === undefined ? undefined : (eventOf(log, decoded.name, decoded.args) as E);
}

function eventOf(log: Log, name: string, args: Readonly<Record<string, unknown>>): LedgerEvent {
  return {
    name,
    args,
    address: log.address as Hex,
    blockNumber: log.blockNumber,
    blockHash: log.blockHash as Hex,
    transactionHash: log.transactionHash as Hex,
    transactionIndex: log.transactionIndex,
    logIndex: log.index,
  };
}
