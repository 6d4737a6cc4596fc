import type { BlockHeader } from "@ethereumjs/block";
import { encodeRlp } from "../../db/index.ts";
import { keccak256 } from "./secp256k1Signatures.ts";
import { EXTRA_DATA_FIELD } from "./withExtraData.ts";

/**
 * keccak-256 of the header's RLP with `extraData` in place of its own, every other field as
 * it is (Besu's `BftBlockHashing.serializeHeader`): the ground of both QBFT header hashes.
 *
 * @example
 * ```ts
 * const hash = hashHeaderWithExtraData(header, encodeQbftExtraData({ ...extra, seals: [] }));
 * ```
 */
export function hashHeaderWithExtraData(header: BlockHeader, extraData: Uint8Array): Uint8Array {
  const fields = header.raw();
  fields[EXTRA_DATA_FIELD] = extraData;
  return keccak256(encodeRlp(fields));
}
