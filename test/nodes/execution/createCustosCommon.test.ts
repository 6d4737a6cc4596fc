import { createFeeMarket1559Tx, paramsTx } from "@ethereumjs/tx";
import { describe, expect, it } from "vitest";
import { createCustosCommon } from "../../../nodes/execution/index.ts";

describe("createCustosCommon", () => {
  it("merges the library parameter sets once: copies and new transactions reuse them", () => {
    const common = createCustosCommon({ chainId: 4242n });
    const cache = (common as unknown as { _paramsCache: object })._paramsCache;
    expect(common.param("txGas")).toBe(21_000n);
    expect(common.param("coldsloadGas")).toBe(2_100n);
    const tx = createFeeMarket1559Tx(
      { to: `0x${"11".repeat(20)}`, gasLimit: 21_000n, maxFeePerGas: 1n },
      { common },
    );
    // The transaction's Common is a copy that skipped the merge: same parameter cache.
    expect((tx.common as unknown as { _paramsCache: object })._paramsCache).toBe(cache);
    expect(tx.getIntrinsicGas()).toBe(21_000n);
    common.updateParams(paramsTx);
    expect((common as unknown as { _paramsCache: object })._paramsCache).toBe(cache);
  });

  it("still merges a parameter set it has not seen", () => {
    const common = createCustosCommon({ chainId: 4242n });
    common.updateParams({ 1: { custosTestParam: 7 } });
    expect(common.param("custosTestParam")).toBe(7n);
  });
});
