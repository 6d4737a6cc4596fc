import type { BlockHeader } from "@ethereumjs/block";
import { bytesToHex } from "@ethereumjs/util";
import { isCustosError } from "../../../src/errors/index.ts";
import { qbftQuorum } from "../../consensus/core/index.ts";
import { decodeQbftExtraData } from "./decodeQbftExtraData.ts";
import type { QbftExtraData } from "./QbftExtraData.ts";
import { sealInvalid } from "./qbftErrors.ts";
import { qbftOnchainHash } from "./qbftOnchainHash.ts";
import { recoverCommitters } from "./recoverCommitters.ts";
import { sortedValidators } from "./sortedValidators.ts";

function decodeOrFail(header: BlockHeader): QbftExtraData {
  try {
    return decodeQbftExtraData(header.extraData);
  } catch (error) {
    if (!isCustosError(error, "QBFT_EXTRA_DATA_INVALID")) throw error;
    throw sealInvalid(
      "extraData",
      error.shortMessage,
      { number: header.number.toString(), field: error.details.field },
      error,
    );
  }
}

/**
 * Verifies a QBFT header up to its seals, by Besu's header rules: its extraData decodes; the
 * validators it lists are exactly `validators`, ascending by address
 * (`BftValidatorsValidationRule`); its proposer, the coinbase, is one of them
 * (`BftCoinbaseValidationRule`). What a proposal (not sealed yet) must pass, and the first
 * half of {@link verifySealedHeader}.
 *
 * @param validators the expected set, in any order (sorted and deduplicated here).
 * @returns the decoded extraData, the expected set sorted, and the block's number and
 *   on-chain hash as error details name them.
 * @throws CustosError `QBFT_SEAL_INVALID` whose details name the `rule` (extraData,
 *   validators, proposer), the block `number` and on-chain `hash`; `INVALID_ARGUMENT` when
 *   an expected validator is not 20 bytes.
 * @example
 * ```ts
 * verifyProposalHeader(proposal.header, validatorsAfterParent);
 * ```
 */
export function verifyProposalHeader(
  header: BlockHeader,
  validators: readonly Uint8Array[],
): {
  readonly extraData: QbftExtraData;
  readonly expected: readonly Uint8Array[];
  readonly block: { readonly number: string; readonly hash: string };
} {
  const expected = sortedValidators(validators);
  const extraData = decodeOrFail(header);
  const block = {
    number: header.number.toString(),
    hash: bytesToHex(qbftOnchainHash(header, extraData)),
  };
  const expectedHex = expected.map(bytesToHex);
  const listed = extraData.validators.map(bytesToHex);
  if (listed.length !== expectedHex.length || listed.some((v, i) => v !== expectedHex[i])) {
    throw sealInvalid("validators", "the header's validators are not the expected set in order", {
      ...block,
      expected: expectedHex,
      actual: listed,
    });
  }
  const proposer = header.coinbase.toString();
  if (!expectedHex.includes(proposer)) {
    throw sealInvalid("proposer", `proposer ${proposer} is not a validator`, {
      ...block,
      proposer,
    });
  }
  return { extraData, expected, block };
}

/**
 * Verifies a sealed QBFT header against the validator set it must be sealed by (the set
 * after its parent), by Besu's header rules: its extraData decodes; the validators it
 * lists are exactly `validators`, ascending by address (`BftValidatorsValidationRule`); its
 * proposer, the coinbase, is one of them (`BftCoinbaseValidationRule`); every seal recovers
 * against the commit-seal hash to a validator, no validator twice, and at least
 * {@link qbftQuorum}(n) of them (`BftCommitSealsValidationRule`). Block 0 carries no seals
 * and is not verified this way (see `validatorsOfGenesis`).
 *
 * @param validators the expected set, in any order (sorted and deduplicated here).
 * @returns the committers, in the seals' order.
 * @throws CustosError `QBFT_SEAL_INVALID` whose details name the `rule` (extraData,
 *   validators, proposer, seal, committer, duplicate, quorum), the block `number` and
 *   on-chain `hash`, and the `seal` index where one is at fault; `INVALID_ARGUMENT` when an
 *   expected validator is not 20 bytes.
 * @example
 * ```ts
 * const committers = verifySealedHeader(block.header, validatorsAfterParent);
 * ```
 */
export function verifySealedHeader(
  header: BlockHeader,
  validators: readonly Uint8Array[],
): Uint8Array[] {
  const { extraData, expected, block } = verifyProposalHeader(header, validators);
  const members = new Set(expected.map(bytesToHex));
  const committers = recoverCommitters(header, extraData);
  const seen = new Set<string>();
  committers.forEach((address, seal) => {
    const committer = bytesToHex(address);
    if (!members.has(committer)) {
      throw sealInvalid("committer", `seal ${seal} is by ${committer}, not a validator`, {
        ...block,
        seal,
        committer,
      });
    }
    if (seen.has(committer)) {
      throw sealInvalid("duplicate", `seal ${seal} repeats committer ${committer}`, {
        ...block,
        seal,
        committer,
      });
    }
    seen.add(committer);
  });
  const quorum = qbftQuorum(expected.length);
  if (committers.length < quorum) {
    throw sealInvalid("quorum", `${committers.length} committers, ${quorum} needed`, {
      ...block,
      committers: committers.length,
      quorum,
      validators: expected.length,
    });
  }
  return committers;
}
