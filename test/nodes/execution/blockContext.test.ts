import type { Block } from "@ethereumjs/block";
import { createAddressFromPrivateKey, createContractAddress, hexToBytes } from "@ethereumjs/util";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ChainDb } from "../../../nodes/db/index.ts";
import {
  createCustosCommon,
  createExecutionEngine,
  type ExecutionEngine,
} from "../../../nodes/execution/index.ts";
import {
  devGenesis,
  grantCalldata,
  openChain,
  recorderOf,
  signedTx,
  tempDir,
} from "../stateFixtures.ts";

const { genesis, keys } = devGenesis(2, "block-context");
const common = createCustosCommon({ chainId: BigInt(genesis.chainId) });
const key = recorderOf(keys, 0).privateKey;
const sender = createAddressFromPrivateKey(hexToBytes(key as `0x${string}`));

// Creation code that returns blockhash(number - 1) as its "runtime code":
// PUSH1 1, NUMBER, SUB, BLOCKHASH, PUSH1 0, MSTORE, PUSH1 32, PUSH1 0, RETURN.
const RETURN_PARENT_HASH = hexToBytes("0x600143034060005260206000f3");
// Creation code that stores blockhash(number - 1) in slot 0 and deploys nothing:
// PUSH1 1, NUMBER, SUB, BLOCKHASH, PUSH1 0, SSTORE, STOP.
const STORE_PARENT_HASH = hexToBytes("0x600143034060005500");

let dir: { path: string; remove: () => Promise<void> };
let db: ChainDb;
let engine: ExecutionEngine;

beforeEach(async () => {
  dir = await tempDir("custos-context-");
  db = await openChain(dir.path, genesis, common);
  engine = createExecutionEngine({ chainDb: db });
});
afterEach(async () => {
  await db.close();
  await dir.remove();
});

async function commitBlock(nonce: bigint, data: Uint8Array, to?: string) {
  const parent = db.head() as Block;
  const tx = signedTx(common, key, {
    nonce,
    ...(to === undefined ? {} : { to }),
    data,
    gasLimit: 300_000n,
  });
  const built = await engine.buildBlock(parent, [tx], {
    timestamp: parent.header.timestamp + 1n,
    coinbase: new Uint8Array(20),
    gasLimit: BigInt(genesis.gasLimit),
  });
  expect(built.rejected).toEqual([]);
  await engine.commit(built);
  return built;
}

describe("the EVM's view of the chain", () => {
  it("answers BLOCKHASH with canonical hashes, in calls and in executed blocks", async () => {
    await commitBlock(0n, grantCalldata(1, 1), genesis.contracts.consentRegistry);
    await commitBlock(1n, grantCalldata(2, 1), genesis.contracts.consentRegistry);
    const head = db.head() as Block;
    const call = await engine.call({ data: RETURN_PARENT_HASH }, head);
    expect(call.returnData).toEqual(head.header.parentHash);

    const built = await commitBlock(2n, STORE_PARENT_HASH);
    const created = createContractAddress(sender, 2n);
    const stored = await engine.storageAt(created.bytes, new Uint8Array(32), db.head() as Block);
    expect(stored).toEqual(built.block.header.parentHash);
    expect(stored).not.toEqual(new Uint8Array(32));
  });

  it("leaves no listener on the shared Common per block or call (no EVM is kept alive)", async () => {
    const listeners = () => common.events.listeners("hardforkChanged").length;
    await commitBlock(0n, grantCalldata(1, 1), genesis.contracts.consentRegistry);
    const before = listeners();
    for (let i = 0; i < 5; i++) {
      await engine.call({ data: RETURN_PARENT_HASH }, db.head() as Block);
    }
    await engine.estimateGas(
      {
        from: sender.bytes,
        to: hexToBytes(genesis.contracts.consentRegistry as `0x${string}`),
        data: grantCalldata(9, 1),
      },
      db.head() as Block,
    );
    await commitBlock(1n, grantCalldata(2, 1), genesis.contracts.consentRegistry);
    expect(listeners()).toBe(before);
    expect(before).toBeLessThanOrEqual(1);
  });
});
