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
import { address, malformedReceiptLists, receipt, topic } from "./receiptFixtures.ts";

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

describe("scanStoredLogs", () => {
  it("finds exactly the logs a full decode and the filter rules find, with their positions", () => {
    fc.assert(
      fc.property(fc.array(receipt, { maxLength: 5 }), filter, (receipts, f) => {
        const bytes = encodeStoredReceipts(receipts);
        expect(decodeStoredReceipts(bytes, "k")).toHaveLength(receipts.length);
        expect(scanStoredLogs(bytes, "k", f)).toEqual(expected(receipts, f));
      }),
      { numRuns: 500 },
    );
  });

  it("copies the logs out of the stored bytes", () => {
    const r: StoredReceipt = {
      txType: 2,
      txHash: new Uint8Array(32).fill(7),
      txIndex: 3,
      status: 1,
      cumulativeGasUsed: 21_000n,
      gasUsed: 21_000n,
      effectiveGasPrice: 7n,
      logsBloom: new Uint8Array(256),
      logs: [[new Uint8Array(20).fill(1), [new Uint8Array(32).fill(2)], Uint8Array.of(9, 9)]],
    };
    const bytes = encodeStoredReceipts([r]);
    const [found] = scanStoredLogs(bytes, "k", { addresses: [], topics: [] });
    bytes.fill(0);
    expect(found?.data).toEqual(Uint8Array.of(9, 9));
    expect(found?.topics[0]).toEqual(new Uint8Array(32).fill(2));
    expect(found?.txHash).toEqual(new Uint8Array(32).fill(7));
  });

  it.for(malformedReceiptLists().map((bytes) => Buffer.from(bytes).toString("hex")))(
    "refuses bytes that are not a receipts list with CHAIN_DB_CORRUPT: 0x%s",
    (hex) => {
      const bytes = Uint8Array.from(Buffer.from(hex, "hex"));
      expectCustosError(
        () => scanStoredLogs(bytes, "0x72aa", { addresses: [], topics: [] }),
        "CHAIN_DB_CORRUPT",
      );
    },
  );
});
