import type { HeaderRule } from "../execution/index.ts";
import type { ValidatorSetCache } from "./createValidatorSetCache.ts";
import { verifyProposalHeader, verifySealedHeader } from "./qbft/index.ts";
import { readValidatorsAt } from "./readValidatorsAt.ts";

/** Options of {@link createQbftHeaderRule}. */
export interface QbftHeaderRuleOptions {
  /** Address of the Consortium contract (from genesis), which holds the validator sets. */
  readonly consortium: Uint8Array;
  /** Where the sets come from when given (the node's cache); else one EVM call per header. */
  readonly validatorSets?: ValidatorSetCache;
}

/**
 * Custos's consensus rule for received blocks (the execution engine's `HeaderRule`): the
 * header's QBFT extraData must list the validators the Consortium holds for its height
 * (`validatorsAt(number)` read on its parent's state) and carry commit seals of a quorum of
 * them, by Besu's rules (`verifySealedHeader`). A proposal (not committed yet, so unsealed) is
 * checked up to its seals: the validators it lists and its proposer. Which validator must
 * propose at a height and round is the consensus core's to check.
 *
 * @throws CustosError (from `check`) `QBFT_SEAL_INVALID` naming the rule that failed
 *   (extraData, validators, proposer, seal, committer, duplicate, quorum), the block's number
 *   and on-chain hash (and the seal); `INTERNAL` when the Consortium cannot be read.
 * @example
 * ```ts
 * const engine = createExecutionEngine({ chainDb, headerRule: createQbftHeaderRule({ consortium }) });
 * await engine.executeBlock(receivedBlock); // refused unless a quorum sealed it
 * ```
 */
export function createQbftHeaderRule(options: QbftHeaderRuleOptions): HeaderRule {
  return {
    async check(header, { call, proposal }) {
      const validators =
        options.validatorSets === undefined
          ? await readValidatorsAt(call, options.consortium, header.number)
          : await options.validatorSets.validatorsAt(header.number, call);
      if (proposal) verifyProposalHeader(header, validators);
      else verifySealedHeader(header, validators);
    },
  };
}
