import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  decodeStoredReceipts,
  encodeStoredReceipts,
  readStoredReceipt,
} from "../../../nodes/db/index.ts";
import { expectCustosError } from "../../expectCustosError.ts";
import { malformedReceiptLists, receipt } from "./receiptFixtures.ts";

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

  it.for(malformedReceiptLists().map((bytes) => Buffer.from(bytes).toString("hex")))(
    "refuse bytes that are not a receipts list with CHAIN_DB_CORRUPT: 0x%s",
    (hex) => {
      const bytes = Uint8Array.from(Buffer.from(hex, "hex"));
      expectCustosError(() => decodeStoredReceipts(bytes, "0x72aa"), "CHAIN_DB_CORRUPT");
      expectCustosError(() => readStoredReceipt(bytes, "0x72aa", 0), "CHAIN_DB_CORRUPT");
    },
  );
});
