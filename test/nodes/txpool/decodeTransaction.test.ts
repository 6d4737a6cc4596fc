import { RLP } from "@ethereumjs/rlp";
import { bigIntToUnpaddedBytes, concatBytes } from "@ethereumjs/util";
import { describe, expect, it } from "vitest";
import { decodeTransaction } from "../../../nodes/txpool/index.ts";
import type { ErrorCode } from "../../../src/errors/index.ts";
import { expectCustosError } from "../../expectCustosError.ts";
import { common, otherCommon, signedTx, TO, testKey } from "./fixtures.ts";

const options = { common, maxTxBytes: 4096 };

function expectRefused(raw: Uint8Array, code: ErrorCode, opts = options): void {
  expectCustosError(() => decodeTransaction(raw, opts), code);
}

function rawFeeMarket(fields: { maxPriority: bigint; maxFee: bigint }): Uint8Array {
  const n = bigIntToUnpaddedBytes;
  const body = RLP.encode([
    n(1337n),
    n(0n),
    n(fields.maxPriority),
    n(fields.maxFee),
    n(21_000n),
    TO,
    n(0n),
    new Uint8Array(),
    [],
    n(1n),
    n(1n),
    n(1n),
  ]);
  return concatBytes(new Uint8Array([2]), body);
}

describe("decodeTransaction", () => {
  it("round-trips legacy, EIP-2930 and EIP-1559 encodings", () => {
    for (const type of [0, 1, 2] as const) {
      const tx = signedTx({ key: testKey(0), nonce: 3, type });
      const decoded = decodeTransaction(tx.serialize(), options);
      expect(decoded.type).toBe(type);
      expect(decoded.hash()).toEqual(tx.hash());
    }
  });

  it("refuses oversized input before decoding it", () => {
    expectRefused(new Uint8Array(4097), "TXPOOL_OVERSIZED");
  });

  it("refuses blob and set-code transaction types", () => {
    expectRefused(new Uint8Array([3, 0xc0]), "TXPOOL_TX_TYPE_UNSUPPORTED");
    expectRefused(new Uint8Array([4, 0xc0]), "TXPOOL_TX_TYPE_UNSUPPORTED");
  });

  it("maps a chain mismatch to TXPOOL_WRONG_CHAIN for typed and legacy encodings", () => {
    for (const type of [0, 2] as const) {
      const raw = signedTx({ key: testKey(0), nonce: 0, type }).serialize();
      expectRefused(raw, "TXPOOL_WRONG_CHAIN", { common: otherCommon, maxTxBytes: 4096 });
    }
  });

  it("maps a priority fee above the fee cap to TXPOOL_TIP_ABOVE_FEE_CAP", () => {
    expectRefused(rawFeeMarket({ maxPriority: 6n, maxFee: 5n }), "TXPOOL_TIP_ABOVE_FEE_CAP");
  });

  it("maps init code over the EIP-3860 limit to TXPOOL_OVERSIZED", () => {
    const raw = RLP.encode([
      bigIntToUnpaddedBytes(0n),
      bigIntToUnpaddedBytes(1n),
      bigIntToUnpaddedBytes(10_000_000n),
      new Uint8Array(),
      bigIntToUnpaddedBytes(0n),
      new Uint8Array(49_153),
      bigIntToUnpaddedBytes(2709n),
      bigIntToUnpaddedBytes(1n),
      bigIntToUnpaddedBytes(1n),
    ]);
    const error = expectCustosError(
      () => decodeTransaction(raw, { common, maxTxBytes: 100_000 }),
      "TXPOOL_OVERSIZED",
    );
    // geth's wording, which JSON-RPC clients match on.
    expect(error.shortMessage).toMatch(/max initcode size exceeded/);
  });

  it("maps malformed bytes to TXPOOL_DECODE_FAILED with a reason", () => {
    for (const raw of [new Uint8Array([1, 2, 3]), new Uint8Array([0xc0]), new Uint8Array()]) {
      const error = expectCustosError(
        () => decodeTransaction(raw, options),
        "TXPOOL_DECODE_FAILED",
      );
      expect(typeof error.details.reason).toBe("string");
    }
  });
});
