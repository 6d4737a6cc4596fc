import type { BlockHeader } from "@ethereumjs/block";
import { CustosError, isCustosError } from "../../../src/errors/index.ts";
import { decodeQbftExtraData } from "./decodeQbftExtraData.ts";
import { encodeQbftExtraData } from "./encodeQbftExtraData.ts";
import { QBFT_VANITY_LENGTH } from "./QbftExtraData.ts";
import { sortedValidators } from "./sortedValidators.ts";

/**
 * The extraData of a QBFT genesis block carrying the initial validator set, as Besu's
 * `QbftExtraDataCodec.encodeFromAddresses` writes it (and `besu rlp encode --type
 * QBFT_EXTRA_DATA`): 32 zero vanity bytes, the validators in the order given, no vote,
 * round 0, no seals. Pass them sorted (see `sortedValidators`) for the order every later
 * block lists them in.
 *
 * @throws CustosError `QBFT_EXTRA_DATA_INVALID` (field `validators`, with the index) when an
 *   address is not 20 bytes.
 * @example
 * ```ts
 * const extraData = qbftGenesisExtraData(sortedValidators(hospitalValidators));
 * ```
 */
export function qbftGenesisExtraData(validators: readonly Uint8Array[]): Uint8Array {
  return encodeQbftExtraData({
    vanity: new Uint8Array(QBFT_VANITY_LENGTH),
    validators,
    vote: undefined,
    round: 0,
    seals: [],
  });
}

/**
 * The initial validator set of a QBFT chain, from its genesis header's extraData: sorted
 * ascending and each address once, as Besu's validator provider holds it and as block 1
 * must list it.
 *
 * @throws CustosError `GENESIS_INVALID` (field `extraData`, the decoding error as cause) when
 *   the header is not block 0 or its extraData is not QBFT extraData.
 * @example
 * ```ts
 * const validators = validatorsOfGenesis(genesis.header);
 * ```
 */
export function validatorsOfGenesis(header: BlockHeader): Uint8Array[] {
  if (header.number !== 0n) {
    throw new CustosError("GENESIS_INVALID", "the header is not block 0", {
      details: { field: "number", number: header.number.toString() },
    });
  }
  try {
    return sortedValidators(decodeQbftExtraData(header.extraData).validators);
  } catch (error) {
    if (!isCustosError(error, "QBFT_EXTRA_DATA_INVALID")) throw error;
    throw new CustosError("GENESIS_INVALID", `genesis ${error.shortMessage}`, {
      details: { field: "extraData", reason: error.details.reason },
      cause: error,
    });
  }
}
