import type { Log } from "@ethereumjs/evm";
import { equalsBytes } from "@ethereumjs/util";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  decodeStoredReceipts,
  encodeStoredReceipts,
  type LogFilter,
  type StoredReceipt,
  scanStoredLogs,
} from "../../../nodes/db/index.ts";
import { expectCustosError } from "../../expectCustosError.ts";
import {
  address,
  batchGrantReceipt,
  encodeRlpStoredReceipts,
  malformedReceiptLists,
  receipt,
  rlpReceipt,
  topic,
} from "./receiptFixtures.ts";

const position = fc.oneof(fc.constant(null), topic, fc.array(topic, { maxLength: 2 }));
const filter: fc.Arbitrary<Pick<LogFilter, "addresses" | "topics">> = fc.record({
  addresses: fc.array(address, { maxLength: 2 }),
  topics: fc.array(position, { maxLength: 4 }),
});

/** The definition: decode everything, then keep what eth_getLogs's filter rules accept. */
function expected(receipts: readonly StoredReceipt[], f: Pick<LogFilter, "addresses" | "topics">) {
  const out = [];
  let logIndex = 0;
  for (const r of receipts) {
    for (const [addr, topics, data] of r.logs) {
      const index = logIndex++;
      if (f.addresses.length > 0 && !f.addresses.some((a) => equalsBytes(a, addr))) continue;
      const ok = f.topics.every((wanted, i) => {
        if (wanted === null) return true;
        const actual = topics[i];
        if (actual === undefined) return false;
        if (wanted instanceof Uint8Array) return equalsBytes(actual, wanted);
        return wanted.length === 0 || wanted.some((w) => equalsBytes(actual, w));
      });
      if (ok) {
        out.push({
          address: addr,
          topics,
          data,
          txHash: r.txHash,
          txIndex: r.txIndex,
          logIndex: index,
        });
      }
    }
  }
  return out;
}

const formats = [
  { name: "compact", encode: encodeStoredReceipts, receipt },
  { name: "older RLP", encode: encodeRlpStoredReceipts, receipt: rlpReceipt },
] as const;

describe("scanStoredLogs", () => {
  it.for(formats)(
    "finds exactly the logs a full decode and the filter rules find, with their positions ($name)",
    ({ encode, receipt: arbitrary }) => {
      fc.assert(
        fc.property(fc.array(arbitrary, { maxLength: 5 }), filter, (receipts, f) => {
          const bytes = encode(receipts);
          expect(decodeStoredReceipts(bytes, "k")).toHaveLength(receipts.length);
          expect(scanStoredLogs(bytes, "k", f)).toEqual(expected(receipts, f));
        }),
        { numRuns: 500 },
      );
    },
  );

  it("finds logs by their unique topics and by their repeated ones in a batch", () => {
    const receipts = [batchGrantReceipt(500, 0), batchGrantReceipt(500, 1)];
    const bytes = encodeStoredReceipts(receipts);
    const [registry, [, subject, custodian] = []] = receipts[1]?.logs[321] ?? [];
    if (registry === undefined || subject === undefined || custodian === undefined) {
      throw new Error("the fixture has no such log");
    }
    const bySubject = { addresses: [], topics: [null, subject] };
    const found = scanStoredLogs(bytes, "k", bySubject);
    expect(found).toEqual(expected(receipts, bySubject));
    expect(found.map((l) => [l.logIndex, l.txIndex])).toEqual([[821, 1]]);
    const byCustodian = { addresses: [registry], topics: [null, null, custodian] };
    expect(scanStoredLogs(bytes, "k", byCustodian)).toHaveLength(1_000);
    expect(scanStoredLogs(bytes, "k", byCustodian)).toEqual(expected(receipts, byCustodian));
  });

  it.for(formats)("copies the logs out of the stored bytes ($name)", ({ encode }) => {
    // The same log twice: its values are table entries of the compact format.
    const log: Log = [
      new Uint8Array(20).fill(1),
      [new Uint8Array(32).fill(2)],
      Uint8Array.of(9, 9),
    ];
    const r: StoredReceipt = {
      txType: 2,
      txHash: new Uint8Array(32).fill(7),
      txIndex: 3,
      status: 1,
      cumulativeGasUsed: 21_000n,
      gasUsed: 21_000n,
      effectiveGasPrice: 7n,
      logsBloom: new Uint8Array(256),
      logs: [log, log],
    };
    const bytes = encode([r]);
    const found = scanStoredLogs(bytes, "k", { addresses: [], topics: [] });
    bytes.fill(0);
    expect(found).toHaveLength(2);
    for (const scanned of found) {
      expect(scanned.address).toEqual(new Uint8Array(20).fill(1));
      expect(scanned.data).toEqual(Uint8Array.of(9, 9));
      expect(scanned.topics[0]).toEqual(new Uint8Array(32).fill(2));
      expect(scanned.txHash).toEqual(new Uint8Array(32).fill(7));
    }
  });

  it.for(malformedReceiptLists().map((bytes) => Buffer.from(bytes).toString("hex")))(
    "refuses bytes that are not stored receipts with CHAIN_DB_CORRUPT: 0x%s",
    (hex) => {
      const bytes = Uint8Array.from(Buffer.from(hex, "hex"));
      expectCustosError(
        () => scanStoredLogs(bytes, "0x72aa", { addresses: [], topics: [] }),
        "CHAIN_DB_CORRUPT",
      );
    },
  );
});
