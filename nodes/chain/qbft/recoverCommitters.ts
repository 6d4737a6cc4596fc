import type { BlockHeader } from "@ethereumjs/block";
import { bytesToHex } from "@ethereumjs/util";
import { decodeQbftExtraData } from "./decodeQbftExtraData.ts";
import type { QbftExtraData } from "./QbftExtraData.ts";
import { qbftCommitSealHash } from "./qbftCommitSealHash.ts";
import { sealInvalid } from "./qbftErrors.ts";
import { qbftOnchainHash } from "./qbftOnchainHash.ts";
import { recoverSigner } from "./secp256k1Signatures.ts";

/**
 * The validators whose commit seals `header` carries, in the seals' order: each seal's
 * signer recovered against the header's commit-seal hash (Besu's
 * `BftBlockHashing.recoverCommitterAddresses`). Nothing is checked against a validator set
 * here: see `verifySealedHeader`.
 *
 * @param extraData the header's extraData already decoded, to skip decoding it again.
 * @throws CustosError `QBFT_EXTRA_DATA_INVALID` when the header's extraData does not decode;
 *   `QBFT_SEAL_INVALID` (rule `seal`, details `number`, `hash`, `seal` index) when a seal
 *   recovers to no key.
 * @example
 * ```ts
 * const committers = recoverCommitters(block.header); // 20-byte addresses
 * ```
 */
export function recoverCommitters(header: BlockHeader, extraData?: QbftExtraData): Uint8Array[] {
  const fields = extraData ?? decodeQbftExtraData(header.extraData);
  const digest = qbftCommitSealHash(header, fields);
  return fields.seals.map((seal, index) => {
    const committer = recoverSigner(digest, seal);
    if (committer === undefined) {
      throw sealInvalid("seal", `seal ${index} recovers to no key`, {
        number: header.number.toString(),
        hash: bytesToHex(qbftOnchainHash(header, fields)),
        seal: index,
      });
    }
    return committer;
  });
}
