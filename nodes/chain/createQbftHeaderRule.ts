import type { BlockHeader } from "@ethereumjs/block";
import { bytesToHex } from "@ethereumjs/util";
import { isCustosError } from "../../src/errors/index.ts";
import type { HeaderRule } from "../execution/index.ts";
import {
  decodeQbftExtraData,
  type QbftExtraData,
  qbftOnchainHash,
  sortedValidators,
  verifySealedHeader,
} from "./qbft/index.ts";
import { sealInvalid } from "./qbft/qbftErrors.ts";
import { readValidatorsAt } from "./readValidatorsAt.ts";

/** Options of {@link createQbftHeaderRule}. */
export interface QbftHeaderRuleOptions {
  /** Address of the Consortium contract (from genesis), which holds the validator sets. */
  readonly consortium: Uint8Array;
}

/**
 * A proposal's extraData lists exactly the expected set and its proposer is one of them:
 * what `verifySealedHeader` checks before the seals, which a proposal does not carry yet.
 */
function verifyProposal(header: BlockHeader, validators: readonly Uint8Array[]): void {
  let extraData: QbftExtraData;
  try {
    extraData = decodeQbftExtraData(header.extraData);
  } catch (error) {
    if (!isCustosError(error, "QBFT_EXTRA_DATA_INVALID")) throw error;
    throw sealInvalid(
      "extraData",
      error.shortMessage,
      { number: header.number.toString(), field: error.details.field },
      error,
    );
  }
  const block = {
    number: header.number.toString(),
    hash: bytesToHex(qbftOnchainHash(header, extraData)),
  };
  const expected = sortedValidators(validators).map(bytesToHex);
  const listed = extraData.validators.map(bytesToHex);
  if (listed.length !== expected.length || listed.some((v, i) => v !== expected[i])) {
    throw sealInvalid("validators", "the header's validators are not the expected set in order", {
      ...block,
      expected,
      actual: listed,
    });
  }
  const proposer = header.coinbase.toString();
  if (!expected.includes(proposer)) {
    throw sealInvalid("proposer", `proposer ${proposer} is not a validator`, {
      ...block,
      proposer,
    });
  }
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
      const validators = await readValidatorsAt(call, options.consortium, header.number);
      if (proposal) verifyProposal(header, validators);
      else verifySealedHeader(header, validators);
    },
  };
}
