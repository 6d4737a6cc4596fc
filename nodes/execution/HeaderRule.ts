import type { BlockHeader } from "@ethereumjs/block";
import type { CallRequest, CallResult } from "./ExecutionEngine.ts";

/** What a {@link HeaderRule} checks a header with. */
export interface HeaderRuleContext {
  /** The parent's header (already known to the chain database). */
  readonly parent: BlockHeader;
  /** Runs a read-only call on the parent's committed state (e.g. the validator set there). */
  readonly call: (request: CallRequest) => Promise<CallResult>;
  /**
   * True for a block proposed for consensus (QBFT PROPOSAL), which carries no commit seals
   * yet; false for a committed block, whose seals must make a quorum.
   */
  readonly proposal: boolean;
}

/**
 * The consensus rule a received block's header must meet before the engine executes it
 * (`ExecutionEngine.executeBlock`). nodes/chain implements Custos's (`createQbftHeaderRule`:
 * QBFT extraData and commit seals against the Consortium's validator set); the engine only
 * runs it, so execution knows nothing of consensus.
 *
 * @example
 * ```ts
 * const rule: HeaderRule = {
 *   async check(header, { parent, call, proposal }) {
 *     const validators = await readValidators(call, header.number);
 *     if (!proposal) verifySealedHeader(header, validators);
 *   },
 * };
 * const engine = createExecutionEngine({ chainDb, headerRule: rule });
 * ```
 */
export interface HeaderRule {
  /**
   * Resolves when `header` meets the rule on top of `context.parent`.
   *
   * @throws CustosError naming the block (number and hash) and what failed.
   */
  check(header: BlockHeader, context: HeaderRuleContext): Promise<void>;
}
