import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  decodeStoredReceipts,
  encodeStoredReceipts,
  readStoredReceipt,
} from "../../../nodes/db/index.ts";
import { errorCode, malformedReceiptLists, receipt } from "./receiptFixtures.ts";

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
    for (const bytes of malformedReceiptLists()) {
      const hex = Buffer.from(bytes).toString("hex");
      expect(
        errorCode(() => decodeStoredReceipts(bytes, "0x72aa")),
        hex,
      ).toBe("CHAIN_DB_CORRUPT");
      expect(
        errorCode(() => readStoredReceipt(bytes, "0x72aa", 0)),
        hex,
      ).toBe("CHAIN_DB_CORRUPT");
    }
  });
});
