/**
 * The node's EthereumJS patches against EthereumJS as shipped: random blocks built with them
 * must replay, unpatched, to the same gas, receipts (status, logs), bloom and state root; and
 * they are installed only on the pinned @ethereumjs/evm.
 */
import { readFileSync } from "node:fs";
import type { Block } from "@ethereumjs/block";
import type { TypedTransaction } from "@ethereumjs/tx";
import { bytesToHex, hexToBytes } from "@ethereumjs/util";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import {
  createCustosCommon,
  createExecutionEngine,
  installEvmPatches,
  PINNED_EVM_VERSION,
  setEvmPatches,
} from "../../../nodes/execution/index.ts";
import { expectCustosError } from "../../expectCustosError.ts";
import {
  batchGrantCalldata,
  devGenesis,
  grantCalldata,
  openChain,
  recorderOf,
  signedTx,
  tempDir,
} from "../stateFixtures.ts";

const { genesis, keys } = devGenesis(2);
const common = createCustosCommon({ chainId: BigInt(genesis.chainId) });
const recorders = [recorderOf(keys, 0), recorderOf(keys, 1)];
/** Runtime `INVALID`; and a constructor returning it. */
const INVALID_INIT = "60fe60005360016000f3";

type Action =
  | { kind: "grant"; subject: number; gas: bigint }
  | { kind: "grantByStranger"; subject: number }
  | { kind: "batch"; first: number; count: number }
  | { kind: "deployInvalid" }
  | { kind: "callInvalid" };

const action: fc.Arbitrary<Action> = fc.oneof(
  fc.record({
    kind: fc.constant("grant" as const),
    subject: fc.nat(30),
    // Enough, or running out of gas part-way through the call.
    gas: fc.constantFrom(200_000n, 40_000n, 60_000n),
  }),
  fc.record({ kind: fc.constant("grantByStranger" as const), subject: fc.nat(30) }),
  fc.record({
    kind: fc.constant("batch" as const),
    first: fc.nat(40),
    count: fc.integer({ min: 1, max: 12 }),
  }),
  fc.constant({ kind: "deployInvalid" as const }),
  fc.constant({ kind: "callInvalid" as const }),
);

const patched = { fastLoop: true, jumpAnalysisCache: true };
const unpatched = { fastLoop: false, jumpAnalysisCache: false };

describe("installEvmPatches", () => {
  afterAll(() => setEvmPatches(patched));

  it("installs on the pinned version, once, and that is the version package.json pins", async () => {
    await installEvmPatches();
    await installEvmPatches();
    const manifest = JSON.parse(readFileSync("package.json", "utf8")) as {
      dependencies: Record<string, string>;
    };
    expect(manifest.dependencies["@ethereumjs/evm"]).toBe(PINNED_EVM_VERSION);
  });

  it("refuses any other @ethereumjs/evm version with EVM_VERSION_UNSUPPORTED", async () => {
    for (const evmVersion of ["10.1.4", "10.2.0", "11.0.0", "unknown"]) {
      await expectCustosError(installEvmPatches({ evmVersion }), "EVM_VERSION_UNSUPPORTED");
    }
  });

  it("builds blocks that unpatched EthereumJS replays identically", async () => {
    const statuses = new Set<number>();
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(action, { minLength: 1, maxLength: 10 }), { minLength: 1, maxLength: 4 }),
        async (blocks) => {
          const dirs = [await tempDir(), await tempDir()];
          const [builderDb, replayDb] = [
            await openChain((dirs[0] as { path: string }).path, genesis, common),
            await openChain((dirs[1] as { path: string }).path, genesis, common),
          ];
          const builder = createExecutionEngine({ chainDb: builderDb });
          const replayer = createExecutionEngine({ chainDb: replayDb });
          const nonces = new Map<string, bigint>();
          const next = (address: string) => {
            const n = nonces.get(address) ?? 0n;
            nonces.set(address, n + 1n);
            return n;
          };
          let invalid: string | undefined;
          try {
            for (const actions of blocks) {
              const txs: TypedTransaction[] = [];
              for (const [i, a] of actions.entries()) {
                const from = recorders[i % 2] as (typeof recorders)[number];
                const registry = genesis.contracts.consentRegistry;
                if (a.kind === "grant") {
                  txs.push(
                    signedTx(common, from.privateKey, {
                      nonce: next(from.address),
                      to: registry,
                      data: grantCalldata(a.subject, from.custodian),
                      gasLimit: a.gas,
                    }),
                  );
                } else if (a.kind === "grantByStranger") {
                  const stranger = keys.researcher;
                  txs.push(
                    signedTx(common, stranger.privateKey, {
                      nonce: next(stranger.address),
                      to: registry,
                      data: grantCalldata(a.subject, from.custodian),
                      gasLimit: 200_000n,
                    }),
                  );
                } else if (a.kind === "batch") {
                  txs.push(
                    signedTx(common, from.privateKey, {
                      nonce: next(from.address),
                      to: registry,
                      data: batchGrantCalldata(a.first, a.count, from.custodian),
                      gasLimit: 2_000_000n,
                    }),
                  );
                } else if (a.kind === "deployInvalid") {
                  txs.push(
                    signedTx(common, from.privateKey, {
                      nonce: next(from.address),
                      data: hexToBytes(`0x${INVALID_INIT}`),
                      gasLimit: 200_000n,
                    }),
                  );
                } else if (invalid !== undefined) {
                  txs.push(
                    signedTx(common, from.privateKey, {
                      nonce: next(from.address),
                      to: invalid,
                      gasLimit: 100_000n,
                    }),
                  );
                }
              }
              const parent = builderDb.head() as Block;
              setEvmPatches(patched);
              const built = await builder.buildBlock(parent, txs, {
                timestamp: parent.header.timestamp + 1n,
                coinbase: new Uint8Array(20).fill(3),
                gasLimit: BigInt(genesis.gasLimit),
              });
              await builder.commit(built);
              for (const receipt of built.receipts) {
                statuses.add(receipt.status);
                if (receipt.contractAddress !== undefined)
                  invalid = bytesToHex(receipt.contractAddress);
              }
              setEvmPatches(unpatched);
              // executeBlock verifies gas used, receipts root, bloom and state root.
              await replayer.commit(await replayer.executeBlock(built.block));
            }
            expect((replayDb.head() as Block).hash()).toEqual((builderDb.head() as Block).hash());
          } finally {
            setEvmPatches(patched);
            await builderDb.close();
            await replayDb.close();
            for (const dir of dirs) await dir.remove();
          }
        },
      ),
      { numRuns: 30, seed: 77 },
    );
    // Both successful and failed (reverted, out of gas, invalid opcode) transactions ran.
    expect([...statuses].sort()).toEqual([0, 1]);
  }, 120_000);
});
