import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  decodeStoredReceipts,
  encodeStoredReceipts,
  readStoredReceipt,
} from "../../../nodes/db/index.ts";
import { isCustosError } from "../../../src/errors/index.ts";
import { receipt } from "./receiptArbitraries.ts";

describe("stored receipts", () => {
  it("decode to what was encoded", () => {
    fc.assert(
      fc.property(fc.array(receipt, { maxLength: 6 }), (receipts) => {
        expect(decodeStoredReceipts(encodeStoredReceipts(receipts), "k")).toEqual(receipts);
      }),
      { numRuns: 300 },
    );
  });

  it("read one at a time: the same receipt, with the logs of the earlier ones counted", () => {
    fc.assert(
      fc.property(fc.array(receipt, { maxLength: 6 }), fc.nat(7), (receipts, index) => {
        const located = readStoredReceipt(encodeStoredReceipts(receipts), "k", index);
        const expected = receipts[index];
        if (expected === undefined) {
          expect(located).toBeUndefined();
          return;
        }
        const earlierLogs = receipts.slice(0, index).reduce((n, r) => n + r.logs.length, 0);
        expect(located).toEqual({ receipt: expected, firstLogIndex: earlierLogs });
      }),
      { numRuns: 300 },
    );
  });

  it("refuse bytes that are not a receipts list with CHAIN_DB_CORRUPT", () => {
    const good = encodeStoredReceipts([
      {
        txType: 2,
        txHash: new Uint8Array(32),
        txIndex: 0,
        status: 1,
        cumulativeGasUsed: 1n,
        gasUsed: 1n,
        effectiveGasPrice: 1n,
        logsBloom: new Uint8Array(256),
        logs: [],
      },
    ]);
    const bad = [
      new Uint8Array(0),
      Uint8Array.of(0x80),
      good.subarray(0, good.length - 1),
      Uint8Array.of(...good, 0),
      Uint8Array.of(0xc2, 0xc1, 0x80),
    ];
    for (const bytes of bad) {
      for (const read of [
        () => decodeStoredReceipts(bytes, "0x72aa"),
        () => readStoredReceipt(bytes, "0x72aa", 0),
      ]) {
        let error: unknown;
        try {
          read();
        } catch (caught) {
          error = caught;
        }
        expect(isCustosError(error) && error.code, Buffer.from(bytes).toString("hex")).toBe(
          "CHAIN_DB_CORRUPT",
        );
      }
    }
  });
});
