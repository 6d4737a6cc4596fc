import { bytesToHex } from "@ethereumjs/util";
import { describe, expect, it } from "vitest";
import { createTxPool, defaultTxPoolOptions } from "../../../nodes/txpool/index.ts";
import type { ErrorCode } from "../../../src/errors/index.ts";
import { expectCustosError } from "../../expectCustosError.ts";
import { addressOf, CHAIN_ID, ETH, makePool, signedTx, testKey } from "./fixtures.ts";

/**
 * The refusal's code, and its message: geth's wording, which JSON-RPC clients match on (the
 * node returns it as the error message of eth_sendRawTransaction).
 */
async function refusal(added: Promise<unknown>, code: ErrorCode): Promise<string> {
  return (await expectCustosError(added, code)).shortMessage;
}

const alice = testKey(0);
const bob = testKey(1);
const carol = testKey(2);
const outsider = testKey(9);

describe("createTxPool admission", () => {
  it("admits a member's executable transaction as pending", async () => {
    const { pool } = makePool();
    const tx = signedTx({ key: alice, nonce: 0 });
    const result = await pool.add(tx);
    expect(result.status).toBe("pending");
    expect(result.hash).toEqual(tx.hash());
    expect(result.sender).toEqual(addressOf(alice));
    expect(result.evicted).toEqual([]);
    expect(pool.get(tx.hash())).toBe(tx);
    expect(pool.pendingNonce(addressOf(alice))).toBe(1n);
    expect(pool.stats()).toEqual({
      pending: 1,
      queued: 0,
      bytes: tx.serialize().length,
      senders: 1,
    });
  });

  it("never admits a non-member", async () => {
    const { pool, setState } = makePool();
    setState(outsider, { nonce: 0n, balance: ETH });
    await expect(pool.add(signedTx({ key: outsider, nonce: 0 }))).rejects.toMatchObject({
      code: "TXPOOL_SENDER_NOT_MEMBER",
    });
    expect(pool.stats().senders).toBe(0);
  });

  it("refuses the same transaction twice as already known", async () => {
    const { pool } = makePool();
    const tx = signedTx({ key: alice, nonce: 0 });
    await pool.add(tx);
    await expect(pool.add(tx)).rejects.toMatchObject({
      code: "TXPOOL_ALREADY_KNOWN",
      shortMessage: "already known",
    });
  });

  it("refuses concurrent submissions of one transaction after the first", async () => {
    const { pool } = makePool();
    const tx = signedTx({ key: alice, nonce: 0 });
    const results = await Promise.allSettled([pool.add(tx), pool.add(tx)]);
    expect(results.map((r) => r.status).sort()).toEqual(["fulfilled", "rejected"]);
    expect(pool.stats().pending).toBe(1);
  });

  it("refuses a nonce below the account nonce", async () => {
    const { pool, setState } = makePool();
    setState(alice, { nonce: 5n, balance: ETH });
    expect(
      await refusal(pool.add(signedTx({ key: alice, nonce: 3 })), "TXPOOL_NONCE_TOO_LOW"),
    ).toBe("nonce too low: next nonce 5, tx nonce 3");
  });

  it("refuses a nonce further ahead than the per-sender limit", async () => {
    const { pool } = makePool({ maxPerSender: 4 });
    await expectCustosError(pool.add(signedTx({ key: alice, nonce: 4 })), "TXPOOL_NONCE_TOO_HIGH");
    await expect(pool.add(signedTx({ key: alice, nonce: 3 }))).resolves.toMatchObject({
      status: "queued",
    });
  });

  it("refuses when the balance does not cover all of the sender's pooled costs", async () => {
    const { pool, setState } = makePool();
    setState(alice, { nonce: 0n, balance: 21_000n * 10n * 2n + 5n });
    await pool.add(signedTx({ key: alice, nonce: 0, value: 5n }));
    expect(
      await refusal(
        pool.add(signedTx({ key: alice, nonce: 1, value: 1n })),
        "TXPOOL_INSUFFICIENT_FUNDS",
      ),
    ).toMatch(/^insufficient funds for gas \* price \+ value/);
    await expect(pool.add(signedTx({ key: alice, nonce: 1 }))).resolves.toMatchObject({
      status: "pending",
    });
  });

  it("refuses a gas limit above the block gas limit and a tip below the minimum", async () => {
    const { pool } = makePool({ blockGasLimit: 100_000n, minTip: 2n });
    expect(
      await refusal(
        pool.add(signedTx({ key: alice, nonce: 0, gasLimit: 100_001n })),
        "TXPOOL_GAS_LIMIT",
      ),
    ).toMatch(/exceeds block gas limit/);
    expect(
      await refusal(pool.add(signedTx({ key: alice, nonce: 0, tip: 1n })), "TXPOOL_UNDERPRICED"),
    ).toMatch(/^transaction underpriced/);
  });

  it("validates its options", () => {
    const ports = {
      accountState: () => ({ nonce: 0n, balance: 0n }),
      isMember: () => true,
      now: () => 0,
    };
    const refused = (options: Parameters<typeof createTxPool>[0]) =>
      expectCustosError(() => createTxPool(options, ports), "INVALID_ARGUMENT").details;
    expect(refused({ chainId: CHAIN_ID, blockGasLimit: 1n, maxCount: 0 })).toEqual({
      field: "maxCount",
    });
    expect(refused({ chainId: CHAIN_ID, blockGasLimit: 1n, priceBumpPercent: -1 })).toEqual({
      field: "priceBumpPercent",
    });
    expect(refused({ chainId: CHAIN_ID, blockGasLimit: -1n })).toEqual({ field: "blockGasLimit" });
    expect(defaultTxPoolOptions.priceBumpPercent).toBe(10);
  });
});

describe("createTxPool per-sender limit", () => {
  it("says account limit exceeded once the sender fills its nonce window", async () => {
    const { pool } = makePool({ maxPerSender: 3 });
    for (const nonce of [0, 1, 2]) await pool.add(signedTx({ key: alice, nonce }));
    expect(
      await refusal(pool.add(signedTx({ key: alice, nonce: 3 })), "TXPOOL_SENDER_LIMIT"),
    ).toMatch(/^account limit exceeded/);
    await expect(pool.add(signedTx({ key: bob, nonce: 0 }))).resolves.toMatchObject({
      status: "pending",
    });
  });

  it("frees slots when the sender's transactions are mined", async () => {
    const { pool, setState } = makePool({ maxPerSender: 2 });
    const mined = signedTx({ key: alice, nonce: 0 });
    await pool.add(mined);
    await pool.add(signedTx({ key: alice, nonce: 1 }));
    setState(alice, { nonce: 1n, balance: ETH });
    await pool.onBlockCommitted({ header: { gasLimit: 30_000_000n }, transactions: [mined] });
    await expect(pool.add(signedTx({ key: alice, nonce: 2 }))).resolves.toMatchObject({
      status: "pending",
    });
  });

  it("reports a gapped nonce beyond the window as nonce too high", async () => {
    const { pool } = makePool({ maxPerSender: 3 });
    await pool.add(signedTx({ key: alice, nonce: 0 }));
    expect(
      await refusal(pool.add(signedTx({ key: alice, nonce: 3 })), "TXPOOL_NONCE_TOO_HIGH"),
    ).toMatch(/^nonce too high: next nonce 0, tx nonce 3\b/);
  });

  it("promotes a gapped run once the gap is filled", async () => {
    const { pool } = makePool({ maxPerSender: 3 });
    await pool.add(signedTx({ key: alice, nonce: 0 }));
    await pool.add(signedTx({ key: alice, nonce: 2 }));
    await expect(pool.add(signedTx({ key: alice, nonce: 1 }))).resolves.toMatchObject({
      status: "pending",
      promoted: [signedTx({ key: alice, nonce: 2 }).hash()],
    });
  });
});

describe("createTxPool replacement", () => {
  it("replaces a same-nonce transaction that raises both fees by at least 10 %", async () => {
    const { pool } = makePool();
    const first = signedTx({ key: alice, nonce: 0, fee: 100n, tip: 10n });
    await pool.add(first);
    const second = signedTx({ key: alice, nonce: 0, fee: 110n, tip: 11n });
    const result = await pool.add(second);
    expect(result.replaced).toEqual(first.hash());
    expect(pool.get(first.hash())).toBeUndefined();
    expect(pool.get(second.hash())).toBe(second);
    expect(pool.stats().pending).toBe(1);
  });

  it("refuses a replacement that raises only one of the fees enough", async () => {
    const { pool } = makePool();
    await pool.add(signedTx({ key: alice, nonce: 0, fee: 100n, tip: 10n }));
    for (const [fee, tip] of [
      [109n, 11n],
      [200n, 10n],
    ] as const) {
      expect(
        await refusal(
          pool.add(signedTx({ key: alice, nonce: 0, fee, tip })),
          "TXPOOL_REPLACEMENT_UNDERPRICED",
        ),
      ).toMatch(/^replacement transaction underpriced/);
    }
  });

  it("compares gasPrice for legacy replacements, across types too", async () => {
    const { pool } = makePool();
    await pool.add(signedTx({ key: alice, nonce: 0, type: 0, fee: 100n }));
    await expect(
      pool.add(signedTx({ key: alice, nonce: 0, type: 0, fee: 109n })),
    ).rejects.toMatchObject({
      code: "TXPOOL_REPLACEMENT_UNDERPRICED",
    });
    await expect(
      pool.add(signedTx({ key: alice, nonce: 0, type: 0, fee: 110n })),
    ).resolves.toBeDefined();
    await expect(
      pool.add(signedTx({ key: alice, nonce: 0, type: 2, fee: 121n, tip: 121n })),
    ).resolves.toBeDefined();
  });

  it("requires a strict increase when the bump rounds to nothing", async () => {
    const { pool } = makePool();
    await pool.add(signedTx({ key: alice, nonce: 0, fee: 0n, tip: 0n }));
    await expect(
      pool.add(signedTx({ key: alice, nonce: 0, fee: 0n, tip: 0n, value: 1n })),
    ).rejects.toMatchObject({
      code: "TXPOOL_REPLACEMENT_UNDERPRICED",
    });
    await expect(
      pool.add(signedTx({ key: alice, nonce: 0, fee: 1n, tip: 1n })),
    ).resolves.toBeDefined();
  });
});

describe("createTxPool ordering and selection", () => {
  it("queues future nonces and promotes them when the gap closes", async () => {
    const { pool } = makePool();
    const n2 = signedTx({ key: alice, nonce: 2 });
    const n1 = signedTx({ key: alice, nonce: 1 });
    expect((await pool.add(n2)).status).toBe("queued");
    expect((await pool.add(n1)).status).toBe("queued");
    expect(pool.stats()).toMatchObject({ pending: 0, queued: 2 });
    const n0 = signedTx({ key: alice, nonce: 0 });
    const result = await pool.add(n0);
    expect(result.promoted.map(bytesToHex).sort()).toEqual(
      [n1.hash(), n2.hash()].map(bytesToHex).sort(),
    );
    expect(pool.stats()).toMatchObject({ pending: 3, queued: 0 });
    expect(pool.pendingNonce(addressOf(alice))).toBe(3n);
    expect(pool.content().pending[0]?.txs).toEqual([n0, n1, n2]);
  });

  it("selects by effective tip while keeping each sender's nonce order", async () => {
    const { pool } = makePool();
    const a0 = signedTx({ key: alice, nonce: 0, fee: 100n, tip: 1n });
    const a1 = signedTx({ key: alice, nonce: 1, fee: 100n, tip: 50n });
    const b0 = signedTx({ key: bob, nonce: 0, fee: 100n, tip: 10n });
    const c0 = signedTx({ key: carol, nonce: 0, type: 0, fee: 30n });
    for (const tx of [a0, a1, b0, c0]) await pool.add(tx);
    // baseFee 25: carol's legacy tip is 5, bob 10, alice's first 1 (then 50).
    const picked = pool.selectForBlock({ baseFee: 25n, gasLimit: 30_000_000n, maxTxs: 10 });
    expect(picked).toEqual([b0, c0, a0, a1]);
  });

  it("skips senders whose fee cap is below the base fee, with their later nonces", async () => {
    const { pool } = makePool();
    const a0 = signedTx({ key: alice, nonce: 0, fee: 5n, tip: 1n });
    const a1 = signedTx({ key: alice, nonce: 1, fee: 100n, tip: 90n });
    const b0 = signedTx({ key: bob, nonce: 0, fee: 20n, tip: 1n });
    for (const tx of [a0, a1, b0]) await pool.add(tx);
    expect(pool.selectForBlock({ baseFee: 10n, gasLimit: 30_000_000n, maxTxs: 10 })).toEqual([b0]);
  });

  it("respects the block gas limit and the transaction count", async () => {
    const { pool } = makePool();
    const big = signedTx({ key: alice, nonce: 0, fee: 100n, gasLimit: 60_000n });
    const after = signedTx({ key: alice, nonce: 1, fee: 100n });
    const small = signedTx({ key: bob, nonce: 0, fee: 1n });
    const small2 = signedTx({ key: bob, nonce: 1, fee: 1n });
    for (const tx of [big, after, small, small2]) await pool.add(tx);
    expect(pool.selectForBlock({ baseFee: 0n, gasLimit: 50_000n, maxTxs: 10 })).toEqual([
      small,
      small2,
    ]);
    expect(pool.selectForBlock({ baseFee: 0n, gasLimit: 90_000n, maxTxs: 10 })).toEqual([
      big,
      after,
    ]);
    expect(pool.selectForBlock({ baseFee: 0n, gasLimit: 30_000_000n, maxTxs: 1 })).toEqual([big]);
  });

  it("breaks price ties by admission order", async () => {
    const { pool } = makePool();
    const b0 = signedTx({ key: bob, nonce: 0 });
    const a0 = signedTx({ key: alice, nonce: 0 });
    await pool.add(b0);
    await pool.add(a0);
    expect(pool.selectForBlock({ baseFee: 0n, gasLimit: 1_000_000n, maxTxs: 10 })).toEqual([
      b0,
      a0,
    ]);
  });

  it("never selects queued transactions", async () => {
    const { pool } = makePool();
    await pool.add(signedTx({ key: alice, nonce: 1 }));
    expect(pool.selectForBlock({ baseFee: 0n, gasLimit: 1_000_000n, maxTxs: 10 })).toEqual([]);
  });
});

describe("createTxPool capacity", () => {
  it("evicts the cheapest sender tail to admit a better-paying transaction", async () => {
    const { pool } = makePool({ maxCount: 3 });
    const a0 = signedTx({ key: alice, nonce: 0, fee: 5n });
    const a1 = signedTx({ key: alice, nonce: 1, fee: 50n });
    const b0 = signedTx({ key: bob, nonce: 0, fee: 10n });
    for (const tx of [a0, a1, b0]) await pool.add(tx);
    const c0 = signedTx({ key: carol, nonce: 0, fee: 20n });
    const result = await pool.add(c0);
    // alice's nonce 0 is cheapest overall but her nonce 1 is the evictable tail; at 50 it
    // outbids carol, so bob's only transaction goes.
    expect(result.evicted).toEqual([b0.hash()]);
    expect(pool.get(a0.hash())).toBe(a0);
    expect(pool.stats()).toMatchObject({ pending: 3, queued: 0 });
  });

  it("refuses a transaction that cannot outbid the cheapest as underpriced", async () => {
    const { pool } = makePool({ maxCount: 2 });
    await pool.add(signedTx({ key: alice, nonce: 0, fee: 10n }));
    await pool.add(signedTx({ key: bob, nonce: 0, fee: 10n }));
    expect(
      await refusal(pool.add(signedTx({ key: carol, nonce: 0, fee: 10n })), "TXPOOL_UNDERPRICED"),
    ).toMatch(/^transaction underpriced/);
    expect(pool.stats().pending).toBe(2);
  });

  it("says txpool is full when only the newcomer's own transactions could go", async () => {
    const { pool } = makePool({ maxCount: 2 });
    await pool.add(signedTx({ key: alice, nonce: 0, fee: 1n }));
    await pool.add(signedTx({ key: alice, nonce: 1, fee: 1n }));
    expect(
      await refusal(pool.add(signedTx({ key: alice, nonce: 2, fee: 100n })), "TXPOOL_FULL"),
    ).toBe("txpool is full");
  });

  it("evicts by bytes as well as by count", async () => {
    const one = signedTx({ key: alice, nonce: 0, fee: 1n }).serialize().length;
    const { pool } = makePool({ maxBytes: one * 2 + 10 });
    await pool.add(signedTx({ key: alice, nonce: 0, fee: 1n }));
    await pool.add(signedTx({ key: bob, nonce: 0, fee: 2n }));
    const result = await pool.add(signedTx({ key: carol, nonce: 0, fee: 3n }));
    expect(result.evicted).toEqual([signedTx({ key: alice, nonce: 0, fee: 1n }).hash()]);
    expect(pool.stats().bytes).toBeLessThanOrEqual(one * 2 + 10);
  });

  it("caps queued transactions", async () => {
    const { pool } = makePool({ maxQueued: 1 });
    await pool.add(signedTx({ key: alice, nonce: 1 }));
    expect(await refusal(pool.add(signedTx({ key: bob, nonce: 1 })), "TXPOOL_FULL")).toMatch(
      /^txpool is full: future-nonce queue/,
    );
    await expect(pool.add(signedTx({ key: bob, nonce: 0 }))).resolves.toMatchObject({
      status: "pending",
    });
  });
});

describe("createTxPool block commits", () => {
  it("removes included transactions and promotes queued ones", async () => {
    const { pool, setState } = makePool();
    const a0 = signedTx({ key: alice, nonce: 0 });
    const a2 = signedTx({ key: alice, nonce: 2 });
    await pool.add(a0);
    await pool.add(a2);
    const a1 = signedTx({ key: alice, nonce: 1 });
    setState(alice, { nonce: 2n, balance: ETH });
    const result = await pool.onBlockCommitted({
      header: { gasLimit: 30_000_000n, baseFeePerGas: 7n },
      transactions: [a0, a1],
    });
    expect(result.included).toEqual([a0.hash()]);
    expect(result.promoted).toEqual([a2.hash()]);
    expect(pool.stats()).toMatchObject({ pending: 1, queued: 0 });
    expect(pool.pendingNonce(addressOf(alice))).toBe(3n);
  });

  it("drops transactions the new balance no longer covers, with their later nonces", async () => {
    const { pool, setState } = makePool();
    const txs = [0, 1, 2].map((nonce) => signedTx({ key: alice, nonce, value: 100n }));
    for (const tx of txs) await pool.add(tx);
    const mined = signedTx({ key: alice, nonce: 0, value: 100n });
    setState(alice, { nonce: 1n, balance: 21_000n * 10n + 100n });
    const result = await pool.onBlockCommitted({
      header: { gasLimit: 30_000_000n },
      transactions: [mined],
    });
    expect(result.dropped).toEqual([txs[2]?.hash()]);
    expect(pool.get(txs[1]?.hash() ?? new Uint8Array())).toBeDefined();
  });

  it("ignores a state read older than what the pool already knows", async () => {
    const { pool, setState } = makePool();
    setState(alice, { nonce: 3n, balance: ETH });
    await pool.add(signedTx({ key: alice, nonce: 3 }));
    await pool.onBlockCommitted(
      { header: { gasLimit: 30_000_000n }, transactions: [signedTx({ key: alice, nonce: 2 })] },
      () => ({ nonce: 1n, balance: ETH }),
    );
    expect(pool.stats().pending).toBe(1);
  });

  it("uses the committed block's gas limit for later admission", async () => {
    const { pool } = makePool();
    await pool.onBlockCommitted({ header: { gasLimit: 50_000n }, transactions: [] });
    await expect(
      pool.add(signedTx({ key: alice, nonce: 0, gasLimit: 60_000n })),
    ).rejects.toMatchObject({
      code: "TXPOOL_GAS_LIMIT",
    });
  });

  it("expires queued transactions after their lifetime, with later nonces", async () => {
    const { pool, clock } = makePool({ queuedLifetimeMs: 1000 });
    const a1 = signedTx({ key: alice, nonce: 1 });
    const a2 = signedTx({ key: alice, nonce: 2 });
    const b0 = signedTx({ key: bob, nonce: 0 });
    await pool.add(a1);
    clock.now += 600;
    await pool.add(a2);
    await pool.add(b0);
    clock.now += 600;
    expect(pool.evictExpired().map(bytesToHex)).toEqual([a1.hash(), a2.hash()].map(bytesToHex));
    expect(pool.stats()).toMatchObject({ pending: 1, queued: 0 });
    clock.now += 10_000;
    const result = await pool.onBlockCommitted({
      header: { gasLimit: 30_000_000n },
      transactions: [],
    });
    expect(result.dropped).toEqual([]);
  });

  it("drops a transaction and its sender's later nonces on request", async () => {
    const { pool } = makePool();
    const txs = [0, 1, 2].map((nonce) => signedTx({ key: alice, nonce }));
    for (const tx of txs) await pool.add(tx);
    expect(pool.drop(txs[1]?.hash() ?? new Uint8Array()).length).toBe(2);
    expect(pool.stats()).toMatchObject({ pending: 1, queued: 0 });
    expect(pool.drop(new Uint8Array(32))).toEqual([]);
  });
});
