import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  decodeStoredReceipts,
  encodeStoredReceipts,
  readStoredReceipt,
  type StoredReceipt,
  scanStoredLogs,
} from "../../../nodes/db/index.ts";
import { isCustosError } from "../../../src/errors/index.ts";
import { expectCustosError } from "../../expectCustosError.ts";
import {
  batchGrantReceipt,
  encodeRlpStoredReceipts,
  handMadeCompact,
  malformedReceiptLists,
  receipt,
  rlpReceipt,
} from "./receiptFixtures.ts";

const formats = [
  { name: "compact", encode: encodeStoredReceipts, receipt },
  { name: "older RLP", encode: encodeRlpStoredReceipts, receipt: rlpReceipt },
] as const;

/** Runs `read`: it must return, or throw CHAIN_DB_CORRUPT, never anything else. */
function returnsOrCorrupt(read: () => unknown): void {
  try {
    read();
  } catch (error) {
    expect(isCustosError(error, "CHAIN_DB_CORRUPT"), String(error)).toBe(true);
  }
}

describe("stored receipts", () => {
  it("are written in the compact format (first byte 0x01)", () => {
    expect(encodeStoredReceipts([])).toEqual(Uint8Array.of(0x01, 0x00, 0x00));
  });

  describe.for(formats)("in the $name format", ({ encode, receipt: arbitrary }) => {
    it("decode to what was encoded", () => {
      fc.assert(
        fc.property(fc.array(arbitrary, { maxLength: 6 }), (receipts) => {
          expect(decodeStoredReceipts(encode(receipts), "k")).toEqual(receipts);
        }),
        { numRuns: 300 },
      );
    });

    it("read one at a time: the same receipt, with the logs of the earlier ones counted", () => {
      fc.assert(
        fc.property(fc.array(arbitrary, { maxLength: 6 }), fc.nat(7), (receipts, index) => {
          const located = readStoredReceipt(encode(receipts), "k", index);
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
  });

  it("decode a hand-made compact value as its documented layout says", () => {
    const expected: StoredReceipt = {
      txType: 2,
      txHash: Uint8Array.of(0xaa),
      txIndex: 0,
      status: 0,
      cumulativeGasUsed: 0n,
      gasUsed: 0n,
      effectiveGasPrice: 0n,
      logsBloom: new Uint8Array(256),
      logs: [[new Uint8Array(20), [], new Uint8Array(0)]],
    };
    expect(decodeStoredReceipts(handMadeCompact(), "k")).toEqual([expected]);
  });

  it("keep values beyond one-byte table references and inline lengths", () => {
    // 300 words occurring twice each: table entries up to index 299 (two-byte references);
    // a 200-byte topic and 100 bytes of odd data inline (two-byte headers).
    const word = (i: number) => {
      const w = new Uint8Array(32);
      w[0] = 1;
      w[31] = i % 256;
      w[30] = i >> 8;
      return w;
    };
    const logs = Array.from({ length: 600 }, (_, i) => [
      new Uint8Array(20).fill(i % 2),
      [word(i % 300), new Uint8Array(200).fill(i % 7)],
      new Uint8Array(100).fill(i % 5),
    ]) as StoredReceipt["logs"];
    const receipts = [{ ...batchGrantReceipt(0), logs }];
    const bytes = encodeStoredReceipts(receipts);
    expect(decodeStoredReceipts(bytes, "k")).toEqual(receipts);
    const found = scanStoredLogs(bytes, "k", { addresses: [], topics: [word(299)] });
    expect(found.map((l) => l.logIndex)).toEqual([299, 599]);
  });

  it("take at most 120 bytes per ConsentGranted log of a 500-consent batchGrant", () => {
    const receipts = [batchGrantReceipt(500)];
    const compact = encodeStoredReceipts(receipts).length / 500;
    const rlp = encodeRlpStoredReceipts(receipts).length / 500;
    // Measured when the compact format came in: 352.6 bytes per log before, 77.8 after.
    expect(rlp).toBeGreaterThan(350);
    expect(compact, `${compact} bytes per log (RLP: ${rlp})`).toBeLessThanOrEqual(120);
  });

  it("refuse a transaction index the format cannot hold with INTERNAL", () => {
    expectCustosError(
      () => encodeStoredReceipts([{ ...batchGrantReceipt(0), txIndex: 2 ** 35 }]),
      "INTERNAL",
    );
  });

  it.for(malformedReceiptLists().map((bytes) => Buffer.from(bytes).toString("hex")))(
    "refuse bytes that are not stored receipts with CHAIN_DB_CORRUPT: 0x%s",
    (hex) => {
      const bytes = Uint8Array.from(Buffer.from(hex, "hex"));
      const error = expectCustosError(
        () => decodeStoredReceipts(bytes, "0x72aa"),
        "CHAIN_DB_CORRUPT",
      );
      expect(error.details).toMatchObject({ keyspace: "receipts", key: "0x72aa" });
      expectCustosError(() => readStoredReceipt(bytes, "0x72aa", 0), "CHAIN_DB_CORRUPT");
    },
  );

  it.for(formats)(
    "refuse every truncation of a $name value with CHAIN_DB_CORRUPT",
    ({ encode }) => {
      fc.assert(
        fc.property(
          fc.array(receipt, { minLength: 1, maxLength: 3 }),
          fc.nat(),
          (receipts, cut) => {
            const bytes = encode(receipts);
            const short = bytes.subarray(0, cut % bytes.length);
            expectCustosError(() => decodeStoredReceipts(short, "k"), "CHAIN_DB_CORRUPT");
            expectCustosError(() => readStoredReceipt(short, "k", 0), "CHAIN_DB_CORRUPT");
          },
        ),
        { numRuns: 300 },
      );
    },
  );

  it("read mutated compact values without crashing: a value or CHAIN_DB_CORRUPT", () => {
    const mutation = fc.array(fc.tuple(fc.nat(), fc.nat(255)), { minLength: 1, maxLength: 4 });
    fc.assert(
      fc.property(
        fc.array(receipt, { maxLength: 3 }),
        mutation,
        fc.nat(4),
        (receipts, edits, i) => {
          const bytes = encodeStoredReceipts(receipts);
          for (const [at, b] of edits) bytes[at % bytes.length] = b;
          returnsOrCorrupt(() => decodeStoredReceipts(bytes, "k"));
          returnsOrCorrupt(() => readStoredReceipt(bytes, "k", i));
          returnsOrCorrupt(() => scanStoredLogs(bytes, "k", { addresses: [], topics: [] }));
        },
      ),
      { numRuns: 1_000 },
    );
  });
});
