import { CustosError } from "../../src/errors/index.ts";
import type { RpcResult } from "./JsonList.ts";
import type { Decoded, Decoder } from "./param.ts";
import type { RpcContext } from "./RpcContext.ts";

/** A JSON-RPC method with its parameter decoding and result formatting erased. */
export interface RpcMethod {
  readonly name: string;
  /**
   * Decodes `params`, executes and formats the result.
   *
   * @throws CustosError RPC_INVALID_PARAMS for bad params, or the handler's own codes.
   */
  invoke(context: RpcContext, params: unknown): Promise<RpcResult>;
}

/** The decoded positional parameters of a decoder tuple. */
export type DecodedParams<D extends readonly Decoder<unknown>[]> = {
  readonly [K in keyof D]: Decoded<D[K]>;
};

/** The parts of a method: a positional param schema, an executor and a result formatter. */
export interface RpcMethodSpec<D extends readonly Decoder<unknown>[], R> {
  readonly name: string;
  /** One decoder per positional parameter; optional ones accept `undefined`. */
  readonly params: D;
  execute(context: RpcContext, params: DecodedParams<D>): Promise<R> | R;
  /** The JSON answer; a {@link JsonList} for a list that may be large (serialised in slices). */
  format(result: R): RpcResult;
}

/**
 * Builds a method from its spec. Params must be a JSON array (by position, as every Ethereum
 * client sends them); absent params mean an empty array; more params than decoders is an
 * error, as in geth.
 *
 * @throws CustosError RPC_INVALID_PARAMS (from `invoke`) naming the offending param path.
 * @example
 * ```ts
 * export const ethChainId = defineMethod({
 *   name: "eth_chainId",
 *   params: [],
 *   execute: ({ api }) => api.chainId(),
 *   format: rpcHex.quantity,
 * });
 * ```
 */
export function defineMethod<const D extends readonly Decoder<unknown>[], R>(
  spec: RpcMethodSpec<D, R>,
): RpcMethod {
  const decoders: readonly Decoder<unknown>[] = spec.params;
  return {
    name: spec.name,
    async invoke(context, params) {
      const raw = params === undefined ? [] : params;
      if (!Array.isArray(raw)) {
        throw new CustosError("RPC_INVALID_PARAMS", "invalid params: params must be an array", {
          details: { path: "params" },
        });
      }
      if (raw.length > decoders.length) {
        throw new CustosError(
          "RPC_INVALID_PARAMS",
          `invalid params: too many arguments, want at most ${decoders.length}`,
          { details: { path: `params[${decoders.length}]` } },
        );
      }
      const decoded = decoders.map((decode, i) =>
        decode(raw[i], `params[${i}]`),
      ) as unknown as DecodedParams<D>;
      return spec.format(await spec.execute(context, decoded));
    },
  };
}
