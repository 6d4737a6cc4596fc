import type { BlockHeader } from "@ethereumjs/block";
import { RLP } from "@ethereumjs/rlp";
import { headerFromFields } from "./headerFromFields.ts";
import { headerInvalid } from "./qbftErrors.ts";

/**
 * Decodes a block header's RLP, of whichever hardfork its field count names (see
 * {@link headerFromFields}): a Custos header or a Besu one, sealed or not.
 *
 * @throws CustosError `BLOCK_INVALID` (field `header`, the reason in details) when the bytes
 *   are not one canonical RLP list of byte strings making a header.
 * @example
 * ```ts
 * const header = decodeBlockHeader(hexToBytes(headerRlpHex));
 * ```
 */
export function decodeBlockHeader(bytes: Uint8Array): BlockHeader {
  let decoded: unknown;
  try {
    decoded = RLP.decode(bytes);
  } catch (cause) {
    throw headerInvalid(cause instanceof Error ? cause.message : String(cause), cause);
  }
  if (!Array.isArray(decoded) || !decoded.every((field) => field instanceof Uint8Array)) {
    throw headerInvalid("not an RLP list of byte strings");
  }
  return headerFromFields(decoded);
}
