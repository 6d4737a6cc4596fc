import { describe, expect, it } from "vitest";
import { effectiveTip, txFees } from "../../../nodes/txpool/index.ts";
import { signedTx, testKey } from "./fixtures.ts";

describe("txFees and effectiveTip", () => {
  it("reads maxFeePerGas and maxPriorityFeePerGas from EIP-1559 transactions", () => {
    expect(txFees(signedTx({ key: testKey(0), nonce: 0, fee: 9n, tip: 2n }))).toEqual({
      feeCap: 9n,
      tipCap: 2n,
    });
  });

  it("uses gasPrice for both caps of legacy and EIP-2930 transactions", () => {
    for (const type of [0, 1] as const) {
      expect(txFees(signedTx({ key: testKey(0), nonce: 0, type, fee: 7n }))).toEqual({
        feeCap: 7n,
        tipCap: 7n,
      });
    }
  });

  it("caps the tip by the headroom above the base fee, going negative below it", () => {
    expect(effectiveTip({ feeCap: 10n, tipCap: 3n }, 5n)).toBe(3n);
    expect(effectiveTip({ feeCap: 10n, tipCap: 3n }, 8n)).toBe(2n);
    expect(effectiveTip({ feeCap: 10n, tipCap: 3n }, 12n)).toBe(-2n);
  });
});
