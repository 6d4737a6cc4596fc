import { type BytesLike, FunctionFragment, type Interface, type Result } from "ethers";
import {
  type AbiInputs,
  type AbiParameter,
  type AbiStruct,
  type AbiValue,
  toAbiStruct,
  toAbiValue,
} from "./abiValues.ts";

/** A function entry of a generated `as const` ABI. */
export interface AbiFunction {
  readonly type: "function";
  readonly name: string;
  readonly inputs: readonly AbiParameter[];
  readonly outputs: readonly AbiParameter[];
  readonly stateMutability: "pure" | "view" | "nonpayable" | "payable";
}

/** A function that only reads (called with `eth_call`). */
export type AbiViewFunction = AbiFunction & { readonly stateMutability: "pure" | "view" };

/** A function that changes state (sent as a transaction). */
export type AbiWriteFunction = AbiFunction & {
  readonly stateMutability: "nonpayable" | "payable";
};

/** The functions of a generated ABI, as a union of its entries. */
export type AbiFunctionOf<Abi extends readonly unknown[]> = Extract<Abi[number], AbiFunction>;

/** The arguments of `F`, in declaration order. */
export type AbiFunctionArgs<F extends AbiFunction> = AbiInputs<F["inputs"]>;

/**
 * What `F` returns, decoded as {@link AbiValue} describes: a single output is the value
 * itself, several outputs are an object keyed by output name.
 */
export type AbiFunctionResult<F extends AbiFunction> = F extends AbiFunction
  ? F["outputs"] extends readonly [infer Only]
    ? AbiValue<Only>
    : AbiStruct<F["outputs"]>
  : never;

/** One contract function with encoding and decoding typed from its ABI entry. */
export interface LedgerFunction<F extends AbiFunction> {
  /** The function's entry in the generated ABI. */
  readonly definition: F;
  /** The parsed fragment, for ethers' contract calls. */
  readonly fragment: FunctionFragment;
  /** Calldata (selector and arguments) of a call with `args`. */
  encode(args: AbiFunctionArgs<F>): string;
  /** The typed result from raw return data. */
  decode(data: BytesLike): AbiFunctionResult<F>;
  /** The typed result from values ethers already decoded (e.g. `staticCallResult`). */
  result(values: Result): AbiFunctionResult<F>;
}

/**
 * A contract's functions by name, each typed from its entry in the generated ABI: a renamed
 * function, a changed argument list or a changed return shape is a type error wherever it is
 * used. The generated ABIs have no overloads, so names are unique.
 */
export type LedgerFunctions<Abi extends readonly unknown[]> = {
  readonly [F in AbiFunctionOf<Abi> as F["name"]]: LedgerFunction<F>;
};

interface UntypedFunction {
  readonly definition: AbiFunction;
  readonly fragment: FunctionFragment;
  encode(args: readonly unknown[]): string;
  decode(data: BytesLike): unknown;
  result(values: Result): unknown;
}

function isAbiFunction(entry: unknown): entry is AbiFunction {
  return (
    typeof entry === "object" && entry !== null && "type" in entry && entry.type === "function"
  );
}

function resultOf(fragment: FunctionFragment, values: Result): unknown {
  const [only] = fragment.outputs;
  return fragment.outputs.length === 1 && only !== undefined
    ? toAbiValue(values[0], only)
    : toAbiStruct(values, fragment.outputs);
}

/**
 * The typed functions of a generated ABI, encoding and decoding through `iface` (the same
 * ABI parsed by ethers). Results are converted as {@link AbiValue} describes.
 *
 * @example
 * ```ts
 * const functions = ledgerFunctions(consentRegistryAbi, new Interface(consentRegistryAbi));
 * const data = functions.nonceOf.encode([custodian, subject]);
 * const nonce = functions.nonceOf.decode(await provider.call({ to, data })); // number
 * ```
 */
export function ledgerFunctions<const Abi extends readonly unknown[]>(
  abi: Abi,
  iface: Interface,
): LedgerFunctions<Abi> {
  const functions: Record<string, UntypedFunction> = {};
  for (const definition of abi) {
    if (!isAbiFunction(definition)) continue;
    const fragment = FunctionFragment.from(definition);
    functions[definition.name] = {
      definition,
      fragment,
      encode: (args) => iface.encodeFunctionData(fragment, args),
      decode: (data) => resultOf(fragment, iface.decodeFunctionResult(fragment, data)),
      result: (values) => resultOf(fragment, values),
    };
  }
  // The one place runtime meets the ABI types: TypeScript cannot follow a loop over the ABI
  // to the mapped type, whose entries the loop builds one by one (names from the same ABI,
  // values converted as AbiValue describes; test/ledger/ledgerFunctions.test.ts checks both).
  return functions as unknown as LedgerFunctions<Abi>;
}
