import type { Log } from "@ethereumjs/evm";
import fc from "fast-check";
import { encodeStoredReceipts, type StoredReceipt } from "../../../nodes/db/index.ts";

/** Few distinct values, so that random filters often match and often do not. */
const value = (length: number) =>
  fc.constantFrom(0, 1, 0xff).map((b) => new Uint8Array(length).fill(b));
/** A 20-byte address from a small set. */
export const address = value(20);
/** A 32-byte topic from a small set. */
export const topic = value(32);
const log = fc.tuple(
  address,
  fc.array(topic, { maxLength: 4 }),
  fc.uint8Array({ maxLength: 300 }),
) as fc.Arbitrary<Log>;
const receiptFields = fc.record({
  txType: fc.constantFrom(0, 2),
  txHash: fc.uint8Array({ minLength: 32, maxLength: 32 }),
  txIndex: fc.integer({ min: 0, max: 70_000 }),
  status: fc.constantFrom(0 as const, 1 as const),
  cumulativeGasUsed: fc.bigInt({ min: 0n, max: 2n ** 64n }),
  gasUsed: fc.bigInt({ min: 0n, max: 2n ** 30n }),
  effectiveGasPrice: fc.bigInt({ min: 0n, max: 2n ** 40n }),
  logsBloom: fc.uint8Array({ minLength: 256, maxLength: 256 }),
  logs: fc.array(log, { maxLength: 6 }),
});

/** A stored receipt, with a created contract's address in about half of them. */
export const receipt: fc.Arbitrary<StoredReceipt> = fc
  .tuple(receiptFields, fc.option(address))
  .map(([fields, created]) =>
    created === null ? fields : { ...fields, contractAddress: created },
  );

/**
 * Byte strings that are not a stored receipts list: empty, a string, a valid list cut short
 * or with a trailing byte, a list whose receipt is not a list, a length running past the end.
 */
export function malformedReceiptLists(): Uint8Array[] {
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
      logs: [[new Uint8Array(20), [], new Uint8Array(0)]],
    },
  ]);
  return [
    new Uint8Array(0),
    Uint8Array.of(0x80),
    good.subarray(0, good.length - 1),
    Uint8Array.of(...good, 0),
    Uint8Array.of(0xc1, 0x80),
    Uint8Array.of(0xc2, 0xc1, 0x80),
    Uint8Array.of(0xf9, 0xff),
  ];
}
