import { spawn } from "node:child_process";
import type { Block } from "@ethereumjs/block";
import { hexToBytes, type PrefixedHexString } from "@ethereumjs/util";
import { describe, expect, it } from "vitest";
import { installQbftBlockHash } from "../../../nodes/chain/index.ts";
import {
  createChainDb,
  flatStateOfTrie,
  liveStateKeys,
  stateNodeLoader,
} from "../../../nodes/db/index.ts";
import { createCustosCommon, createExecutionEngine } from "../../../nodes/execution/index.ts";
import { expectCustosError } from "../../expectCustosError.ts";
import { runCrashLoop } from "../crashHarness.ts";
import {
  devGenesis,
  flatRecords,
  recorderOf,
  storedFlatRecords,
  storedStateKeys,
  tempDir,
} from "../stateFixtures.ts";

const { genesis, keys } = devGenesis(2);
const common = createCustosCommon({ chainId: BigInt(genesis.chainId) });
const worker = new URL("./crashWorker.ts", import.meta.url).pathname;
/** The worker persists its state every this many blocks (the node: 64). */
const PERSIST_BLOCKS = 3;

describe("kill -9 while committing blocks", () => {
  it("always restarts on a fully committed head whose state loads", async () => {
    // As the worker (openChain): the database is written under Besu's block-hash rule.
    installQbftBlockHash();
    const dir = await tempDir();
    let lastReported = -1n;
    let maxHead = 0n;
    await runCrashLoop({
      script: worker,
      args: [dir.path, "40", String(PERSIST_BLOCKS)],
      kills: 5,
      seed: 20261123,
      minDelayMs: 300,
      maxDelayMs: 2500,
      check: async (round, lines) => {
        for (const line of lines) {
          const match = /^committed (\d+)$/.exec(line);
          if (match !== null) lastReported = BigInt(match[1] as string);
        }
        const stored = await storedFlatRecords(dir.path);
        const chainDb = await createChainDb({ location: dir.path, common });
        try {
          const head = chainDb.head() as Block;
          expect(head, `round ${round}`).toBeDefined();
          // The flat state was committed in the same batches: it holds exactly the head's state.
          expect(chainDb.flatState.blockHash).toEqual(head.hash());
          // The trie state was persisted at most PERSIST_BLOCKS before; re-executing the rest
          // brings it to the head.
          const engine = createExecutionEngine({ chainDb });
          const persisted = (chainDb.stateBlock() as { number: bigint }).number;
          expect(head.header.number - persisted).toBeLessThan(BigInt(PERSIST_BLOCKS));
          expect(await engine.restoreState()).toBe(Number(head.header.number - persisted));
          const load = stateNodeLoader((key) => chainDb.trieDb.getSync(key));
          expect(stored).toEqual(flatRecords(flatStateOfTrie(head.header.stateRoot, load)));
          // No block whose commit resolved is lost.
          expect(head.header.number).toBeGreaterThanOrEqual(lastReported);
          maxHead = head.header.number;
          let txsBy0 = 0n;
          for (let n = 1n; n <= head.header.number; n++) {
            const block = (await chainDb.blockByNumber(n)) as Block;
            const receipts = await chainDb.receipts(block.hash());
            expect(receipts?.length).toBe(block.transactions.length);
            expect(receipts?.every((r) => r.status === 1)).toBe(true);
            for (const tx of block.transactions) {
              expect(await chainDb.transactionLocation(tx.hash())).toBeDefined();
              if (tx.getSenderAddress().toString() === recorderOf(keys, 0).address) txsBy0++;
            }
          }
          // The head's state root loads and agrees with the committed transactions.
          const account = await engine.account(
            hexToBytes(recorderOf(keys, 0).address as PrefixedHexString),
            head,
          );
          expect(account.nonce).toBe(txsBy0);
        } finally {
          await chainDb.close();
        }
      },
    });
    expect(maxHead).toBeGreaterThan(0n);
    await dir.remove();
  }, 180_000);
});

describe("a stop between state persists", () => {
  it("re-executes the blocks after the persisted state, and stores exactly the head's state", async () => {
    installQbftBlockHash();
    const dir = await tempDir();
    // Persist every 3 blocks, SIGKILL after 5: state persisted at block 3, blocks 4–5 held.
    const child = spawn(process.execPath, [worker, dir.path, "20", "3", "5"], { stdio: "ignore" });
    const signal = await new Promise((resolve) => child.on("exit", (_code, s) => resolve(s)));
    expect(signal).toBe("SIGKILL");
    const chainDb = await createChainDb({ location: dir.path, common });
    const head = chainDb.head() as Block;
    expect(head.header.number).toBe(5n);
    expect(chainDb.stateBlock()?.number).toBe(3n);
    const load = stateNodeLoader((key) => chainDb.trieDb.getSync(key));
    await expectCustosError(
      (async () => [...flatStateOfTrie(head.header.stateRoot, load)])(),
      "STATE_NOT_AVAILABLE",
    );
    const engine = createExecutionEngine({ chainDb });
    expect(await engine.restoreState()).toBe(2);
    expect(chainDb.stateHead()?.number).toBe(5n);
    const reachable = liveStateKeys(head.header.stateRoot, load);
    const account = await engine.account(
      hexToBytes(recorderOf(keys, 0).address as PrefixedHexString),
      head,
    );
    expect(account.nonce).toBe(50n);
    // A clean stop persists the state held: after it, the disk holds the head's state and
    // nothing else (every superseded node pruned, none the head uses missing).
    await chainDb.close();
    expect(await storedStateKeys(dir.path)).toEqual(reachable);
    const reopened = await createChainDb({ location: dir.path, common });
    expect(reopened.stateBlock()?.number).toBe(5n);
    await reopened.close();
    await dir.remove();
  }, 60_000);
});
