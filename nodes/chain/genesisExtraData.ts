import { hexToBytes } from "@ethereumjs/util";
import type { Genesis } from "./genesisSchema.ts";
import { qbftGenesisExtraData, sortedValidators } from "./qbft/index.ts";

/**
 * The extraData of a genesis's block 0: its validators in QBFT extraData, as Besu writes a
 * QBFT genesis (`qbftGenesisExtraData`), sorted ascending as every later block lists them.
 *
 * @example
 * ```ts
 * const extraData = genesisExtraData(genesis); // what block 0 carries and genesis.extraData must be
 * ```
 */
export function genesisExtraData(genesis: Pick<Genesis, "validators">): Uint8Array {
  return qbftGenesisExtraData(
    sortedValidators(genesis.validators.map((v) => hexToBytes(v as `0x${string}`))),
  );
}
