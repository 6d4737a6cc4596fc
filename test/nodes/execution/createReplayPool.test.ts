import type { Block } from "@ethereumjs/block";
import { bytesToHex, hexToBytes, type PrefixedHexString } from "@ethereumjs/util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ChainDb, createWriteBackDb } from "../../../nodes/db/index.ts";
import {
  canonicalBlockHashes,
  createAccessList,
  createBlockStateManager,
  createCustosCommon,
  createExecutionEngine,
  createReplayPool,
  type ExecutionEngine,
  type ReplayContext,
  type ReplayPool,
  traceTransaction,
} from "../../../nodes/execution/index.ts";
import { expectCustosError } from "../../expectCustosError.ts";
import {
  devGenesis,
  grantCalldata,
  openChain,
  recorderOf,
  signedTx,
  tempDir,
} from "../stateFixtures.ts";

const { genesis, keys } = devGenesis(2, "replay-pool");
const common = createCustosCommon({ chainId: BigInt(genesis.chainId) });
const hex = (s: string) => hexToBytes(s as PrefixedHexString);
const h0 = recorderOf(keys, 0);
const registry = hex(genesis.contracts.consentRegistry);
// JUMPDEST, PUSH1 0, JUMP: an endless loop, run as creation code.
const LOOP = hex("0x5b600056");

let dir: { remove: () => Promise<void> };
let db: ChainDb;
let engine: ExecutionEngine;
let replays: ReplayPool;
let inThread: ReplayContext;
let granted: Block;

beforeAll(async () => {
  const made = await tempDir("custos-replays-");
  dir = made;
  db = await openChain(made.path, genesis, common);
  engine = createExecutionEngine({ chainDb: db });
  replays = createReplayPool({}, { chainDb: db });
  inThread = {
    common,
    stateAt: (stateRoot) =>
      createBlockStateManager({ common, db: createWriteBackDb(db.trieDb), stateRoot }),
    blockchain: canonicalBlockHashes(db),
  };
  const parent = db.head() as Block;
  const txs = [0n, 1n].map((nonce) =>
    signedTx(common, h0.privateKey, {
      nonce,
      gasLimit: 500_000n,
      to: genesis.contracts.consentRegistry,
      data: grantCalldata(Number(nonce) + 1, h0.custodian),
    }),
  );
  const built = await engine.buildBlock(parent, txs, {
    timestamp: parent.header.timestamp + 1n,
    coinbase: new Uint8Array(20),
    gasLimit: BigInt(genesis.gasLimit),
  });
  expect(built.rejected).toEqual([]);
  await engine.commit(built);
  granted = built.block;
});

afterAll(async () => {
  await replays?.close();
  await db?.close();
  await dir?.remove();
});

describe("createReplayPool", () => {
  it("traces a committed transaction on its worker as on this thread", async () => {
    const parent = await db.headerByHash(granted.header.parentHash);
    const stateRoot = parent?.stateRoot as Uint8Array;
    const pooled = await replays.traceTransaction(granted, stateRoot, 1, { onlyTopCall: false });
    const local = await traceTransaction(inThread, granted, stateRoot, 1, { onlyTopCall: false });
    expect(pooled).toEqual(local);
    expect(pooled.type).toBe("CALL");
    expect(bytesToHex(pooled.to as Uint8Array)).toBe(bytesToHex(registry));
    expect(pooled.calls.length).toBeGreaterThan(0);
    const receipts = await db.receipts(granted.hash());
    expect(pooled.gasUsed).toBe(receipts?.[1]?.gasUsed);
    const top = await replays.traceTransaction(granted, stateRoot, 1, { onlyTopCall: true });
    expect(top.calls).toEqual([]);
  });

  it("creates the same access list on its worker as on this thread", async () => {
    const head = db.head() as Block;
    const request = { from: hex(h0.address), to: registry, data: grantCalldata(9, h0.custodian) };
    const pooled = await replays.createAccessList(request, head, head);
    const local = await createAccessList(inThread, request, head, head, 16_777_216n);
    expect(pooled).toEqual(local);
    expect(pooled.failure).toBeUndefined();
    expect(pooled.accessList.map((entry) => bytesToHex(entry.address))).toContain(
      bytesToHex(registry),
    );
    // Run again with its own list, the list is the same and the gas accounts for it.
    const again = await replays.createAccessList(
      { ...request, accessList: pooled.accessList },
      head,
      head,
    );
    expect(again).toEqual(pooled);
  });

  it("stops an over-long replay at the timeout and goes on with a fresh worker", async () => {
    const quick = createReplayPool({ timeoutMs: 50 }, { chainDb: db });
    try {
      const head = db.head() as Block;
      await expectCustosError(
        quick.createAccessList({ data: LOOP }, head, head),
        "RPC_CALL_TIMEOUT",
      );
      expect(quick.timeouts()).toBe(1);
    } finally {
      await quick.close();
    }
    const head = db.head() as Block;
    const loop = await replays.createAccessList({ data: LOOP }, head, head);
    expect(loop.failure).toEqual({ kind: "halt", reason: "out of gas" });
    expect(loop.gasUsed).toBe(16_777_216n);
  });

  it("refuses replays beyond maxQueue with RPC_LIMIT_EXCEEDED", async () => {
    const small = createReplayPool({ maxQueue: 1 }, { chainDb: db });
    try {
      const head = db.head() as Block;
      const first = small.createAccessList({ data: LOOP }, head, head);
      await expectCustosError(
        small.createAccessList({ data: LOOP }, head, head),
        "RPC_LIMIT_EXCEEDED",
      );
      expect((await first).failure).toEqual({ kind: "halt", reason: "out of gas" });
    } finally {
      await small.close();
    }
  });
});
