import type { Block } from "@ethereumjs/block";
import { hexToBytes } from "@ethereumjs/util";
import { describe, expect, it } from "vitest";
import type { StoredReceipt } from "../../../nodes/db/index.ts";
import type { CallResult } from "../../../nodes/execution/index.ts";
import { createMembership } from "../../../nodes/node/index.ts";
import { expectCustosError } from "../../expectCustosError.ts";

const consortium = hexToBytes(`0x${"cc".repeat(20)}`);
const other = hexToBytes(`0x${"dd".repeat(20)}`);
const account = hexToBytes(`0x${"aa".repeat(20)}`);
const head = { header: { number: 5n } } as unknown as Block;

function answering(results: (boolean | CallResult)[]) {
  let calls = 0;
  const engine = {
    async call(): Promise<CallResult> {
      const next = results[calls++] ?? false;
      if (typeof next !== "boolean") return next;
      const returnData = new Uint8Array(32);
      returnData[31] = next ? 1 : 0;
      return { returnData, gasUsed: 100n };
    },
  };
  return { engine, calls: () => calls };
}

function receiptWithLogFrom(address: Uint8Array): StoredReceipt {
  return {
    cumulativeGasUsed: 0n,
    status: 1,
    logsBloom: new Uint8Array(256),
    logs: [[address, [], new Uint8Array(0)]],
    gasUsed: 0n,
    effectiveGasPrice: 0n,
    txHash: new Uint8Array(32),
    txIndex: 0,
    txType: 2,
  };
}

describe("createMembership", () => {
  it("caches answers until a block carries a Consortium log", async () => {
    const fake = answering([true, false]);
    const membership = createMembership({ engine: fake.engine, consortium, head: () => head });
    expect(await membership.isMember(account)).toBe(true);
    expect(await membership.isMember(account)).toBe(true);
    expect(fake.calls()).toBe(1);
    membership.onBlockCommitted([receiptWithLogFrom(other)]);
    expect(await membership.isMember(account)).toBe(true);
    expect(fake.calls()).toBe(1);
    membership.onBlockCommitted([receiptWithLogFrom(consortium)]);
    expect(await membership.isMember(account)).toBe(false);
    expect(fake.calls()).toBe(2);
  });

  it("does not cache an answer read before a membership change", async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const fake = answering([true, false]);
    const engine = {
      async call(...args: Parameters<typeof fake.engine.call>) {
        await gate;
        return fake.engine.call(...args);
      },
    };
    const membership = createMembership({ engine, consortium, head: () => head });
    const pending = membership.isMember(account);
    membership.onBlockCommitted([receiptWithLogFrom(consortium)]);
    release();
    expect(await pending).toBe(true);
    expect(await membership.isMember(account)).toBe(false);
  });

  it("fails loudly when the Consortium call fails", async () => {
    const fake = answering([
      { returnData: new Uint8Array(0), gasUsed: 0n, error: "invalid opcode" },
    ]);
    const membership = createMembership({ engine: fake.engine, consortium, head: () => head });
    await expectCustosError(membership.isMember(account), "INTERNAL");
  });
});
