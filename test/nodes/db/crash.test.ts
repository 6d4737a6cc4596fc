import type { Block } from "@ethereumjs/block";
import { bytesToHex, hexToBytes, type PrefixedHexString } from "@ethereumjs/util";
import { describe, expect, it } from "vitest";
import { installQbftBlockHash } from "../../../nodes/chain/index.ts";
import { createChainDb, flatStateOfTrie } from "../../../nodes/db/index.ts";
import { createCustosCommon, createExecutionEngine } from "../../../nodes/execution/index.ts";
import { runCrashLoop } from "../crashHarness.ts";
import {
  devGenesis,
  flatRecords,
  recorderOf,
  storedFlatRecords,
  tempDir,
} from "../stateFixtures.ts";

const { genesis, keys } = devGenesis(2);
const common = createCustosCommon({ chainId: BigInt(genesis.chainId) });

describe("kill -9 while committing blocks", () => {
  it("always restarts on a fully committed head whose state loads", async () => {
    // As the worker (openChain): the database is written under Besu's block-hash rule.
    installQbftBlockHash();
    const dir = await tempDir();
    let lastReported = -1n;
    let maxHead = 0n;
    await runCrashLoop({
      script: new URL("./crashWorker.ts", import.meta.url).pathname,
      args: [dir.path, "40"],
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
          const load = (hash: Uint8Array) => chainDb.trieDb.getSync(bytesToHex(hash).slice(2));
          expect(stored).toEqual(flatRecords(flatStateOfTrie(head.header.stateRoot, load)));
          // No block whose commit resolved is lost.
          expect(head.header.number).toBeGreaterThanOrEqual(lastReported);
          maxHead = head.header.number;
          const engine = createExecutionEngine({ chainDb });
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
