import { createBlockHeader } from "@ethereumjs/block";
import { Hardfork } from "@ethereumjs/common";
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

  it("builds headers at every height: no fork of mainnet's schedule acts by block number", () => {
    const common = createCustosCommon({ chainId: 4242n });
    // Mainnet's DAO fork (1,920,000–1,920,009: extraData must read "dao-hard-fork") and
    // London (12,965,000: the initial base fee, a doubled parent gas limit) would halt a chain.
    for (const number of [0n, 1n, 1_920_000n, 1_920_009n, 12_965_000n, 2n ** 40n]) {
      const header = createBlockHeader(
        { number, gasLimit: 30_000_000n, baseFeePerGas: 7n, extraData: new Uint8Array(97) },
        { common },
      );
      expect(header.number).toBe(number);
      header.validateGasLimit(
        createBlockHeader(
          { number: number === 0n ? 0n : number - 1n, gasLimit: 30_000_000n, baseFeePerGas: 7n },
          { common },
        ),
      );
    }
    expect(common.hardforkIsActiveOnBlock(Hardfork.Dao, 1_920_000n)).toBe(false);
    expect(common.hardfork()).toBe(Hardfork.Cancun);
  });
});
