import { CustosError } from "../../src/errors/index.ts";

/**
 * Decodes one JSON value into its node type, or throws RPC_INVALID_PARAMS naming `path`
 * (e.g. `params[0].topics[1]`).
 */
export type Decoder<T> = (value: unknown, path: string) => T;

/** The decoded type of a {@link Decoder}. */
export type Decoded<D> = D extends Decoder<infer T> ? T : never;

/** A block tag of execution-apis' BlockTag schema. */
export type BlockTag = "latest" | "earliest" | "pending" | "safe" | "finalized";

const blockTags: readonly string[] = ["latest", "earliest", "pending", "safe", "finalized"];
const quantityPattern = /^0x(?:0|[1-9a-fA-F][0-9a-fA-F]*)$/;
const dataPattern = /^0x(?:[0-9a-fA-F]{2})*$/;
const slotPattern = /^0x[0-9a-fA-F]{1,64}$/;

function invalid(path: string, expected: string, value: unknown): never {
  throw new CustosError("RPC_INVALID_PARAMS", `invalid params: ${path}: expected ${expected}`, {
    details: { path, expected, got: describe(value) },
  });
}

/** A short, bounded description of a bad value (never the value itself: it may be huge). */
function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "string") return value.length > 20 ? "long string" : JSON.stringify(value);
  return typeof value;
}

function hexBytes(hex: string): Uint8Array {
  return new Uint8Array(Buffer.from(hex.length % 2 === 0 ? hex : `0${hex}`, "hex"));
}

function quantity(maxBits: number): Decoder<bigint> {
  const maxDigits = maxBits / 4;
  return (value, path) => {
    if (typeof value !== "string" || !quantityPattern.test(value) || value.length - 2 > maxDigits) {
      return invalid(
        path,
        `a hex quantity of at most ${maxBits} bits without leading zeros`,
        value,
      );
    }
    return BigInt(value);
  };
}

function fixedData(length: number, name: string): Decoder<Uint8Array> {
  return (value, path) => {
    if (typeof value !== "string" || value.length !== 2 + 2 * length || !dataPattern.test(value)) {
      return invalid(path, `${name} (${length} bytes as 0x-prefixed hex)`, value);
    }
    return hexBytes(value.slice(2));
  };
}

function objectEntries(value: unknown, path: string): Readonly<Record<string, unknown>> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return invalid(path, "an object", value);
  }
  return value as Readonly<Record<string, unknown>>;
}

function field(record: Readonly<Record<string, unknown>>, key: string): unknown {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

/**
 * Decoders for JSON-RPC parameters (the param schemas of nodes/rpc/methods). Strict as
 * execution-apis: quantities without leading zeros, data of even length, fixed sizes for
 * addresses and hashes.
 *
 * @throws CustosError RPC_INVALID_PARAMS with `details.path` for any malformed value.
 * @example
 * ```ts
 * param.address("0x00000000000000000000000000000000000000aa", "params[0]"); // Uint8Array(20)
 * param.uint64("0x01", "params[0]"); // throws RPC_INVALID_PARAMS (leading zero)
 * ```
 */
export const param = {
  uint64: quantity(64),
  uint256: quantity(256),
  address: fixedData(20, "an address"),
  hash: fixedData(32, "a 32-byte hash"),
  data: ((value, path) => {
    if (typeof value !== "string" || !dataPattern.test(value)) {
      return invalid(path, "0x-prefixed hex data of even length", value);
    }
    return hexBytes(value.slice(2));
  }) as Decoder<Uint8Array>,
  /** A storage slot: up to 32 bytes of hex, left-padded (clients send it as a quantity too). */
  slot: ((value, path) => {
    if (typeof value !== "string" || !slotPattern.test(value)) {
      return invalid(path, "a storage slot (up to 32 bytes of hex)", value);
    }
    const bytes = hexBytes(value.slice(2));
    const slot = new Uint8Array(32);
    slot.set(bytes, 32 - bytes.length);
    return slot;
  }) as Decoder<Uint8Array>,
  bool: ((value, path) => {
    if (typeof value !== "boolean") return invalid(path, "a boolean", value);
    return value;
  }) as Decoder<boolean>,
  blockTag: ((value, path) => {
    if (typeof value !== "string" || !blockTags.includes(value)) {
      return invalid(path, "a block tag (latest, earliest, pending, safe, finalized)", value);
    }
    return value as BlockTag;
  }) as Decoder<BlockTag>,
  /** A number that may come as a hex quantity or a JSON integer (eth_feeHistory's blockCount). */
  count: ((value, path) => {
    if (typeof value === "number" && Number.isSafeInteger(value) && value >= 0) return value;
    if (typeof value === "string" && quantityPattern.test(value) && value.length <= 18) {
      return Number(BigInt(value));
    }
    return invalid(path, "a non-negative integer (JSON number or hex quantity)", value);
  }) as Decoder<number>,
  object: objectEntries,
  field,
  /** A JSON array, with each element decoded at `path[i]`, at most `max` long. */
  array<T>(item: Decoder<T>, max: number): Decoder<T[]> {
    return (value, path) => {
      if (!Array.isArray(value)) return invalid(path, "an array", value);
      if (value.length > max) return invalid(path, `an array of at most ${max} items`, value);
      return value.map((element, i) => item(element, `${path}[${i}]`));
    };
  },
  /** `undefined` and `null` mean absent. */
  optional<T>(inner: Decoder<T>): Decoder<T | undefined> {
    return (value, path) =>
      value === undefined || value === null ? undefined : inner(value, path);
  },
  invalid,
} as const;
