import type { Block } from "@ethereumjs/block";
import { createBlock } from "@ethereumjs/block";
import { Capability, createFeeMarket1559Tx, createTxFromRLP } from "@ethereumjs/tx";
import { type Address, bigIntToUnpaddedBytes, bytesToHex } from "@ethereumjs/util";
import { describe, expect, it } from "vitest";
import { createSenderRecovery } from "../../../nodes/execution/createSenderRecovery.ts";
import {
  createCustosCommon,
  createExecutionEngine,
  RecoveredKeyMemo,
  type RecoveryItem,
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

const { genesis, keys } = devGenesis(2);
/** Senders recovered ahead, read by `common`'s ecrecover (as a node wires them). */
const recoveredKeys = new RecoveredKeyMemo();
const common = createCustosCommon({ chainId: BigInt(genesis.chainId), recoveredKeys });
const hospital = recorderOf(keys, 0);

/** Transactions as a replaying node has them: decoded, senders not yet recovered. */
const decoded = (count: number, chain = common) =>
  Array.from({ length: count }, (_, i) =>
    createTxFromRLP(
      signedTx(common, hospital.privateKey, {
        nonce: BigInt(i),
        to: genesis.contracts.consentRegistry,
        data: grantCalldata(i, hospital.custodian),
        gasLimit: 200_000n,
      }).serialize(),
      { common: chain },
    ),
  );

describe("createSenderRecovery", () => {
  it("recovers every sender on the worker, ready chunk by chunk", async () => {
    const txs = decoded(120);
    const memo = new RecoveredKeyMemo();
    const senders = createSenderRecovery(memo).prefetch(txs);
    for (let i = 0; i < txs.length; i++) await senders.ready(i);
    for (const tx of txs) {
      const item = {
        msgHash: tx.getMessageToVerifySignature(),
        v: tx.v as bigint,
        r: bigIntToUnpaddedBytes(tx.r as bigint),
        s: bigIntToUnpaddedBytes(tx.s as bigint),
        chainId: tx.supports(Capability.EIP155ReplayProtection) ? tx.common.chainId() : undefined,
      };
      const early = memo.take(item);
      expect(early).toBeDefined();
      expect(memo.take(item)).toBeUndefined();
      // What the worker found is what the main thread recovers itself.
      expect(bytesToHex(early as Uint8Array)).toBe(bytesToHex(tx.getSenderPublicKey()));
    }
  });

  it("skips transactions whose sender is already known", () => {
    const [tx] = decoded(1);
    tx?.getSenderAddress();
    expect(
      createSenderRecovery(new RecoveredKeyMemo())
        .prefetch(tx === undefined ? [] : [tx])
        .ready(0),
    ).toBeUndefined();
  });

  it("a bad signature fails the block exactly as recovery on the main thread does", async () => {
    const good = signedTx(common, hospital.privateKey, {
      nonce: 0n,
      to: recorderOf(keys, 1).address,
      value: 1n,
    });
    // Same fields, signature s replaced: recovers to another key (or none).
    const forged = createFeeMarket1559Tx(
      {
        nonce: good.nonce,
        to: good.to as Address,
        value: good.value,
        gasLimit: good.gasLimit,
        maxFeePerGas: good.maxFeePerGas,
        maxPriorityFeePerGas: good.maxPriorityFeePerGas,
        chainId: good.chainId,
        v: good.v as bigint,
        r: good.r as bigint,
        s: (good.s as bigint) ^ 1n,
      },
      { common },
    );
    const reasons: unknown[] = [];
    for (const ahead of [recoveredKeys, undefined]) {
      const dir = await tempDir();
      const chainDb = await openChain(dir.path, genesis, common);
      const engine = createExecutionEngine({ chainDb, recoveredKeys: ahead });
      const parent = chainDb.head() as Block;
      const block = createBlock(
        {
          header: {
            parentHash: parent.hash(),
            number: 1n,
            timestamp: parent.header.timestamp + 1n,
            gasLimit: parent.header.gasLimit,
            baseFeePerGas: parent.header.calcNextBaseFee(),
          },
          transactions: [forged],
        },
        { common },
      );
      const error = await expectCustosError(engine.executeBlock(block), "BLOCK_INVALID");
      reasons.push(error.details);
      await chainDb.close();
      await dir.remove();
    }
    expect(reasons[0]).toEqual(reasons[1]);
  });

  it("hands the keys recovered ahead to the chain's ecrecover, which takes each once", async () => {
    /** Counts what the sender recovery remembers and what ecrecover takes. */
    class CountingMemo extends RecoveredKeyMemo {
      remembered = 0;
      taken = 0;
      override remember(item: RecoveryItem, publicKey: Uint8Array): void {
        this.remembered++;
        super.remember(item, publicKey);
      }
      override take(item: RecoveryItem): Uint8Array | undefined {
        const key = super.take(item);
        if (key !== undefined) this.taken++;
        return key;
      }
    }
    const memo = new CountingMemo();
    const chain = createCustosCommon({ chainId: BigInt(genesis.chainId), recoveredKeys: memo });
    const dir = await tempDir();
    const chainDb = await openChain(dir.path, genesis, chain);
    try {
      const engine = createExecutionEngine({ chainDb, recoveredKeys: memo });
      const parent = chainDb.head() as Block;
      const txs = decoded(60, chain);
      const built = await engine.buildBlock(parent, txs, {
        timestamp: parent.header.timestamp + 1n,
        coinbase: new Uint8Array(20),
        gasLimit: parent.header.gasLimit,
      });
      expect(built.rejected).toEqual([]);
      expect(memo.remembered).toBe(60);
      expect(memo.taken).toBe(60);
    } finally {
      await chainDb.close();
      await dir.remove();
    }
  });
});
