import { type Block, createBlock, genTransactionsTrieRoot } from "@ethereumjs/block";
import { bytesToHex } from "@ethereumjs/util";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ChainDb } from "../../../nodes/db/index.ts";
import {
  createCustosCommon,
  createExecutionEngine,
  type ExecutionEngine,
  MAX_TX_GAS,
} from "../../../nodes/execution/index.ts";
import { expectCustosError } from "../../expectCustosError.ts";
import { devGenesis, openChain, recorderOf, signedTx, tempDir } from "../stateFixtures.ts";

const { genesis, keys } = devGenesis(2, "max-tx-gas");
const common = createCustosCommon({ chainId: BigInt(genesis.chainId) });
const h0 = recorderOf(keys, 0);
const h1 = recorderOf(keys, 1);
// A block gas limit with room for a transaction above the per-transaction cap.
const BLOCK_GAS = 4n * MAX_TX_GAS;

let dir: { remove: () => Promise<void> };
let db: ChainDb;
let engine: ExecutionEngine;

beforeEach(async () => {
  const made = await tempDir("custos-max-tx-gas-");
  dir = made;
  db = await openChain(made.path, genesis, common);
  engine = createExecutionEngine({ chainDb: db });
});
afterEach(async () => {
  await db.close();
  await dir.remove();
});

const options = (parent: Block) => ({
  timestamp: parent.header.timestamp + 1n,
  coinbase: new Uint8Array(20),
  gasLimit: BLOCK_GAS,
});

describe("the per-transaction gas cap (EIP-7825's 2^24)", () => {
  it("leaves a transaction above the cap out of a built block, as invalid", async () => {
    const parent = db.head() as Block;
    const over = signedTx(common, h0.privateKey, {
      nonce: 0n,
      to: h1.address,
      gasLimit: MAX_TX_GAS + 1n,
    });
    const atCap = signedTx(common, h1.privateKey, {
      nonce: 0n,
      to: h0.address,
      gasLimit: MAX_TX_GAS,
    });
    const built = await engine.buildBlock(parent, [over, atCap], options(parent));
    expect(built.block.transactions.map((tx) => bytesToHex(tx.hash()))).toEqual([
      bytesToHex(atCap.hash()),
    ]);
    expect(built.rejected).toHaveLength(1);
    expect(built.rejected[0]?.kind).toBe("invalid");
    expect(built.rejected[0]?.tx.hash()).toEqual(over.hash());
  });

  it("refuses a received block carrying one, naming the transaction", async () => {
    const parent = db.head() as Block;
    const fine = signedTx(common, h1.privateKey, { nonce: 0n, to: h0.address });
    const built = await engine.buildBlock(parent, [fine], options(parent));
    const over = signedTx(common, h0.privateKey, {
      nonce: 0n,
      to: h1.address,
      gasLimit: MAX_TX_GAS + 1n,
    });
    const bad = createBlock(
      {
        header: {
          ...built.block.header.toJSON(),
          transactionsTrie: await genTransactionsTrieRoot([fine, over]),
        },
        transactions: [fine, over],
      },
      { common },
    );
    const error = await expectCustosError(engine.executeBlock(bad), "BLOCK_INVALID");
    expect(error.details).toMatchObject({
      field: "transactions[1].gasLimit",
      txHash: bytesToHex(over.hash()),
    });
  });
});
