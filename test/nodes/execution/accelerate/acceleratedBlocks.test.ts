/**
 * Blocks built with the ConsentRegistry accelerator against blocks built without it: random
 * registry traffic (registryOps.ts) is built into blocks by an accelerated engine and by an
 * interpreter-only one, which must seal byte-identical blocks (hence the same receipts root,
 * bloom, gas and state root) with equal receipts; each block is then replayed by an
 * interpreter-only engine and by an accelerated one on the merkle state path (EthereumJS's
 * state manager), and the interpreter's block by an accelerated engine on the flat path
 * (replay verifies gas, receipts, bloom and state root). The chains carry
 * over from one run to the next, so later runs meet records granted and revoked earlier.
 */
import { type Block, createBlockFromRLP } from "@ethereumjs/block";
import type { TypedTransaction } from "@ethereumjs/tx";
import { bytesToHex, hexToBytes, type PrefixedHexString } from "@ethereumjs/util";
import { keccak_256 } from "@noble/hashes/sha3.js";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createQbftHeaderRule } from "../../../../nodes/chain/index.ts";
import type { ChainDb } from "../../../../nodes/db/index.ts";
import {
  type ConsentRegistryAccelerator,
  createConsentRegistryAccelerator,
} from "../../../../nodes/execution/accelerate/index.ts";
import {
  type BuiltBlock,
  createCustosCommon,
  createExecutionEngine,
  type ExecutionEngine,
} from "../../../../nodes/execution/index.ts";
import {
  batchGrantCalldata,
  buildSealedBlock,
  grantCalldata,
  openChain,
  recorderOf,
  signedTx,
  tempDir,
} from "../../stateFixtures.ts";
import { genesis, keys, registryTxArb, senderOf, senders, signRegistryTx } from "./registryOps.ts";

const common = createCustosCommon({ chainId: BigInt(genesis.chainId) });
const REVOKED = bytesToHex(
  keccak_256(new TextEncoder().encode("ConsentRevoked(bytes32,uint32,address,uint32,bytes32)")),
);
const coinbase = hexToBytes(keys.hospitals[0]?.validator.address as PrefixedHexString);

interface Node {
  readonly db: ChainDb;
  readonly engine: ExecutionEngine;
}

function comparable(built: BuiltBlock) {
  return {
    hash: bytesToHex(built.block.hash()),
    rejected: built.rejected.map((r) => ({ tx: bytesToHex(r.tx.hash()), reason: r.reason })),
    receipts: built.receipts.map((r) => ({
      status: r.status,
      gasUsed: r.gasUsed,
      cumulativeGasUsed: r.cumulativeGasUsed,
      logs: r.logs.map(([address, topics, data]) => [
        bytesToHex(address),
        topics.map(bytesToHex),
        bytesToHex(data),
      ]),
    })),
  };
}

describe("accelerated blocks", () => {
  const dirs: { remove: () => Promise<void> }[] = [];
  const nodes: Node[] = [];
  let accelerator: ConsentRegistryAccelerator;
  let replayAccelerator: ConsentRegistryAccelerator;
  let merkleAccelerator: ConsentRegistryAccelerator;

  async function node(options: Omit<Parameters<typeof createExecutionEngine>[0], "chainDb">) {
    const dir = await tempDir("custos-accelerate-");
    dirs.push(dir);
    const db = await openChain(dir.path, genesis, common);
    const created = { db, engine: createExecutionEngine({ chainDb: db, ...options }) };
    nodes.push(created);
    return created;
  }

  beforeAll(async () => {
    accelerator = createConsentRegistryAccelerator({
      consentRegistry: genesis.contracts.consentRegistry,
    });
    replayAccelerator = createConsentRegistryAccelerator({
      consentRegistry: genesis.contracts.consentRegistry,
    });
    merkleAccelerator = createConsentRegistryAccelerator({
      consentRegistry: genesis.contracts.consentRegistry,
    });
  });

  afterAll(async () => {
    for (const n of nodes.splice(0)) await n.db.close();
    for (const d of dirs.splice(0)) await d.remove();
  });

  it("builds the same blocks as the interpreter, and each side's blocks replay on the other", async () => {
    const fast = await node({ accelerator });
    const interpreted = await node({});
    const merkleReplay = await node({ statePath: "merkle" });
    const acceleratedReplay = await node({ accelerator: replayAccelerator });
    const acceleratedMerkle = await node({ statePath: "merkle", accelerator: merkleAccelerator });
    const nonces = senders.map(() => 0n);
    // Successful transactions by what they did, read off their events.
    const done = { grantNew: 0, grantAgain: 0, revoke: 0, batch: 0, failed: 0 };

    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(registryTxArb, { minLength: 1, maxLength: 14 }), {
          minLength: 1,
          maxLength: 3,
        }),
        async (blocks) => {
          for (const specs of blocks) {
            const parent = fast.db.head() as Block;
            const txs: TypedTransaction[] = specs.map((spec) => {
              const sender = senderOf(spec);
              const nonce = nonces[sender] as bigint;
              nonces[sender] = nonce + 1n;
              return signRegistryTx(common, spec, nonce);
            });
            const build = {
              timestamp: parent.header.timestamp + 1n,
              coinbase,
              gasLimit: BigInt(genesis.gasLimit),
            };
            const built = await fast.engine.buildBlock(parent, txs, build);
            const reference = await interpreted.engine.buildBlock(
              interpreted.db.head() as Block,
              txs,
              build,
            );
            expect(comparable(built)).toEqual(comparable(reference));
            // Rejected transactions (too little gas for their intrinsic cost) keep their nonce.
            for (const rejected of built.rejected) {
              const index = txs.indexOf(rejected.tx);
              const spec = specs[index];
              if (spec !== undefined) {
                const sender = senderOf(spec);
                nonces[sender] = (nonces[sender] as bigint) - 1n;
              }
            }
            await fast.engine.commit(built);
            await interpreted.engine.commit(reference);
            await merkleReplay.engine.commit(await merkleReplay.engine.executeBlock(built.block));
            await acceleratedMerkle.engine.commit(
              await acceleratedMerkle.engine.executeBlock(built.block),
            );
            await acceleratedReplay.engine.commit(
              await acceleratedReplay.engine.executeBlock(reference.block),
            );
            for (const { status, logs } of built.receipts) {
              const [first] = logs;
              if (status !== 1) done.failed++;
              else if (logs.length > 1) done.batch++;
              else if (first !== undefined && bytesToHex(first[1][0] as Uint8Array) === REVOKED) {
                done.revoke++;
              } else if (first !== undefined && (first[2][31] as number) > 1) done.grantAgain++;
              else if (first !== undefined) done.grantNew++;
            }
          }
        },
      ),
      { numRuns: 50, seed: 14, endOnFailure: true },
    );

    const heads = nodes.map((n) => bytesToHex((n.db.head() as Block).hash()));
    expect(new Set(heads).size).toBe(1);
    // What the runs exercised, so that the property cannot pass vacuously.
    const stats = accelerator.stats();
    expect(stats.accelerated).toBeGreaterThan(40);
    for (const reason of ["context", "calldata", "revert", "state", "gas"] as const) {
      expect(stats.fallbacks[reason], reason).toBeGreaterThan(0);
    }
    expect(replayAccelerator.stats()).toEqual(stats);
    expect(merkleAccelerator.stats()).toEqual(stats);
    for (const [what, count] of Object.entries(done)) expect(count, what).toBeGreaterThan(5);
  }, 120_000);

  it("seals blocks a node without the accelerator accepts, byte for byte what it would build", async () => {
    const sealing = createConsentRegistryAccelerator({
      consentRegistry: genesis.contracts.consentRegistry,
    });
    const producer = await node({ accelerator: sealing });
    const plainProducer = await node({});
    // As a --no-accelerate node verifies: QBFT seals and re-execution on the interpreter.
    const verifier = await node({
      headerRule: createQbftHeaderRule({
        consortium: hexToBytes(genesis.contracts.consortium as PrefixedHexString),
      }),
    });
    const nonces = [0n, 0n, 0n];
    const txsOf = (block: number) =>
      Array.from({ length: 60 }, (_, i) => {
        const hospital = i % 3;
        const { privateKey, custodian } = recorderOf(keys, hospital);
        const nonce = nonces[hospital] as bigint;
        nonces[hospital] = nonce + 1n;
        const n = 1_000_000 + block * 1_000 + i;
        return signedTx(common, privateKey, {
          nonce,
          to: genesis.contracts.consentRegistry,
          // Every tenth a batch of 50 fresh subjects, the rest single grants.
          data:
            i % 10 === 9 ? batchGrantCalldata(n * 100, 50, custodian) : grantCalldata(n, custodian),
          gasLimit: i % 10 === 9 ? 2_000_000n : 150_000n,
        });
      });
    for (let block = 0; block < 3; block++) {
      const txs = txsOf(block);
      const chain = { genesis, keys, timestamp: BigInt(block + 1) };
      const built = await buildSealedBlock(
        producer.engine,
        producer.db.head() as Block,
        txs,
        chain,
      );
      const plain = await buildSealedBlock(
        plainProducer.engine,
        plainProducer.db.head() as Block,
        txs,
        chain,
      );
      expect(built.receipts.every((r) => r.status === 1)).toBe(true);
      expect(bytesToHex(built.block.serialize())).toBe(bytesToHex(plain.block.serialize()));
      await producer.engine.commit(built);
      await plainProducer.engine.commit(plain);
      const received = createBlockFromRLP(built.block.serialize(), { common });
      await verifier.engine.commit(await verifier.engine.executeBlock(received));
    }
    expect(sealing.stats().accelerated).toBe(180);
    expect(bytesToHex((verifier.db.head() as Block).hash())).toBe(
      bytesToHex((producer.db.head() as Block).hash()),
    );
  }, 60_000);
});
