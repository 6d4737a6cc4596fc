/**
 * The flat state path against EthereumJS's MerkleStateManager on random blocks: a block built
 * on the flat path must replay on the merkle path (which verifies state root, receipts root,
 * bloom and gas), and on the flat path of a third node; afterwards the flat keyspaces must
 * hold exactly the head's state trie.
 */
import type { Block } from "@ethereumjs/block";
import type { TypedTransaction } from "@ethereumjs/tx";
import { bytesToHex, hexToBytes, type PrefixedHexString } from "@ethereumjs/util";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type ChainDb, flatStateOfTrie, stateNodeLoader } from "../../../nodes/db/index.ts";
import {
  createCustosCommon,
  createExecutionEngine,
  type ExecutionEngine,
} from "../../../nodes/execution/index.ts";
import {
  devGenesis,
  flatRecords,
  grantCalldata,
  openChain,
  recorderOf,
  signedTx,
  storedFlatRecords,
  tempDir,
} from "../stateFixtures.ts";

const { genesis, keys } = devGenesis(3);
const common = createCustosCommon({ chainId: BigInt(genesis.chainId) });
// The hospitals' recorders: funded members, each granting in its own hospital's records.
const senders = keys.hospitals.map((_, i) => recorderOf(keys, i));

/**
 * A store contract: calldata `slot ‖ value` stores the value (zero deletes the slot);
 * `slot ‖ value ‖ anything` stores and then reverts; empty calldata selfdestructs to the caller.
 */
const STORE_RUNTIME = "3615601a57600035602035905536606014601557005b600080fd5b33ff";
/** Constructor: stores 1 in slot 1, then returns STORE_RUNTIME. */
const STORE_INIT = `6001600155601d6011600039601d6000f3${STORE_RUNTIME}`;
/** Constructor that stores 1 in slot 1 and selfdestructs: created and deleted in one tx. */
const EPHEMERAL_INIT = "600160015533ff";

type Action =
  | { kind: "transfer"; from: number; to: number; value: bigint }
  | { kind: "deploy"; from: number; ephemeral: boolean }
  | { kind: "store"; from: number; contract: number; slot: number; value: bigint; revert: boolean }
  | { kind: "destroy"; from: number; contract: number }
  | { kind: "grant"; from: number; subject: number };

const sender = fc.nat(senders.length - 1);
const action: fc.Arbitrary<Action> = fc.oneof(
  fc.record({
    kind: fc.constant("transfer" as const),
    from: sender,
    to: fc.nat(5),
    value: fc.constantFrom(0n, 1n, 10n ** 18n),
  }),
  fc.record({ kind: fc.constant("deploy" as const), from: sender, ephemeral: fc.boolean() }),
  fc.record({
    kind: fc.constant("store" as const),
    from: sender,
    contract: fc.nat(4),
    slot: fc.nat(3),
    value: fc.constantFrom(0n, 1n, 2n, 2n ** 255n),
    revert: fc.boolean(),
  }),
  fc.record({ kind: fc.constant("destroy" as const), from: sender, contract: fc.nat(4) }),
  fc.record({ kind: fc.constant("grant" as const), from: sender, subject: fc.nat(20) }),
);

const word = (n: bigint) => n.toString(16).padStart(64, "0");

describe("state paths", () => {
  it("blocks built on the flat path replay on EthereumJS's merkle path; flat state == trie", async () => {
    // What the random blocks exercised, so that the property cannot pass vacuously.
    const seen = { created: 0, storedOrDestroyed: 0, reverted: 0 };
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(action, { minLength: 1, maxLength: 12 }), { minLength: 1, maxLength: 5 }),
        async (blocks) => {
          const dirs = [await tempDir(), await tempDir(), await tempDir()];
          const dbs: ChainDb[] = [];
          const engines: ExecutionEngine[] = [];
          for (const [i, dir] of dirs.entries()) {
            const db = await openChain(dir.path, genesis, common);
            dbs.push(db);
            engines.push(
              createExecutionEngine({ chainDb: db, statePath: i === 1 ? "merkle" : "flat" }),
            );
          }
          const [builder, merkle, flat] = engines as [
            ExecutionEngine,
            ExecutionEngine,
            ExecutionEngine,
          ];
          const builderDb = dbs[0] as ChainDb;
          const contracts: string[] = [];
          const others = Array.from(
            { length: 6 },
            (_, i) => `0x${(i + 1).toString(16).repeat(40)}`,
          );
          try {
            for (const actions of blocks) {
              const parent = builderDb.head() as Block;
              const nonces = await Promise.all(
                senders.map(
                  async (s) =>
                    (await builder.account(hexToBytes(s.address as PrefixedHexString), parent))
                      .nonce,
                ),
              );
              const txs: TypedTransaction[] = [];
              for (const a of actions) {
                const from = senders[a.from] as (typeof senders)[number];
                const nonce = nonces[a.from] as bigint;
                nonces[a.from] = nonce + 1n;
                const base = { nonce, gasLimit: 1_000_000n };
                const target = (n: number) => contracts[n % Math.max(1, contracts.length)];
                if (a.kind === "transfer") {
                  const to =
                    a.to < 3 ? (senders[a.to]?.address as string) : (others[a.to] as string);
                  txs.push(signedTx(common, from.privateKey, { ...base, to, value: a.value }));
                } else if (a.kind === "deploy") {
                  txs.push(
                    signedTx(common, from.privateKey, {
                      ...base,
                      data: hexToBytes(`0x${a.ephemeral ? EPHEMERAL_INIT : STORE_INIT}`),
                    }),
                  );
                } else if (a.kind === "grant") {
                  txs.push(
                    signedTx(common, from.privateKey, {
                      ...base,
                      to: genesis.contracts.consentRegistry,
                      data: grantCalldata(a.subject, from.custodian),
                    }),
                  );
                } else {
                  const to = target(a.contract) ?? (others[0] as string);
                  const data =
                    a.kind === "destroy"
                      ? new Uint8Array(0)
                      : hexToBytes(
                          `0x${word(BigInt(a.slot))}${word(a.value)}${a.revert ? word(1n) : ""}`,
                        );
                  txs.push(signedTx(common, from.privateKey, { ...base, to, data }));
                }
              }
              const built = await builder.buildBlock(parent, txs, {
                timestamp: parent.header.timestamp + 1n,
                coinbase: new Uint8Array(20).fill(9),
                gasLimit: BigInt(genesis.gasLimit),
              });
              await builder.commit(built);
              for (const [i, receipt] of built.receipts.entries()) {
                const to = built.block.transactions[i]?.to?.toString();
                if (to !== undefined && contracts.includes(to)) {
                  if (receipt.status === 1) seen.storedOrDestroyed++;
                  else seen.reverted++;
                }
                if (receipt.contractAddress !== undefined) {
                  contracts.push(bytesToHex(receipt.contractAddress));
                  seen.created++;
                }
              }
              // executeBlock throws BLOCK_INVALID naming the field on any mismatch.
              await merkle.commit(await merkle.executeBlock(built.block));
              await flat.commit(await flat.executeBlock(built.block));
            }
            const head = builderDb.head() as Block;
            for (const db of dbs)
              expect(bytesToHex((db.head() as Block).hash())).toBe(bytesToHex(head.hash()));
            const load = stateNodeLoader((key) => builderDb.trieDb.getSync(key));
            const expected = flatRecords(flatStateOfTrie(head.header.stateRoot, load));
            // The merkle node keeps no flat state: its flat head stays at genesis.
            expect(dbs[1]?.flatState.blockHash).not.toEqual(head.hash());
            for (const i of [0, 2]) {
              expect(dbs[i]?.flatState.blockHash).toEqual(head.hash());
              await dbs[i]?.close();
              expect(await storedFlatRecords((dirs[i] as { path: string }).path)).toEqual(expected);
            }
            await dbs[1]?.close();
          } finally {
            for (const db of dbs) await db.close().catch(() => undefined);
            for (const dir of dirs) await dir.remove();
          }
        },
      ),
      { numRuns: 25, seed: 2026 },
    );
    expect(seen.created).toBeGreaterThan(10);
    expect(seen.storedOrDestroyed).toBeGreaterThan(10);
    expect(seen.reverted).toBeGreaterThan(5);
  }, 120_000);
});
