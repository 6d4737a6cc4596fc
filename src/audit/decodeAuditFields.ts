import { type EventFragment, getAddress, type Interface, type ParamType } from "ethers";
import type { Hex } from "../ledger/index.ts";

/** A JSON value as the audit model stores and serves it. */
export type AuditJson =
  | null
  | boolean
  | number
  | string
  | readonly AuditJson[]
  | { readonly [key: string]: AuditJson };

/** Decoded fields by name, in ABI order. */
export type AuditFields = Readonly<Record<string, AuditJson>>;

const SMALL_INTEGER_BITS = 48;
const ZERO_WORD = "0".repeat(64);
const ONE_WORD = `${"0".repeat(63)}1`;
const ADDRESS_PADDING = "0".repeat(24);
const CHECKSUM_MEMO_SIZE = 4096;

/**
 * Checksummed forms of recently seen addresses: a few recorders, researchers and boards act
 * in nearly every event, and EIP-55 costs a keccak each time.
 */
const checksums = new Map<string, Hex>();

function checksumAddress(lower40: string): Hex {
  let checksummed = checksums.get(lower40);
  if (checksummed === undefined) {
    if (checksums.size >= CHECKSUM_MEMO_SIZE) checksums.clear();
    checksummed = getAddress(`0x${lower40}`) as Hex;
    checksums.set(lower40, checksummed);
  }
  return checksummed;
}

function integerBits(type: string): number {
  const digits = /^u?int(\d*)$/.exec(type)?.[1];
  return digits === undefined || digits === "" ? 256 : Number(digits);
}

/** Whether a parameter is one 32-byte word the fast path decodes (unsigned, address, bool, bytesN). */
function isWordType(param: ParamType): boolean {
  return (
    param.baseType === "address" ||
    param.baseType === "bool" ||
    /^uint\d*$/.test(param.baseType) ||
    /^bytes([1-9]|[12]\d|3[0-2])$/.test(param.baseType)
  );
}

/** Words a statically encoded parameter takes, or undefined when the fast path cannot decode it. */
function staticWords(param: ParamType): number | undefined {
  if (param.baseType === "tuple") {
    let words = 0;
    for (const component of param.components ?? []) {
      const inner = staticWords(component);
      if (inner === undefined) return undefined;
      words += inner;
    }
    return words;
  }
  return isWordType(param) ? 1 : undefined;
}

/** The JSON value of one canonical word, or undefined when the word is not canonical for its type. */
function wordValue(word: string, param: ParamType): AuditJson | undefined {
  const type = param.baseType;
  if (type === "bool") return word === ZERO_WORD ? false : word === ONE_WORD ? true : undefined;
  if (type === "address") {
    return word.startsWith(ADDRESS_PADDING) ? checksumAddress(word.slice(24)) : undefined;
  }
  if (type.startsWith("uint")) {
    const digits = integerBits(type) / 4;
    if (!word.startsWith("0".repeat(64 - digits))) return undefined;
    return integerBits(type) <= SMALL_INTEGER_BITS
      ? Number.parseInt(word.slice(64 - digits), 16)
      : BigInt(`0x${word}`).toString(10);
  }
  const size = Number(type.slice(5)) * 2;
  if (!word.endsWith("0".repeat(64 - size))) return undefined;
  return `0x${word.slice(0, size)}`;
}

/** Decodes a static parameter from consecutive words starting at `next.at`. */
function staticValue(words: readonly string[], next: { at: number }, param: ParamType): AuditJson {
  if (param.baseType === "tuple") {
    const out: Record<string, AuditJson> = {};
    for (const component of param.components ?? []) {
      out[component.name] = staticValue(words, next, component);
    }
    return out;
  }
  const value = wordValue(words[next.at++] as string, param);
  if (value === undefined) throw new RangeError(`not a canonical ${param.type}`);
  return value;
}

/**
 * The JSON form of a value decoded by ethers: integers of at most 48 bits as numbers, wider
 * ones as decimal strings, addresses checksummed (as ethers returns them), bytes lowercase,
 * tuples as objects keyed by component name; an indexed dynamic value as its topic hash.
 *
 * @example
 * ```ts
 * jsonAbiValue(12n, ParamType.from("uint64")); // "12"
 * ```
 */
export function jsonAbiValue(value: unknown, param: ParamType): AuditJson {
  if (param.baseType === "array") {
    const child = param.arrayChildren as ParamType;
    return Array.from(value as readonly unknown[], (item) => jsonAbiValue(item, child));
  }
  if (param.baseType === "tuple") {
    const items = value as readonly unknown[];
    const out: Record<string, AuditJson> = {};
    (param.components ?? []).forEach((component, i) => {
      out[component.name] = jsonAbiValue(items[i], component);
    });
    return out;
  }
  if (typeof value === "bigint") {
    return integerBits(param.baseType) <= SMALL_INTEGER_BITS ? Number(value) : value.toString(10);
  }
  if (typeof value === "string") {
    return param.baseType.startsWith("bytes") ? value.toLowerCase() : value;
  }
  if (typeof value === "boolean") return value;
  // An indexed dynamic value (string, bytes, array, tuple) is only its topic hash.
  return (value as { hash: string }).hash.toLowerCase();
}

/** How one event's log decodes: through the fast word path, or through ethers. */
interface EventPlan {
  readonly fragment: EventFragment;
  readonly indexed: number;
  /** Data words of a fully static event; undefined sends the event through ethers. */
  readonly dataWords: number | undefined;
}

const plans = new WeakMap<EventFragment, EventPlan>();

function planOf(fragment: EventFragment): EventPlan {
  let plan = plans.get(fragment);
  if (plan === undefined) {
    let dataWords: number | undefined = 0;
    let indexed = 0;
    for (const input of fragment.inputs) {
      if (input.indexed === true) {
        indexed++;
        if (!isWordType(input)) dataWords = undefined;
      } else if (dataWords !== undefined) {
        const words = staticWords(input);
        dataWords = words === undefined ? undefined : dataWords + words;
      }
    }
    plan = { fragment, indexed, dataWords };
    plans.set(fragment, plan);
  }
  return plan;
}

/**
 * Decodes an event's topics and data into its fields by name, in ABI order, JSON-safe
 * ({@link jsonAbiValue}). Events whose arguments are all static words (nearly every event:
 * ConsentGranted in the millions) are read word by word from the hex, because ethers'
 * `parseLog` took ~135 µs a log: a bulk-load block of 5,000 grants would hold the node's
 * thread for most of a second. The few with dynamic data (arrays, bytes) go through `iface`.
 * Every word must be the canonical encoding of its type (zero padding, booleans 0 or 1).
 *
 * @throws RangeError when the topics or data are not the event's canonical encoding.
 * @example
 * ```ts
 * const fields = decodeAuditFields(iface, fragment, log.topics, log.data);
 * ```
 */
export function decodeAuditFields(
  iface: Interface,
  fragment: EventFragment,
  topics: readonly string[],
  data: string,
): AuditFields {
  const plan = planOf(fragment);
  if (topics.length !== plan.indexed + 1) {
    throw new RangeError(`expected ${plan.indexed + 1} topics, got ${topics.length}`);
  }
  if (plan.dataWords === undefined) {
    const values = iface.decodeEventLog(fragment, data, topics);
    const out: Record<string, AuditJson> = {};
    fragment.inputs.forEach((input, i) => {
      out[input.name] = jsonAbiValue(values[i], input);
    });
    return out;
  }
  if (data.length !== 2 + plan.dataWords * 64 || !/^0x[0-9a-fA-F]*$/.test(data)) {
    throw new RangeError(`expected ${plan.dataWords} data words`);
  }
  const lower = data.toLowerCase();
  const words: string[] = [];
  for (let i = 0; i < plan.dataWords; i++) words.push(lower.slice(2 + i * 64, 66 + i * 64));
  const next = { at: 0 };
  let topic = 1;
  const out: Record<string, AuditJson> = {};
  for (const input of fragment.inputs) {
    if (input.indexed === true) {
      const hex = (topics[topic++] as string).toLowerCase();
      if (!/^0x[0-9a-f]{64}$/.test(hex)) throw new RangeError("a topic is not 32 bytes");
      out[input.name] = staticValue([hex.slice(2)], { at: 0 }, input);
    } else {
      out[input.name] = staticValue(words, next, input);
    }
  }
  return out;
}
