import { CustosError } from "../../../src/errors/index.ts";
import { bytesKey, compareBytes } from "./qbftBytes.ts";
import { qbftMaxFaulty, qbftQuorum } from "./qbftQuorum.ts";

/** The validators of one height, with the numbers the rules need. */
export interface QbftValidatorSet {
  /** 20-byte addresses, ascending. */
  readonly addresses: readonly Uint8Array[];
  /** {@link bytesKey} of each address, for membership tests. */
  readonly keys: ReadonlySet<string>;
  /** ⌈2n/3⌉. */
  readonly quorum: number;
  /** f = ⌊(n − 1)/3⌋. */
  readonly maxFaulty: number;
}

/**
 * The validator set of a height from addresses sorted ascending (as the driver reads them
 * from chain state); each is copied.
 *
 * @throws CustosError `CONSENSUS_INPUT_INVALID` when the list is empty, an address is not
 *   20 bytes, or the list is not strictly ascending (unsorted or with a duplicate).
 * @example
 * ```ts
 * const set = createQbftValidatorSet([a, b, c, d]); // set.quorum === 3
 * ```
 */
export function createQbftValidatorSet(addresses: readonly Uint8Array[]): QbftValidatorSet {
  if (addresses.length === 0) {
    throw new CustosError("CONSENSUS_INPUT_INVALID", "the validator set is empty", {
      details: { field: "validators" },
    });
  }
  addresses.forEach((address, index) => {
    const previous = addresses[index - 1];
    if (address.length !== 20 || (previous !== undefined && compareBytes(previous, address) >= 0)) {
      throw new CustosError(
        "CONSENSUS_INPUT_INVALID",
        "validators must be distinct 20-byte addresses in ascending order",
        { details: { field: "validators", index } },
      );
    }
  });
  const copies = addresses.map((address) => address.slice());
  return Object.freeze({
    addresses: Object.freeze(copies),
    keys: new Set(copies.map(bytesKey)),
    quorum: qbftQuorum(copies.length),
    maxFaulty: qbftMaxFaulty(copies.length),
  });
}
