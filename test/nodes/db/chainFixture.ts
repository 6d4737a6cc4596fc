import type { Block } from "@ethereumjs/block";
import { commitGenesis, installQbftBlockHash } from "../../../nodes/chain/index.ts";
import { type ChainDb, createChainDb } from "../../../nodes/db/index.ts";
import { createCustosCommon, createExecutionEngine } from "../../../nodes/execution/index.ts";
import {
  buildSealedBlock,
  devGenesis,
  grantCalldata,
  recorderOf,
  signedTx,
} from "../stateFixtures.ts";

// The chain-database tests read and write blocks as a node does: hashed by Besu's rule.
installQbftBlockHash();

const { genesis, keys } = devGenesis(2);

/** The genesis of the fixture chain (for a genesis file). */
export const fixtureGenesis = genesis;

/** The dev chain the chain-database tests build on. */
export const fixtureCommon = createCustosCommon({ chainId: BigInt(genesis.chainId) });

/**
 * Commits `count` blocks of two grants each (one per hospital recorder) on top of `chainDb`'s
 * head (genesis is committed first when the database is empty), built and sealed as a dev
 * node's producer does; returns the new blocks.
 *
 * @example
 * ```ts
 * const blocks = await commitGrantBlocks(chainDb, 5);
 * ```
 */
export async function commitGrantBlocks(chainDb: ChainDb, count: number): Promise<Block[]> {
  if (chainDb.head() === undefined) await commitGenesis(chainDb, genesis);
  const engine = createExecutionEngine({ chainDb });
  const blocks: Block[] = [];
  for (let b = 0; b < count; b++) {
    const parent = chainDb.head() as Block;
    const n = Number(parent.header.number);
    const txs = [0, 1].map((h) => {
      const recorder = recorderOf(keys, h);
      return signedTx(fixtureCommon, recorder.privateKey, {
        nonce: BigInt(n),
        to: genesis.contracts.consentRegistry,
        data: grantCalldata(n * 2 + h, recorder.custodian),
        gasLimit: 200_000n,
      });
    });
    const built = await buildSealedBlock(engine, parent, txs, { genesis, keys });
    await engine.commit(built);
    blocks.push(built.block);
  }
  return blocks;
}

/**
 * Opens the chain database at `location` (no marker), runs `change` and closes it.
 *
 * @example
 * ```ts
 * await withChainDb(dir, (db) => commitGrantBlocks(db, 3));
 * ```
 */
export async function withChainDb<T>(
  location: string,
  change: (chainDb: ChainDb) => Promise<T>,
): Promise<T> {
  const chainDb = await createChainDb({ location, common: fixtureCommon });
  try {
    return await change(chainDb);
  } finally {
    await chainDb.close();
  }
}

export { damageRecords } from "./damageRecords.ts";
