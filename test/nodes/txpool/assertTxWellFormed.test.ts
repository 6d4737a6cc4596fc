import { createLegacyTx } from "@ethereumjs/tx";
import { describe, expect, it } from "vitest";
import { MAX_TX_GAS } from "../../../nodes/execution/index.ts";
import {
  assertTxWellFormed,
  defaultTxPoolOptions,
  type TxRules,
} from "../../../nodes/txpool/index.ts";
import { type ErrorCode, errorCodes } from "../../../src/errors/index.ts";
import { expectCustosError } from "../../expectCustosError.ts";
import { CHAIN_ID, common, otherCommon, signedTx, TO, testKey } from "./fixtures.ts";

const rules: TxRules = {
  chainId: CHAIN_ID,
  maxTxBytes: 1024,
  blockGasLimit: 1_000_000n,
  maxTxGas: 500_000n,
  minTip: 2n,
  allowUnprotected: false,
};
const key = testKey(0);

/** The refusal's code, and its message: geth's wording, which JSON-RPC clients match on. */
function refusal(tx: Parameters<typeof assertTxWellFormed>[0], txRules: TxRules, code: ErrorCode) {
  return expectCustosError(() => assertTxWellFormed(tx, txRules), code).shortMessage;
}

describe("assertTxWellFormed", () => {
  it("accepts legacy, EIP-2930 and EIP-1559 transactions and reports size, fees and hash", () => {
    for (const type of [0, 1, 2] as const) {
      const tx = signedTx({ key, nonce: 0, type, fee: 10n, tip: 3n });
      const result = assertTxWellFormed(tx, rules);
      expect(result.size).toBe(tx.serialize().length);
      expect(result.hash).toEqual(tx.hash());
      expect(result.fees).toEqual(
        type === 2 ? { feeCap: 10n, tipCap: 3n } : { feeCap: 10n, tipCap: 10n },
      );
    }
  });

  it("refuses oversized transactions with geth's wording", () => {
    const tx = signedTx({ key, nonce: 0, data: new Uint8Array(2000), gasLimit: 200_000n });
    expect(refusal(tx, rules, "TXPOOL_OVERSIZED")).toMatch(/oversized data/);
  });

  it("refuses unsigned transactions as invalid sender", () => {
    const tx = createLegacyTx({ nonce: 0n, gasPrice: 10n, gasLimit: 21_000n, to: TO }, { common });
    expectCustosError(() => assertTxWellFormed(tx, rules), "TXPOOL_INVALID_SENDER");
  });

  it("refuses a typed or EIP-155 legacy transaction signed for another chain", () => {
    for (const type of [0, 2] as const) {
      const tx = signedTx({ key, nonce: 0, type, chainCommon: otherCommon });
      expect(refusal(tx, rules, "TXPOOL_WRONG_CHAIN")).toMatch(/invalid chain id for signer/);
    }
  });

  it("refuses unprotected legacy transactions unless allowed", () => {
    const tx = createLegacyTx(
      { nonce: 0n, gasPrice: 10n, gasLimit: 21_000n, to: TO, v: 27n, r: 1n, s: 1n },
      { common },
    );
    expect(tx.isSigned()).toBe(true);
    expect(refusal(tx, rules, "TXPOOL_UNPROTECTED")).toMatch(/only replay-protected \(EIP-155\)/);
    expect(assertTxWellFormed(tx, { ...rules, allowUnprotected: true }).fees.feeCap).toBe(10n);
  });

  it("refuses a gas limit below intrinsic gas, counting calldata", () => {
    const plain = signedTx({ key, nonce: 0, gasLimit: 20_999n });
    expect(refusal(plain, rules, "TXPOOL_INTRINSIC_GAS")).toMatch(/intrinsic gas too low/);
    const withData = signedTx({ key, nonce: 0, gasLimit: 21_000n, data: new Uint8Array([1, 2]) });
    expectCustosError(() => assertTxWellFormed(withData, rules), "TXPOOL_INTRINSIC_GAS");
  });

  it("refuses a gas limit above the block gas limit", () => {
    const tx = signedTx({ key, nonce: 0, gasLimit: 1_000_001n });
    const wide = { ...rules, maxTxGas: 2_000_000n };
    expect(refusal(tx, wide, "TXPOOL_GAS_LIMIT")).toMatch(/exceeds block gas limit/);
  });

  it("refuses a gas limit above the per-transaction cap, which defaults to the chain's", () => {
    expect(assertTxWellFormed(signedTx({ key, nonce: 0, gasLimit: 500_000n }), rules).size).toBe(
      signedTx({ key, nonce: 0, gasLimit: 500_000n }).serialize().length,
    );
    const tx = signedTx({ key, nonce: 0, gasLimit: 500_001n });
    expectCustosError(() => assertTxWellFormed(tx, rules), "TXPOOL_GAS_LIMIT_TOO_HIGH");
    expect(defaultTxPoolOptions.maxTxGas).toBe(MAX_TX_GAS);
    expect(MAX_TX_GAS).toBe(2n ** 24n);
  });

  it("refuses a tip below the pool minimum", () => {
    const tx = signedTx({ key, nonce: 0, fee: 10n, tip: 1n });
    expect(refusal(tx, rules, "TXPOOL_UNDERPRICED")).toMatch(/^transaction underpriced/);
    const legacy = signedTx({ key, nonce: 0, type: 0, fee: 1n });
    expectCustosError(() => assertTxWellFormed(legacy, rules), "TXPOOL_UNDERPRICED");
  });

  it("uses only registered -32000-family codes", () => {
    for (const code of [
      "TXPOOL_OVERSIZED",
      "TXPOOL_WRONG_CHAIN",
      "TXPOOL_UNPROTECTED",
      "TXPOOL_INVALID_SENDER",
      "TXPOOL_INTRINSIC_GAS",
      "TXPOOL_GAS_LIMIT",
      "TXPOOL_GAS_LIMIT_TOO_HIGH",
      "TXPOOL_UNDERPRICED",
    ] as const) {
      expect(errorCodes[code].rpcCode).toBe(-32000);
    }
  });
});
