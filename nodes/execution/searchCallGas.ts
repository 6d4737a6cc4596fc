import type { GasEstimateOutcome } from "./CallExecutor.ts";
import type { CallResult } from "./ExecutionEngine.ts";

/**
 * Finds the smallest gas limit, at most `cap`, with which `run` succeeds (no revert, no
 * halt). It runs at the cap first: a failure there is the answer (with that run's result).
 * Then it tries the gas that run used, which usually suffices, and otherwise searches
 * between it and the cap (the 63/64 rule and refunds can make the used amount too little).
 * Exact, not approximate: `gas - 1` fails.
 *
 * @example
 * ```ts
 * const outcome = await searchCallGas((gas) => runMessageCall(context, request, block, gas), cap);
 * if (outcome.ok) console.log(outcome.gas);
 * ```
 */
export async function searchCallGas(
  run: (gas: bigint) => Promise<CallResult>,
  cap: bigint,
): Promise<GasEstimateOutcome> {
  const succeeds = (result: CallResult) =>
    result.revert === undefined && result.error === undefined;
  const top = await run(cap);
  if (!succeeds(top)) return { ok: false, gas: cap, result: top };
  if (top.gasUsed >= cap || succeeds(await run(top.gasUsed))) {
    return { ok: true, gas: top.gasUsed < cap ? top.gasUsed : cap };
  }
  let low = top.gasUsed;
  let high = cap;
  while (high - low > 1n) {
    const mid = (low + high) / 2n;
    if (succeeds(await run(mid))) high = mid;
    else low = mid;
  }
  return { ok: true, gas: high };
}
