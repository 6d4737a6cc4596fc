import { hexToBytes } from "@ethereumjs/util";
import { sortedValidators } from "./qbft/index.ts";
import { callConsortium, type StateCall } from "./readValidatorsAt.ts";

/** The Consortium's validator sets by height, as read from one state. */
export interface ValidatorHistory {
  /** The set in force at block `number` (what `validatorsAt(number)` answers), ascending. */
  at(number: bigint): readonly Uint8Array[];
}

/**
 * Reads every validator-set checkpoint the Consortium holds (`checkpointCount`,
 * `checkpoint(i)`) with `call` on one state, normally the head's, in 1 + k calls for k
 * checkpoints. For every block up to that state's block + 1 it answers what
 * `validatorsAt(number)` answers on the block's parent state: a checkpoint takes effect
 * VALIDATOR_SET_DELAY (2) blocks after the block that wrote it and is never changed once
 * that block is committed, so later states hold the same sets for earlier heights. This lets
 * `custos db check` verify every block's seals without one call per block on its parent's
 * state.
 *
 * @throws CustosError `INTERNAL` when a call fails (see `callConsortium`).
 * @example
 * ```ts
 * const history = await readValidatorHistory((r) => engine.call(r, head), consortium);
 * verifySealedHeader(header, history.at(header.number));
 * ```
 */
export async function readValidatorHistory(
  call: StateCall,
  address: Uint8Array,
): Promise<ValidatorHistory> {
  const [count] = await callConsortium(call, address, "checkpointCount", []);
  const checkpoints: { fromBlock: bigint; validators: Uint8Array[] }[] = [];
  for (let i = 0n; i < (count as bigint); i++) {
    const [checkpoint] = await callConsortium(call, address, "checkpoint", [i]);
    const { fromBlock, validators } = checkpoint as { fromBlock: bigint; validators: string[] };
    checkpoints.push({
      fromBlock,
      validators: sortedValidators(validators.map((v) => hexToBytes(v as `0x${string}`))),
    });
  }
  return {
    at(number) {
      let found: readonly Uint8Array[] = [];
      for (const checkpoint of checkpoints) {
        if (checkpoint.fromBlock > number) break;
        found = checkpoint.validators;
      }
      return found;
    },
  };
}
