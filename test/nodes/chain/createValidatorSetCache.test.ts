import { bytesToHex, hexToBytes } from "@ethereumjs/util";
import { Interface } from "ethers";
import { describe, expect, it } from "vitest";
import { createValidatorSetCache, type StateCall } from "../../../nodes/chain/index.ts";
import type { StoredReceipt } from "../../../nodes/db/index.ts";
import { consortiumAbi } from "../../../src/contracts/index.ts";

const consortium = hexToBytes(`0x${"c0".repeat(20)}`);
const abi = new Interface(consortiumAbi);
const a = `0x${"0a".repeat(20)}`;
const b = `0x${"0b".repeat(20)}`;
const c = `0x${"0c".repeat(20)}`;
const SCHEDULED = abi.getEvent("ValidatorSetScheduled")?.topicHash as string;

/** A Consortium whose checkpoints are `checkpoints`, counting the calls made to it. */
function fakeConsortium(checkpoints: { fromBlock: bigint; validators: string[] }[]) {
  const counter = { calls: 0 };
  const call: StateCall = async (request) => {
    counter.calls++;
    const parsed = abi.parseTransaction({ data: bytesToHex(request.data as Uint8Array) });
    const result =
      parsed?.name === "checkpointCount"
        ? abi.encodeFunctionResult("checkpointCount", [checkpoints.length])
        : abi.encodeFunctionResult("checkpoint", [checkpoints[Number(parsed?.args[0])]]);
    return { returnData: hexToBytes(result as `0x${string}`), gasUsed: 0n };
  };
  return { call, counter };
}

function receipts(scheduling: boolean): StoredReceipt[] {
  const log = scheduling
    ? [[consortium, [hexToBytes(SCHEDULED as `0x${string}`)], new Uint8Array()] as const]
    : [];
  return [
    { status: 1, cumulativeGasUsed: 0n, logsBloom: new Uint8Array(256), logs: log },
  ] as unknown as StoredReceipt[];
}

const hex = (sets: readonly Uint8Array[]) => sets.map((v) => bytesToHex(v));

describe("createValidatorSetCache", () => {
  it("reads the checkpoints once and extends them block by block while no change is scheduled", async () => {
    const { call, counter } = fakeConsortium([{ fromBlock: 0n, validators: [b, a] }]);
    const cache = createValidatorSetCache(consortium);
    expect(hex(await cache.validatorsAt(1n, call))).toEqual([a, b]);
    const afterFirst = counter.calls;
    expect(afterFirst).toBe(2);
    for (let n = 1n; n < 50n; n++) {
      cache.committed(n, receipts(false));
      expect(hex(await cache.validatorsAt(n + 1n, call))).toEqual([a, b]);
    }
    expect(counter.calls).toBe(afterFirst);
  });

  it("reads again past a block that scheduled a change, and answers the new set from H+2", async () => {
    const checkpoints = [{ fromBlock: 0n, validators: [a, b] }];
    const { call, counter } = fakeConsortium(checkpoints);
    const cache = createValidatorSetCache(consortium);
    await cache.validatorsAt(5n, call);
    // Block 5 executes a vote: the set changes from block 7.
    checkpoints.push({ fromBlock: 7n, validators: [a, b, c] });
    cache.committed(5n, receipts(true));
    const before = counter.calls;
    expect(hex(await cache.validatorsAt(6n, call))).toEqual([a, b]);
    expect(counter.calls).toBeGreaterThan(before);
    cache.committed(6n, receipts(false));
    expect(hex(await cache.validatorsAt(7n, call))).toEqual([a, b, c]);
  });

  it("does not extend past a height it never read (a commit it was not told about)", async () => {
    const { call, counter } = fakeConsortium([{ fromBlock: 0n, validators: [a] }]);
    const cache = createValidatorSetCache(consortium);
    await cache.validatorsAt(1n, call);
    cache.committed(3n, receipts(false));
    const before = counter.calls;
    await cache.validatorsAt(4n, call);
    expect(counter.calls).toBeGreaterThan(before);
  });
});
