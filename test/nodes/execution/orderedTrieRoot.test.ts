import { genTransactionsTrieRoot } from "@ethereumjs/block";
import type { Log } from "@ethereumjs/evm";
import { MerklePatriciaTrie } from "@ethereumjs/mpt";
import { RLP } from "@ethereumjs/rlp";
import { bytesToHex, MapDB } from "@ethereumjs/util";
import { encodeReceipt } from "@ethereumjs/vm";
import { keccak_256 } from "@noble/hashes/sha3.js";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { encodeReceiptBytes } from "../../../nodes/execution/executeTransactions.ts";
import { orderedTrieRoot } from "../../../nodes/execution/orderedTrieRoot.ts";

describe("orderedTrieRoot", () => {
  it("equals EthereumJS's trie of RLP(index) → value, past 128 and 256 entries", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.uint8Array({ minLength: 1, maxLength: 80 }), { maxLength: 300 }),
        async (values) => {
          const trie = new MerklePatriciaTrie({ db: new MapDB() });
          for (const [i, v] of values.entries()) await trie.put(RLP.encode(i), v);
          expect(bytesToHex(orderedTrieRoot(values, keccak_256))).toBe(bytesToHex(trie.root()));
        },
      ),
      { numRuns: 60, seed: 8 },
    );
  });

  it("gives the empty-trie root for no values, as genTransactionsTrieRoot does", async () => {
    expect(orderedTrieRoot([], keccak_256)).toEqual(await genTransactionsTrieRoot([]));
  });
});

describe("encodeReceiptBytes", () => {
  const log: fc.Arbitrary<Log> = fc.tuple(
    fc.uint8Array({ minLength: 20, maxLength: 20 }),
    fc.array(fc.uint8Array({ minLength: 32, maxLength: 32 }), { maxLength: 4 }),
    fc.uint8Array({ maxLength: 200 }),
  );
  it("encodes exactly as EthereumJS's encodeReceipt for every type and status", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(0, 1, 2),
        fc.constantFrom(0 as const, 1 as const),
        fc.bigInt(21_000n, 30_000_000n),
        fc.uint8Array({ minLength: 256, maxLength: 256 }),
        fc.array(log, { maxLength: 5 }),
        (type, status, gas, bloom, logs) => {
          const ours = encodeReceiptBytes(type, status, gas, bloom, logs);
          const theirs = encodeReceipt(
            { status, cumulativeBlockGasUsed: gas, bitvector: bloom, logs },
            type as 0 | 1 | 2,
          );
          expect(ours).toEqual(theirs);
        },
      ),
      { numRuns: 200, seed: 9 },
    );
  });
});
