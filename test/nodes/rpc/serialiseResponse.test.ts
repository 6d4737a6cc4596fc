import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { JsonList } from "../../../nodes/rpc/JsonList.ts";
import type { JsonValue } from "../../../nodes/rpc/JsonValue.ts";
import { rpcHex } from "../../../nodes/rpc/rpcHex.ts";
import { serialiseResponse } from "../../../nodes/rpc/serialiseResponse.ts";

const jsonValue = fc.jsonValue() as fc.Arbitrary<JsonValue>;
const id = fc.oneof(fc.constant(null), fc.integer(), fc.string());

function busyFor(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until);
}

describe("serialiseResponse", () => {
  it("writes the same text as JSON.stringify, for plain results and lists alike", async () => {
    await fc.assert(
      fc.asyncProperty(id, fc.array(jsonValue, { maxLength: 30 }), async (rid, items) => {
        const expected = JSON.stringify({ jsonrpc: "2.0", id: rid, result: items });
        expect(await serialiseResponse(rid, items)).toBe(expected);
        expect(
          await serialiseResponse(
            rid,
            JsonList.of(items, (item) => item),
          ),
        ).toBe(expected);
      }),
    );
  });

  it("formats list items lazily and in order", async () => {
    const formatted: number[] = [];
    const list = JsonList.of([3n, 1n, 2n], (n) => {
      formatted.push(Number(n));
      return rpcHex.quantity(n);
    });
    expect(formatted).toEqual([]);
    expect(await serialiseResponse(7, list)).toBe(
      '{"jsonrpc":"2.0","id":7,"result":["0x3","0x1","0x2"]}',
    );
    expect(formatted).toEqual([3, 1, 2]);
  });

  it("gives the event loop back while a long list is serialised", async () => {
    let turns = 0;
    const ticker = setInterval(() => turns++, 0);
    // 40 items of 1 ms each: a single task would let no timer run until the end.
    const text = await serialiseResponse(
      1,
      JsonList.of(
        Array.from({ length: 40 }, (_, i) => i),
        (i) => {
          busyFor(1);
          return i;
        },
      ),
    );
    clearInterval(ticker);
    expect(JSON.parse(text).result).toHaveLength(40);
    expect(turns).toBeGreaterThanOrEqual(5);
  });

  it("throws when a formatter returns what JSON cannot carry", async () => {
    const list = JsonList.of([1n], (n) => n as unknown as JsonValue);
    await expect(serialiseResponse(1, list)).rejects.toThrow(TypeError);
  });
});

describe("rpcHex.data", () => {
  it("encodes views into larger buffers by their own bytes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.nat(8), fc.nat(8), (bytes, pre, post) => {
        const backing = new Uint8Array(pre + bytes.length + post).fill(0xee);
        backing.set(bytes, pre);
        const view = backing.subarray(pre, pre + bytes.length);
        const expected = `0x${Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("")}`;
        expect(rpcHex.data(view)).toBe(expected);
      }),
    );
  });
});
