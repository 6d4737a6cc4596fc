import type { Block } from "@ethereumjs/block";
import { bytesToHex, equalsBytes } from "@ethereumjs/util";
import { CustosError } from "../../src/errors/index.ts";
import { type ChainDb, flatStateOfTrie, stateNodeLoader } from "../db/index.ts";
import { genesisBlock } from "./genesisBlock.ts";
import type { Genesis } from "./genesisSchema.ts";

/**
 * Makes sure `chainDb` holds this genesis: commits block 0 (with its state, trie and flat)
 * into an empty database, or checks that a non-empty one was started from the same genesis.
 *
 * @throws CustosError `GENESIS_INVALID` when the database holds a different chain.
 * @example
 * ```ts
 * const genesisBlock = await commitGenesis(chainDb, genesis);
 * ```
 */
export async function commitGenesis(chainDb: ChainDb, genesis: Genesis): Promise<Block> {
  const state = await genesisBlock(genesis, chainDb.common);
  if (chainDb.head() === undefined) {
    const nodes = new Map(
      state.stateWrites.map((w) => [Buffer.from(w.key).toString("hex"), w.value]),
    );
    const flatWrites = [
      ...flatStateOfTrie(
        state.block.header.stateRoot,
        stateNodeLoader((key) => nodes.get(key)),
      ),
    ];
    await chainDb.commitBlock({
      block: state.block,
      receipts: [],
      stateWrites: state.stateWrites,
      flatWrites,
    });
    return state.block;
  }
  const stored = await chainDb.blockByNumber(0n);
  if (stored === undefined || !equalsBytes(stored.hash(), state.block.hash())) {
    throw new CustosError("GENESIS_INVALID", "genesis does not match the chain in the database", {
      details: {
        field: "(genesis)",
        expected: bytesToHex(state.block.hash()),
        actual: stored === undefined ? "" : bytesToHex(stored.hash()),
      },
    });
  }
  return stored;
}
