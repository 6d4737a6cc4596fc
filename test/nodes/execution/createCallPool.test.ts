import { readdirSync, readFileSync } from "node:fs";
import { type Block, createBlock } from "@ethereumjs/block";
import { hexToBytes, type PrefixedHexString } from "@ethereumjs/util";
import { Interface } from "ethers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ChainDb } from "../../../nodes/db/index.ts";
import {
  type CallPool,
  type CallRequest,
  createCallPool,
  createCustosCommon,
  createExecutionEngine,
  type ExecutionEngine,
} from "../../../nodes/execution/index.ts";
import { consortiumAbi } from "../../../src/contracts/index.ts";
import { expectCustosError } from "../../expectCustosError.ts";
import {
  devGenesis,
  grantCalldata,
  openChain,
  recorderOf,
  signedTx,
  tempDir,
} from "../stateFixtures.ts";

const { genesis, keys } = devGenesis(2, "call-pool");
const common = createCustosCommon({ chainId: BigInt(genesis.chainId) });
const hex = (s: string) => hexToBytes(s as PrefixedHexString);
const h0 = recorderOf(keys, 0);
const h1 = recorderOf(keys, 1);
const registry = hex(genesis.contracts.consentRegistry);
const consortium = new Interface(consortiumAbi);
// JUMPDEST, PUSH1 0, JUMP: the endless loop, run as creation code.
const LOOP = hex("0x5b600056");
// Creation code returning blockhash(number - 1): PUSH1 1, NUMBER, SUB, BLOCKHASH, PUSH1 0,
// MSTORE, PUSH1 32, PUSH1 0, RETURN.
const PARENT_HASH = hex("0x600143034060005260206000f3");
/** Creation code returning BALANCE(address) as 32 bytes. */
const balanceOf = (address: string) => hex(`0x73${address.slice(2)}3160005260206000f3`);

let dir: { remove: () => Promise<void> };
let db: ChainDb;
let engine: ExecutionEngine;
let calls: CallPool;
let genesisBlock: Block;

async function commit(nonce: bigint, fields: { to: string; data?: Uint8Array; value?: bigint }) {
  const parent = db.head() as Block;
  const built = await engine.buildBlock(
    parent,
    [signedTx(common, h0.privateKey, { nonce, gasLimit: 500_000n, ...fields })],
    {
      timestamp: parent.header.timestamp + 1n,
      coinbase: new Uint8Array(20),
      gasLimit: BigInt(genesis.gasLimit),
    },
  );
  expect(built.rejected).toEqual([]);
  await engine.commit(built);
}

beforeAll(async () => {
  const made = await tempDir("custos-calls-");
  dir = made;
  db = await openChain(made.path, genesis, common);
  engine = createExecutionEngine({ chainDb: db });
  calls = createCallPool({ workers: 2 }, { chainDb: db });
  genesisBlock = db.head() as Block;
  await commit(0n, { to: genesis.contracts.consentRegistry, data: grantCalldata(1, h0.custodian) });
  await commit(1n, { to: h1.address, value: 1_000_000n });
});

afterAll(async () => {
  await calls?.close();
  await db?.close();
  await dir?.remove();
});

/** Nice value of thread `id` of this process (`self`: the thread reading), from /proc. */
function threadNice(id: string): number {
  const stat = readFileSync(
    id === "self" ? "/proc/thread-self/stat" : `/proc/self/task/${id}/stat`,
    "utf8",
  );
  // Fields after the command name, which ends at the last ")": nice is field 19 of stat.
  return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[16]);
}

function threadNiceValues(): number[] {
  return readdirSync("/proc/self/task").map(threadNice);
}

/**
 * Sends `calls` (name, creation code, client) at once to a one-worker pool whose 5 M gas cap
 * ends the loops quickly (out of gas, no timeout) and returns the names in finishing order.
 */
async function finishingOrder(calls: readonly [string, Uint8Array, string][]): Promise<string[]> {
  const pool = createCallPool({ workers: 1, gasCap: 5_000_000n }, { chainDb: db });
  try {
    const head = db.head() as Block;
    const order: string[] = [];
    await Promise.all(
      calls.map(([name, data, client]) =>
        pool.call({ data }, head, client).then(() => {
          order.push(name);
        }),
      ),
    );
    return order;
  } finally {
    await pool.close();
  }
}

describe("createCallPool", () => {
  it("answers calls exactly as the in-thread engine does", async () => {
    const head = db.head() as Block;
    const requests: CallRequest[] = [
      {
        to: hex(genesis.contracts.consortium),
        data: hex(consortium.encodeFunctionData("isMember", [h0.address])),
      },
      // A researcher may not grant: a revert with ConsentRegistry's custom error.
      { from: hex(keys.researcher.address), to: registry, data: grantCalldata(5, h0.custodian) },
      { from: hex(h0.address), to: registry, data: grantCalldata(6, h0.custodian) },
      { data: PARENT_HASH },
      { data: LOOP, gas: 200_000n },
      { to: hex(h1.address), gas: 20_000n },
      {
        from: hex(h0.address),
        to: registry,
        data: grantCalldata(7, h0.custodian),
        accessList: [{ address: registry, storageKeys: [new Uint8Array(32)] }],
      },
    ];
    for (const request of requests) {
      expect(await calls.call(request, head)).toEqual(await engine.call(request, head));
    }
    const parentHash = await calls.call({ data: PARENT_HASH }, head);
    expect(parentHash.returnData).toEqual(head.header.parentHash);
  });

  it("estimates exactly as the in-thread engine, access-list gas included", async () => {
    const head = db.head() as Block;
    const grant = { from: hex(h0.address), to: registry, data: grantCalldata(8, h0.custodian) };
    const gas = await engine.estimateGas(grant, head);
    expect(await calls.estimateGas(grant, head)).toEqual({ ok: true, gas });

    const transfer: CallRequest = {
      from: hex(h0.address),
      to: hex(h1.address),
      value: 1n,
      accessList: [{ address: registry, storageKeys: [new Uint8Array(32)] }],
    };
    expect(await calls.estimateGas(transfer, head)).toEqual({ ok: true, gas: 25_300n });
    expect(await engine.estimateGas(transfer, head)).toBe(25_300n);

    const denied = await calls.estimateGas(
      { from: hex(keys.researcher.address), to: registry, data: grantCalldata(9, h0.custodian) },
      head,
    );
    expect(denied.ok).toBe(false);
    expect(denied.ok ? undefined : denied.result.revert).toBeDefined();
  });

  it("reports the heap its workers hold, as they answer", async () => {
    const pool = createCallPool({ workers: 2 }, { chainDb: db });
    try {
      expect(pool.heapBytes()).toBe(0);
      const head = db.head() as Block;
      await Promise.all([
        pool.call({ data: PARENT_HASH }, head, "a"),
        pool.call({ data: PARENT_HASH }, head, "b"),
      ]);
      // Two isolates with EthereumJS loaded: several MB each.
      expect(pool.heapBytes()).toBeGreaterThan(2 * 4 * 2 ** 20);
    } finally {
      await pool.close();
    }
  });

  it("reads the state of the block asked for, whatever was committed since", async () => {
    const read = balanceOf(h1.address);
    const before = await calls.call({ data: read }, genesisBlock);
    const after = await calls.call({ data: read }, db.head() as Block);
    expect(BigInt(`0x${Buffer.from(after.returnData).toString("hex")}`)).toBe(
      BigInt(`0x${Buffer.from(before.returnData).toString("hex")}`) + 1_000_000n,
    );
    expect(before).toEqual(await engine.call({ data: read }, genesisBlock));
  });

  it("refuses a block whose state is not stored with STATE_NOT_AVAILABLE", async () => {
    const unknown = createBlock(
      { header: { number: 9n, stateRoot: new Uint8Array(32).fill(7), gasLimit: 30_000_000n } },
      { common },
    );
    await expectCustosError(calls.call({ data: PARENT_HASH }, unknown), "STATE_NOT_AVAILABLE");
  });
});

describe("createCallPool limits", () => {
  it("stops a call past the timeout, replaces its worker and keeps answering", async () => {
    const pool = createCallPool(
      { workers: 1, timeoutMs: 1_500, gasCap: 10n ** 12n },
      { chainDb: db },
    );
    try {
      const head = db.head() as Block;
      // One runs, two wait for the only worker: all three end together, at the timeout from
      // their arrival (timed from their start, they would end 1.5 s apart).
      const ended: number[] = [];
      const calls = [0, 1, 2].map(() =>
        pool.call({ data: LOOP, gas: 2n ** 64n - 1n }, head).finally(() => {
          ended.push(performance.now());
        }),
      );
      await Promise.allSettled(calls);
      expect(Math.max(...ended) - Math.min(...ended)).toBeLessThan(750);
      for (const call of calls) await expectCustosError(call, "RPC_CALL_TIMEOUT");
      expect(pool.timeouts()).toBe(3);
      // The looping worker was terminated: a fresh one, once loaded, answers the next call.
      await pool.ready();
      const request = { data: PARENT_HASH };
      expect(await pool.call(request, head)).toEqual(await engine.call(request, head));
      expect(pool.timeouts()).toBe(3);
    } finally {
      await pool.close();
    }
  });

  it("lets another client's call go ahead of a flooding client's backlog", async () => {
    expect(
      await finishingOrder([
        ["flood-1", LOOP, "10.0.0.66"],
        ["flood-2", LOOP, "10.0.0.66"],
        ["flood-3", LOOP, "10.0.0.66"],
        ["honest", PARENT_HASH, "10.0.0.7"],
      ]),
    ).toEqual(["flood-1", "honest", "flood-2", "flood-3"]);
  });

  it("serves the client that used the least worker time recently, not the one served least recently", async () => {
    // After loop-1 the honest client goes first (no worker time yet). After honest-1 it has
    // been served more recently than the looping client, but used far less time.
    expect(
      await finishingOrder([
        ["loop-1", LOOP, "10.0.0.66"],
        ["honest-1", PARENT_HASH, "10.0.0.7"],
        ["loop-2", LOOP, "10.0.0.66"],
        ["honest-2", PARENT_HASH, "10.0.0.7"],
      ]),
    ).toEqual(["loop-1", "honest-1", "honest-2", "loop-2"]);
  });

  it.runIf(process.platform === "linux")(
    "runs its workers at the configured nice value, the rest of the process at its own",
    async () => {
      const niced = (value: number) => threadNiceValues().filter((nice) => nice === value).length;
      const mainNice = threadNice("self");
      const before = niced(7);
      const pool = createCallPool({ workers: 2, niceness: 7 }, { chainDb: db });
      try {
        const head = db.head() as Block;
        // Both workers answer (each lowers its priority before it takes jobs).
        await Promise.all([
          pool.call({ data: PARENT_HASH }, head, "a"),
          pool.call({ data: PARENT_HASH }, head, "b"),
        ]);
        expect(niced(7)).toBe(before + 2);
        expect(threadNice("self")).toBe(mainNice);
      } finally {
        await pool.close();
      }
    },
  );

  it("is ready once its workers have loaded: a call then does not wait for their start", async () => {
    // A worker loads EthereumJS first (~0.7 s of CPU), more than this call's whole limit.
    const pool = createCallPool({ workers: 2, timeoutMs: 250 }, { chainDb: db });
    try {
      await pool.ready();
      const head = db.head() as Block;
      const result = await pool.call({ data: PARENT_HASH }, head);
      expect(result.returnData).toEqual(head.header.parentHash);
    } finally {
      await pool.close();
    }
  });

  it("refuses a client's calls beyond its waiting limit with RPC_LIMIT_EXCEEDED", async () => {
    const pool = createCallPool(
      { workers: 1, gasCap: 5_000_000n, maxQueuedPerClient: 2 },
      { chainDb: db },
    );
    try {
      const head = db.head() as Block;
      const admitted = [0, 1, 2].map(() => pool.call({ data: LOOP }, head, "10.0.0.66"));
      const refused = pool.call({ data: LOOP }, head, "10.0.0.66");
      // One runs at once, two wait, the fourth is refused; another client is not affected.
      await expectCustosError(refused, "RPC_LIMIT_EXCEEDED");
      expect((await Promise.allSettled(admitted)).map((o) => o.status)).toEqual([
        "fulfilled",
        "fulfilled",
        "fulfilled",
      ]);
      expect((await pool.call({ data: PARENT_HASH }, head, "10.0.0.7")).error).toBeUndefined();
    } finally {
      await pool.close();
    }
  });

  it("caps the gas of calls and estimates and says so", async () => {
    const pool = createCallPool({ workers: 1, gasCap: 1_000_000n }, { chainDb: db });
    try {
      const head = db.head() as Block;
      const capped = await pool.call({ data: LOOP, gas: 2n ** 64n - 1n }, head);
      expect(capped.error).toBe("out of gas: gas capped at 1000000 (rpc.call.gasCap)");
      expect(capped.gasUsed).toBe(1_000_000n);
      const asked = await pool.call({ data: LOOP, gas: 500_000n }, head);
      expect(asked.error).toBe("out of gas");
      const estimate = await pool.estimateGas({ data: LOOP }, head);
      expect(estimate.ok).toBe(false);
      expect(estimate.gas).toBe(1_000_000n);
    } finally {
      await pool.close();
    }
  });

  it("searches estimates no higher than the per-transaction gas cap", async () => {
    const pool = createCallPool({ workers: 1, gasCap: 10n ** 12n }, { chainDb: db });
    try {
      const estimate = await pool.estimateGas({ data: LOOP }, db.head() as Block);
      expect(estimate).toMatchObject({ ok: false, gas: 16_777_216n });
    } finally {
      await pool.close();
    }
  });

  it("fails running and waiting calls with NODE_ABORTED when closed", async () => {
    const pool = createCallPool(
      { workers: 1, timeoutMs: 60_000, gasCap: 10n ** 12n },
      { chainDb: db },
    );
    const head = db.head() as Block;
    const calls = [pool.call({ data: LOOP }, head), pool.call({ data: LOOP }, head)];
    // Handled before close rejects them, so no rejection goes unhandled meanwhile.
    const settled = Promise.allSettled(calls);
    await pool.close();
    await settled;
    for (const call of calls) await expectCustosError(call, "NODE_ABORTED");
    await expectCustosError(pool.call({ data: PARENT_HASH }, head), "NODE_ABORTED");
  });

  it("refuses options out of range", () => {
    for (const options of [
      { workers: 0 },
      { timeoutMs: 1.5 },
      { gasCap: 0n },
      { maxQueuedPerClient: 0 },
      { niceness: 20 },
      { niceness: -1 },
    ]) {
      expectCustosError(() => createCallPool(options, { chainDb: db }), "INVALID_ARGUMENT");
    }
  });
});
