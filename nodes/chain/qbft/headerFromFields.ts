import { type BlockHeader, createBlockHeaderFromBytesArray } from "@ethereumjs/block";
import { type Common, Hardfork } from "@ethereumjs/common";
import { createCustosCommon } from "../../execution/index.ts";
import { headerInvalid } from "./qbftErrors.ts";

/**
 * The hardfork whose header has this many fields: Besu QBFT chains run from pre-London
 * (15 fields, as block #7528 of data/besu-qbft) to Prague; a Custos header has 20.
 */
const hardforkByFieldCount: ReadonlyMap<number, Hardfork> = new Map([
  [15, Hardfork.Berlin],
  [16, Hardfork.London],
  [17, Hardfork.Shanghai],
  [20, Hardfork.Cancun],
  [21, Hardfork.Prague],
]);

const commons = new Map<Hardfork, Common>();

/** Custos's Common (no PoS, so no 32-byte extraData cap) set to `hardfork`; made once. */
function commonAt(hardfork: Hardfork): Common {
  let common = commons.get(hardfork);
  if (common === undefined) {
    // The chain id plays no part in a header's fields or hashes.
    common = createCustosCommon({ chainId: 1n });
    common.setHardfork(hardfork);
    commons.set(hardfork, common);
  }
  return common;
}

/**
 * A header from its RLP fields, of whichever hardfork their count names (15 fields:
 * Berlin; 16 London; 17 Shanghai; 20 Cancun, as Custos; 21 Prague), so headers of Besu
 * chains of any age can be hashed and verified. The Common has no PoS rules, so a QBFT
 * extraData of any length is accepted.
 *
 * @throws CustosError `BLOCK_INVALID` (field `header`) when the count names no supported
 *   hardfork or a field is malformed (EthereumJS's message in `reason`).
 * @example
 * ```ts
 * const header = headerFromFields(RLP.decode(bytes) as Uint8Array[]);
 * ```
 */
export function headerFromFields(fields: readonly Uint8Array[]): BlockHeader {
  const hardfork = hardforkByFieldCount.get(fields.length);
  if (hardfork === undefined) {
    throw headerInvalid(`${fields.length} fields, none of 15, 16, 17, 20 or 21`);
  }
  try {
    return createBlockHeaderFromBytesArray([...fields], {
      common: commonAt(hardfork),
      setHardfork: false,
    });
  } catch (cause) {
    throw headerInvalid(cause instanceof Error ? cause.message : String(cause), cause);
  }
}
