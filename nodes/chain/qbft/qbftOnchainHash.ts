import type { BlockHeader } from "@ethereumjs/block";
import { decodeQbftExtraData } from "./decodeQbftExtraData.ts";
import { encodeQbftExtraData } from "./encodeQbftExtraData.ts";
import { hashHeaderWithExtraData } from "./hashHeaderWithExtraData.ts";
import type { QbftExtraData } from "./QbftExtraData.ts";

/**
 * The on-chain hash of a QBFT header (Besu's `BftBlockHashing.calculateHashOfBftBlockOnchain`,
 * the block hash its JSON-RPC answers and its children's parentHash): keccak-256 of the header
 * RLP with its extraData re-encoded with round 0 and no seals, so the hash stays the same
 * whatever round the block was committed in and whichever seals it carries. Block 0 is
 * hashed with its extraData as it is.
 *
 * Not EthereumJS's `header.hash()`, which hashes the extraData as it stands, seals included.
 *
 * @param extraData the header's extraData already decoded, to skip decoding it again.
 * @throws CustosError `QBFT_EXTRA_DATA_INVALID` when the header's extraData does not decode.
 * @example
 * ```ts
 * const hash = qbftOnchainHash(header);
 * ```
 */
export function qbftOnchainHash(header: BlockHeader, extraData?: QbftExtraData): Uint8Array {
  if (header.number === 0n) return hashHeaderWithExtraData(header, header.extraData);
  const fields = extraData ?? decodeQbftExtraData(header.extraData);
  return hashHeaderWithExtraData(header, encodeQbftExtraData({ ...fields, round: 0, seals: [] }));
}
