import type { EVMMockBlockchainInterface } from "@ethereumjs/evm";
import { CustosError } from "../../src/errors/index.ts";
import type { ChainDb } from "../db/index.ts";

/**
 * The chain as the EVM's BLOCKHASH opcode sees it: canonical block hashes from the chain
 * database. The EVM asks only for the 256 blocks below the one executing, all committed
 * before it (a built or replayed block's ancestors are in the database), so a missing hash
 * is a broken database, not an expected answer.
 *
 * Without it EthereumJS answers BLOCKHASH from an empty mock chain (zero for every block),
 * unlike every other Ethereum client and unlike what a contract reading it expects.
 *
 * @throws CustosError `CHAIN_DB_CORRUPT` (from `getBlock`) when an ancestor's hash is missing.
 * @example
 * ```ts
 * const vm = await createVM({ common, stateManager, blockchain: canonicalBlockHashes(chainDb) });
 * ```
 */
export function canonicalBlockHashes(
  chainDb: Pick<ChainDb, "canonicalHash">,
): EVMMockBlockchainInterface {
  const chain: EVMMockBlockchainInterface = {
    async getBlock(number: number) {
      const hash = await chainDb.canonicalHash(BigInt(number));
      if (hash === undefined) {
        throw new CustosError("CHAIN_DB_CORRUPT", `no canonical block ${number} for BLOCKHASH`, {
          details: { keyspace: "canonical", key: String(number) },
        });
      }
      return { hash: () => hash };
    },
    async putBlock() {},
    shallowCopy: () => chain,
  };
  return chain;
}
