import { bytesToHex, hexToBytes } from "@ethereumjs/util";
import { Interface, type Result } from "ethers";
import { consortiumAbi } from "../../src/contracts/index.ts";
import { CustosError } from "../../src/errors/index.ts";
import type { CallRequest, CallResult } from "../execution/index.ts";
import { sortedValidators } from "./qbft/index.ts";

/** A read-only call on one committed state (e.g. `(request) => engine.call(request, parent)`). */
export type StateCall = (request: CallRequest) => Promise<CallResult>;

const consortium = new Interface(consortiumAbi);

/**
 * Runs a Consortium view function with `call` and decodes its answer.
 *
 * @throws CustosError `INTERNAL` when the call reverts or halts: the Consortium at that
 *   state is not the genesis contract, or the state is broken.
 * @example
 * ```ts
 * const [count] = await callConsortium(call, address, "checkpointCount", []);
 * ```
 */
export async function callConsortium(
  call: StateCall,
  address: Uint8Array,
  name: string,
  args: readonly unknown[],
): Promise<Result> {
  const data = hexToBytes(consortium.encodeFunctionData(name, args) as `0x${string}`);
  const result = await call({ to: address, data });
  if (result.revert !== undefined || result.error !== undefined) {
    throw new CustosError("INTERNAL", `the Consortium call ${name} failed`, {
      details: {
        function: name,
        consortium: bytesToHex(address),
        reason: result.error ?? result.revert?.reason ?? "revert",
      },
    });
  }
  return consortium.decodeFunctionResult(name, result.returnData);
}

/**
 * The validators that must seal block `number`, as the Consortium contract holds them
 * (`validatorsAt(number)`), read with `call` on the state the block is built on (its
 * parent's) — what the producer writes into the block's extraData and what every node checks
 * it against. Ascending by address, as QBFT headers list them.
 *
 * @throws CustosError `INTERNAL` when the call fails (see {@link callConsortium}).
 * @example
 * ```ts
 * const validators = await readValidatorsAt((r) => engine.call(r, parent), consortium, parent.header.number + 1n);
 * ```
 */
export async function readValidatorsAt(
  call: StateCall,
  address: Uint8Array,
  number: bigint,
): Promise<Uint8Array[]> {
  const [validators] = await callConsortium(call, address, "validatorsAt", [number]);
  return sortedValidators((validators as string[]).map((v) => hexToBytes(v as `0x${string}`)));
}
