import type { ParamType } from "ethers";

/** 0x-prefixed hex: addresses (EIP-55 checksummed), bytesN and bytes (lowercase). */
export type Hex = `0x${string}`;

/** The shape of one ABI parameter, as in the generated `as const` ABIs. */
export interface AbiParameter {
  readonly name: string;
  readonly type: string;
  readonly components?: readonly AbiParameter[];
}

/** Integer types that always fit a JavaScript number (≤ 48 bits); wider ones are bigint. */
type SmallInteger = `uint${8 | 16 | 24 | 32 | 40 | 48}` | `int${8 | 16 | 24 | 32 | 40 | 48}`;

/** The TypeScript type of a Solidity elementary type. */
export type AbiPrimitive<T extends string> = T extends "bool"
  ? boolean
  : T extends SmallInteger
    ? number
    : T extends `uint${string}` | `int${string}`
      ? bigint
      : T extends "string"
        ? string
        : Hex;

/** The TypeScript type of one ABI parameter (arrays, tuples and elementary types). */
export type AbiValue<P> = P extends {
  readonly type: `${infer Inner}[]`;
}
  ? readonly AbiValue<{
      readonly type: Inner;
      readonly components: P extends { readonly components: infer C } ? C : never;
    }>[]
  : P extends {
        readonly type: "tuple";
        readonly components: infer C extends readonly AbiParameter[];
      }
    ? AbiStruct<C>
    : P extends { readonly type: infer T extends string }
      ? AbiPrimitive<T>
      : unknown;

/** An object with one typed property per named ABI parameter. */
export type AbiStruct<C extends readonly AbiParameter[]> = {
  readonly [K in C[number] as K["name"]]: AbiValue<K>;
};

/**
 * What an argument of a Solidity elementary type accepts, as ethers does: any integer as
 * number or bigint, addresses as strings, bytes as hex strings or byte arrays.
 */
export type AbiInputPrimitive<T extends string> = T extends "bool"
  ? boolean
  : T extends `uint${string}` | `int${string}`
    ? number | bigint
    : T extends "string" | "address"
      ? string
      : string | Uint8Array;

/**
 * What one ABI parameter accepts as an argument; tuples are objects keyed by component name
 * (ethers encodes them by name, so a renamed struct field is a type error, not a silent swap).
 */
export type AbiInput<P> = P extends {
  readonly type: `${infer Inner}[]`;
}
  ? readonly AbiInput<{
      readonly type: Inner;
      readonly components: P extends { readonly components: infer C } ? C : never;
    }>[]
  : P extends {
        readonly type: "tuple";
        readonly components: infer C extends readonly AbiParameter[];
      }
    ? AbiInputStruct<C>
    : P extends { readonly type: infer T extends string }
      ? AbiInputPrimitive<T>
      : unknown;

/** An argument object with one property per named ABI parameter. */
export type AbiInputStruct<C extends readonly AbiParameter[]> = {
  readonly [K in C[number] as K["name"]]: AbiInput<K>;
};

/** The argument list of a parameter list, position by position. */
export type AbiInputs<P extends readonly AbiParameter[]> = {
  readonly [K in keyof P]: AbiInput<P[K]>;
};

const SMALL_INTEGER_BITS = 48;

function integerBits(baseType: string): number | undefined {
  const match = /^u?int(\d*)$/.exec(baseType);
  if (match === null) return undefined;
  return match[1] === "" || match[1] === undefined ? 256 : Number(match[1]);
}

/**
 * Converts a value decoded by ethers into the plain form {@link AbiValue} describes: integers
 * of at most 48 bits become numbers, wider ones stay bigint, tuples become objects keyed by
 * component name, arrays are copied.
 *
 * @example
 * ```ts
 * const consent = toAbiValue(result[0], fragment.outputs[0]); // { purposes: 1, … }
 * ```
 */
export function toAbiValue(value: unknown, param: ParamType): unknown {
  if (param.baseType === "array") {
    const child = param.arrayChildren;
    return Array.from(value as readonly unknown[], (item) =>
      child === null ? item : toAbiValue(item, child),
    );
  }
  if (param.baseType === "tuple") {
    return toAbiStruct(value as readonly unknown[], param.components ?? []);
  }
  const bits = integerBits(param.baseType);
  if (bits !== undefined && bits <= SMALL_INTEGER_BITS) return Number(value as bigint);
  return value;
}

/**
 * Converts a decoded argument list into an object keyed by parameter name.
 *
 * @example
 * ```ts
 * const args = toAbiStruct(parsedLog.args, parsedLog.fragment.inputs);
 * ```
 */
export function toAbiStruct(
  values: readonly unknown[],
  params: readonly ParamType[],
): Readonly<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  params.forEach((param, i) => {
    out[param.name === "" ? String(i) : param.name] = toAbiValue(values[i], param);
  });
  return out;
}

/**
 * The JSON-safe form of a decoded value for error details: every integer as a decimal
 * string, bytes and addresses as hex, tuples as objects, arrays as arrays.
 *
 * @example
 * ```ts
 * toJsonValue(123n, ParamType.from("uint64")); // "123"
 * ```
 */
export function toJsonValue(value: unknown, param: ParamType): unknown {
  if (param.baseType === "array") {
    const child = param.arrayChildren;
    return Array.from(value as readonly unknown[], (item) =>
      child === null ? String(item) : toJsonValue(item, child),
    );
  }
  if (param.baseType === "tuple") {
    const components = param.components ?? [];
    const out: Record<string, unknown> = {};
    components.forEach((component, i) => {
      out[component.name === "" ? String(i) : component.name] = toJsonValue(
        (value as readonly unknown[])[i],
        component,
      );
    });
    return out;
  }
  if (typeof value === "bigint" || typeof value === "number") return value.toString(10);
  return value;
}
