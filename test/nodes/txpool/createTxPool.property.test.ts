import type { TypedTransaction } from "@ethereumjs/tx";
import { bytesToHex } from "@ethereumjs/util";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type AccountState, createTxPool, txFees } from "../../../nodes/txpool/index.ts";
import { isCustosError } from "../../../src/errors/index.ts";
import { addressOf, CHAIN_ID, ETH, signedTx, testKey } from "./fixtures.ts";

const SEED = 20261123;
const SENDERS = [0, 1, 2, 3].map(testKey);
const NON_MEMBER = 3;
const FEES = [
  [10n, 1n],
  [12n, 2n],
  [20n, 5n],
  [40n, 40n],
] as const;
const NONCES = 4;
const LIMITS = {
  maxCount: 6,
  maxBytes: 600,
  maxPerSender: 4,
  maxQueued: 5,
  queuedLifetimeMs: 1000,
};

// Signing is the slow part (~1 ms per transaction), so every run draws from one fixed matrix.
const matrix: TypedTransaction[] = [];
for (const key of SENDERS) {
  for (let nonce = 0; nonce < NONCES; nonce++) {
    for (const [fee, tip] of FEES) {
      for (const type of [0, 2] as const) {
        for (const gasLimit of [21_000n, 50_000n]) {
          matrix.push(signedTx({ key, nonce, type, fee, tip, gasLimit, value: 1n }));
        }
      }
    }
  }
}

const byHash = new Map(matrix.map((tx) => [bytesToHex(tx.hash()), tx]));
let evictions = 0;
const codes = new Map<string, number>();

type Op =
  | { kind: "add"; index: number }
  | { kind: "mine"; baseFee: bigint; gasLimit: bigint; maxTxs: number }
  | { kind: "external"; sender: number }
  | { kind: "tick"; ms: number }
  | { kind: "drop"; pick: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.nat(matrix.length - 1).map((index) => ({ kind: "add" as const, index })),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("mine" as const),
      baseFee: fc.constantFrom(0n, 5n, 15n),
      gasLimit: fc.constantFrom(21_000n, 60_000n, 200_000n),
      maxTxs: fc.integer({ min: 1, max: 6 }),
    }),
  },
  { weight: 1, arbitrary: fc.nat(2).map((sender) => ({ kind: "external" as const, sender })) },
  {
    weight: 1,
    arbitrary: fc.integer({ min: 100, max: 800 }).map((ms) => ({ kind: "tick" as const, ms })),
  },
  { weight: 1, arbitrary: fc.nat(100).map((pick) => ({ kind: "drop" as const, pick })) },
);

function costOf(tx: TypedTransaction): bigint {
  return tx.gasLimit * txFees(tx).feeCap + tx.value;
}

describe("createTxPool invariants (property)", () => {
  it("keep nonce runs contiguous, hashes unique, caps and funds respected, non-members out", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 20, maxLength: 60 }), async (ops) => {
        const state = new Map<string, AccountState>();
        SENDERS.forEach((key, i) => {
          // Sender 1 can afford only a few transactions, to exercise the funds rules.
          state.set(bytesToHex(addressOf(key)), { nonce: 0n, balance: i === 1 ? 2_500_000n : ETH });
        });
        const members = new Set(
          SENDERS.filter((_, i) => i !== NON_MEMBER).map((k) => bytesToHex(addressOf(k))),
        );
        const clock = { now: 0 };
        const read = (address: Uint8Array): AccountState =>
          state.get(bytesToHex(address)) ?? { nonce: 0n, balance: 0n };
        const pool = createTxPool(
          { chainId: CHAIN_ID, blockGasLimit: 1_000_000n, ...LIMITS },
          { accountState: read, isMember: (a) => members.has(bytesToHex(a)), now: () => clock.now },
        );

        for (const op of ops) {
          if (op.kind === "add") {
            try {
              const result = await pool.add(matrix[op.index] as TypedTransaction);
              for (const hash of result.evicted) {
                evictions++;
                const victim = byHash.get(bytesToHex(hash)) as TypedTransaction;
                const sender = victim.getSenderAddress().toString();
                const remaining = [...pool.content().pending, ...pool.content().queued]
                  .filter((g) => bytesToHex(g.sender) === sender)
                  .flatMap((g) => g.txs);
                for (const tx of remaining) expect(tx.nonce < victim.nonce).toBe(true);
              }
            } catch (error) {
              expect(isCustosError(error)).toBe(true);
              if (isCustosError(error)) codes.set(error.code, (codes.get(error.code) ?? 0) + 1);
              if (isCustosError(error)) expect(error.code.startsWith("TXPOOL_")).toBe(true);
            }
          } else if (op.kind === "mine") {
            const block = pool.selectForBlock(op);
            for (const tx of block) {
              const key = tx.getSenderAddress().toString();
              const before = state.get(key) as AccountState;
              expect(tx.nonce).toBe(before.nonce);
              state.set(key, { nonce: before.nonce + 1n, balance: before.balance - costOf(tx) });
            }
            await pool.onBlockCommitted(
              { header: { gasLimit: 1_000_000n, baseFeePerGas: op.baseFee }, transactions: block },
              read,
            );
          } else if (op.kind === "external") {
            const key = SENDERS[op.sender] as Uint8Array;
            const hex = bytesToHex(addressOf(key));
            const before = state.get(hex) as AccountState;
            // A transaction sent elsewhere: uses a nonce and spends, so pooled ones may become unaffordable.
            const spent = before.balance < 1_000_000n ? before.balance : 1_000_000n;
            state.set(hex, { nonce: before.nonce + 1n, balance: before.balance - spent });
            const outside = matrix.find(
              (tx) => tx.nonce === before.nonce && tx.getSenderAddress().toString() === hex,
            );
            await pool.onBlockCommitted(
              {
                header: { gasLimit: 1_000_000n },
                transactions: outside === undefined ? [] : [outside],
              },
              read,
            );
          } else if (op.kind === "tick") {
            clock.now += op.ms;
            pool.evictExpired();
          } else {
            const all = [...pool.content().pending, ...pool.content().queued].flatMap((s) => s.txs);
            const victim = all[op.pick % Math.max(1, all.length)];
            if (victim !== undefined) pool.drop(victim.hash());
          }
          checkInvariants();
        }

        function checkInvariants(): void {
          const { pending, queued } = pool.content();
          const stats = pool.stats();
          const hashes = new Set<string>();
          let bytes = 0;
          const perSender = new Map<string, TypedTransaction[]>();
          for (const group of [...pending, ...queued]) {
            const hex = bytesToHex(group.sender);
            expect(members.has(hex)).toBe(true);
            for (const tx of group.txs) {
              hashes.add(bytesToHex(tx.hash()));
              bytes += tx.serialize().length;
              perSender.set(hex, [...(perSender.get(hex) ?? []), tx]);
            }
          }
          const count = stats.pending + stats.queued;
          expect(hashes.size).toBe(count);
          expect(bytes).toBe(stats.bytes);
          expect(count).toBeLessThanOrEqual(LIMITS.maxCount);
          expect(bytes).toBeLessThanOrEqual(LIMITS.maxBytes);
          expect(stats.queued).toBeLessThanOrEqual(LIMITS.maxQueued);
          for (const group of pending) {
            const account = read(group.sender);
            group.txs.forEach((tx, i) => {
              expect(tx.nonce).toBe(account.nonce + BigInt(i));
            });
            expect(pool.pendingNonce(group.sender)).toBe(account.nonce + BigInt(group.txs.length));
          }
          for (const group of queued) {
            const next = pool.pendingNonce(group.sender) as bigint;
            for (const tx of group.txs) expect(tx.nonce > next).toBe(true);
          }
          for (const [hex, txs] of perSender) {
            expect(txs.length).toBeLessThanOrEqual(LIMITS.maxPerSender);
            const account = state.get(hex) as AccountState;
            expect(txs.reduce((sum, tx) => sum + costOf(tx), 0n) <= account.balance).toBe(true);
          }
          for (const baseFee of [0n, 15n]) {
            const picked = pool.selectForBlock({ baseFee, gasLimit: 100_000n, maxTxs: 3 });
            expect(picked.length).toBeLessThanOrEqual(3);
            expect(picked.reduce((g, tx) => g + tx.gasLimit, 0n) <= 100_000n).toBe(true);
            const nextNonce = new Map<string, bigint>();
            for (const tx of picked) {
              const hex = tx.getSenderAddress().toString();
              const expected = nextNonce.get(hex) ?? (state.get(hex) as AccountState).nonce;
              expect(tx.nonce).toBe(expected);
              expect(txFees(tx).feeCap >= baseFee).toBe(true);
              nextNonce.set(hex, expected + 1n);
            }
          }
        }
      }),
      { seed: SEED, numRuns: 150 },
    );
    // The sequences must actually reach the full-pool path for the eviction rule to be tested.
    console.log(codes, evictions);
    expect(evictions).toBeGreaterThan(0);
  });
});
