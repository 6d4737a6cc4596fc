import type { EventFragment, Interface, ParamType } from "ethers";
import { checksumAddress } from "./checksumAddress.ts";

/**
 * Decodes one log of a known event into its argument object (as `toAbiStruct` shapes ethers'
 * decoding), or returns `undefined` when the log is not in the exact shape the fast path
 * handles, and ethers' decoder must judge it.
 */
export type StaticEventDecoder = (
  topics: readonly string[],
  data: string,
) => Readonly<Record<string, unknown>> | undefined;

/** One event's decoders by its topic 0 (lowercase), with the event's name. */
export interface StaticEventDecoderEntry {
  readonly name: string;
  readonly decode: StaticEventDecoder;
}

type WordDecoder = (word: string) => unknown;

const HEX_WORDS = /^0x(?:[0-9a-f]{64})*$/;
const ADDRESS_PADDING = "0".repeat(24);
const SMALL_INTEGER_BITS = 48;

/** How ethers' coders read one 32-byte word of `param`, or undefined for a type not handled. */
function wordDecoder(param: ParamType): WordDecoder | undefined {
  const type = param.baseType;
  if (type === "bool") return (word) => BigInt(`0x${word}`) !== 0n;
  if (type === "address") {
    // ethers refuses a value wider than 20 bytes: such a log goes to ethers to be refused.
    return (word) =>
      word.startsWith(ADDRESS_PADDING) ? checksumAddress(`0x${word.slice(24)}`) : undefined;
  }
  const bytes = /^bytes([1-9]|[12][0-9]|3[0-2])$/.exec(type);
  if (bytes !== null) {
    const size = Number(bytes[1]);
    return (word) => `0x${word.slice(0, 2 * size)}`;
  }
  const integer = /^(u?)int(\d*)$/.exec(type);
  if (integer === null) return undefined;
  const bits = integer[2] === "" ? 256 : Number(integer[2]);
  const signed = integer[1] === "";
  const width = BigInt(bits);
  const mask = (1n << width) - 1n;
  const half = 1n << (width - 1n);
  return (word) => {
    let value = BigInt(`0x${word}`) & mask;
    if (signed && value >= half) value -= 1n << width;
    return bits <= SMALL_INTEGER_BITS ? Number(value) : value;
  };
}

/** The decoder of an event whose every input is one static word, or undefined. */
function eventDecoder(fragment: EventFragment): StaticEventDecoder | undefined {
  const inputs = fragment.inputs.map((param, i) => ({
    key: param.name === "" ? String(i) : param.name,
    indexed: param.indexed === true,
    read: wordDecoder(param),
  }));
  if (inputs.some((input) => input.read === undefined)) return undefined;
  const indexedCount = inputs.filter((input) => input.indexed).length;
  const dataLength = 2 + 64 * (inputs.length - indexedCount);
  return (topics, data) => {
    if (topics.length !== 1 + indexedCount || data.length !== dataLength) return undefined;
    if (!HEX_WORDS.test(data)) return undefined;
    const args: Record<string, unknown> = {};
    let topic = 1;
    let offset = 2;
    for (const input of inputs) {
      let word: string;
      if (input.indexed) {
        const hex = topics[topic++] as string;
        if (hex.length !== 66 || !HEX_WORDS.test(hex)) return undefined;
        word = hex.slice(2);
      } else {
        word = data.slice(offset, offset + 64);
        offset += 64;
      }
      const value = (input.read as WordDecoder)(word);
      if (value === undefined) return undefined;
      args[input.key] = value;
    }
    return args;
  };
}

const byInterface = new WeakMap<Interface, ReadonlyMap<string, StaticEventDecoderEntry>>();

/**
 * The fast decoders of an interface's events whose inputs are all one-word static types
 * (address, bool, bytes1-32, integers), by topic 0: they read the lowercase hex of the
 * topics and data directly into the values ethers' ABI decoder gives (masked integers,
 * checksummed addresses, bool for any non-zero word), at a fraction of its cost, which is
 * what reading millions of consent events spends. Anything else (other types, a malformed
 * or uppercase log, an address wider than 20 bytes) is left to ethers.
 *
 * @example
 * ```ts
 * const entry = staticEventDecodersOf(iface).get(log.topics[0]);
 * const args = entry?.decode(log.topics, log.data); // undefined: ask ethers
 * ```
 */
export function staticEventDecodersOf(
  iface: Interface,
): ReadonlyMap<string, StaticEventDecoderEntry> {
  let decoders = byInterface.get(iface);
  if (decoders === undefined) {
    const built = new Map<string, StaticEventDecoderEntry>();
    iface.forEachEvent((fragment) => {
      if (fragment.anonymous) return;
      const decode = eventDecoder(fragment);
      if (decode !== undefined) built.set(fragment.topicHash, { name: fragment.name, decode });
    });
    decoders = built;
    byInterface.set(iface, decoders);
  }
  return decoders;
}
