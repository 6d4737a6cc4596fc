import { encodeRlp, type RlpInput } from "../../db/index.ts";
import {
  QBFT_ADDRESS_LENGTH,
  QBFT_MAX_ROUND,
  QBFT_VANITY_LENGTH,
  type QbftExtraData,
} from "./QbftExtraData.ts";
import { extraDataInvalid } from "./qbftErrors.ts";
import { sealProblem } from "./sealProblem.ts";

/** The round as a minimal big-endian integer: 0 is the empty string, as Besu writes it. */
function roundBytes(round: number): Uint8Array {
  const out: number[] = [];
  for (let v = round; v > 0; v = Math.floor(v / 256)) out.unshift(v % 256);
  return Uint8Array.from(out);
}

function checkFields(extraData: QbftExtraData): void {
  const { vanity, validators, vote, round, seals } = extraData;
  if (vanity.length !== QBFT_VANITY_LENGTH) {
    throw extraDataInvalid("vanity", `is ${vanity.length} bytes, not ${QBFT_VANITY_LENGTH}`);
  }
  validators.forEach((validator, index) => {
    if (validator.length !== QBFT_ADDRESS_LENGTH) {
      throw extraDataInvalid("validators", `is ${validator.length} bytes, not 20`, { index });
    }
  });
  if (vote !== undefined && vote.recipient.length !== QBFT_ADDRESS_LENGTH) {
    throw extraDataInvalid("vote", `recipient is ${vote.recipient.length} bytes, not 20`);
  }
  if (!Number.isInteger(round) || round < 0 || round > QBFT_MAX_ROUND) {
    throw extraDataInvalid("round", `is not an integer from 0 to ${QBFT_MAX_ROUND}`, { round });
  }
  seals.forEach((seal, index) => {
    const problem = sealProblem(seal);
    if (problem !== undefined) throw extraDataInvalid("seals", problem, { index });
  });
}

/**
 * Encodes QBFT extraData in Besu's layout (`QbftExtraDataCodec.encode`): the RLP list
 * `[vanity, [validator…], vote, round, [seal…]]`, where no vote is `0xc0`, an add vote
 * `[recipient, 0xff]`, a drop vote `[recipient, 0x80]`, and the round a minimal integer.
 * What it writes, {@link decodeQbftExtraData} reads back to the same value.
 *
 * @throws CustosError `QBFT_EXTRA_DATA_INVALID` when a field could not be decoded again: a
 *   vanity other than 32 bytes, an address other than 20, a round outside 0..2^31 − 1, a
 *   malformed seal; details name the field (and the index in a list).
 * @example
 * ```ts
 * const extraData = encodeQbftExtraData({
 *   vanity: new Uint8Array(32), validators, vote: undefined, round: 0, seals: [],
 * });
 * ```
 */
export function encodeQbftExtraData(extraData: QbftExtraData): Uint8Array {
  checkFields(extraData);
  const { vanity, validators, vote, round, seals } = extraData;
  const voteItem: RlpInput =
    vote === undefined ? [] : [vote.recipient, vote.add ? Uint8Array.of(0xff) : new Uint8Array(0)];
  return encodeRlp([vanity, validators, voteItem, roundBytes(round), seals]);
}
