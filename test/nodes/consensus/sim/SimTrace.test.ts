import { describe, expect, it } from "vitest";
import { SimTrace } from "../../../../nodes/consensus/sim/index.ts";

function digest(build: (trace: SimTrace) => void): string {
  const trace = new SimTrace();
  build(trace);
  return trace.digest();
}

describe("SimTrace", () => {
  it("is a 64-bit hex fingerprint that depends on every input and its order", () => {
    const base = digest((trace) => {
      trace.number(1);
      trace.bytes(Uint8Array.of(1, 2, 3));
    });
    expect(base).toMatch(/^[0-9a-f]{16}$/);
    expect(
      digest((trace) => {
        trace.number(1);
        trace.bytes(Uint8Array.of(1, 2, 3));
      }),
    ).toBe(base);
    const variants = [
      digest((trace) => {
        trace.bytes(Uint8Array.of(1, 2, 3));
        trace.number(1);
      }),
      digest((trace) => {
        trace.number(2);
        trace.bytes(Uint8Array.of(1, 2, 3));
      }),
      digest((trace) => {
        trace.number(1);
        trace.bytes(Uint8Array.of(1, 2, 4));
      }),
      digest((trace) => {
        trace.number(1);
        trace.bytes(Uint8Array.of(1, 2));
        trace.bytes(Uint8Array.of(3));
      }),
      digest((trace) => trace.number(1 + 2 ** 32)),
      digest((trace) => trace.number(1)),
    ];
    expect(new Set([base, ...variants]).size).toBe(variants.length + 1);
  });
});
