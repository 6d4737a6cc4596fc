import type { BlockHeader } from "@ethereumjs/block";
import { decodeQbftExtraData } from "./decodeQbftExtraData.ts";
import { encodeQbftExtraData } from "./encodeQbftExtraData.ts";
import { hashHeaderWithExtraData } from "./hashHeaderWithExtraData.ts";
import type { QbftExtraData } from "./QbftExtraData.ts";

/**
 * The commit-seal hash of a QBFT header (Besu's
 * `BftBlockHashing.calculateDataHashForCommittedSeal`): keccak-256 of the header RLP with
 * its extraData re-encoded with the real round and no seals. Validators sign it as their
 * commit seal; PREPARE and COMMIT messages name it. Block 0 is hashed with its extraData as
 * it is.
 *
 * @param extraData the header's extraData already decoded, to skip decoding it again.
 * @throws CustosError `QBFT_EXTRA_DATA_INVALID` when the header's extraData does not decode.
 * @example
 * ```ts
 * const digest = qbftCommitSealHash(header); // what each commit seal signs
 * ```
 */
export function qbftCommitSealHash(header: BlockHeader, extraData?: QbftExtraData): Uint8Array {
  if (header.number === 0n) return hashHeaderWithExtraData(header, header.extraData);
  const fields = extraData ?? decodeQbftExtraData(header.extraData);
  return hashHeaderWithExtraData(header, encodeQbftExtraData({ ...fields, seals: [] }));
}
