import type { Log } from "@ethereumjs/evm";
import { bigIntToUnpaddedBytes, intToUnpaddedBytes, setLengthLeft } from "@ethereumjs/util";
import { keccak_256 } from "@noble/hashes/sha3.js";
import fc from "fast-check";
import { encodeRlp, encodeStoredReceipts, type StoredReceipt } from "../../../nodes/db/index.ts";
import { registryLogs } from "../../../nodes/execution/accelerate/registryLogs.ts";

/** Few distinct values, so that random filters often match and often do not. */
const value = (length: number) =>
  fc.constantFrom(0, 1, 0xff).map((b) => new Uint8Array(length).fill(b));
/** A 32-byte word of a small integer (stored without its leading zeros), often repeated. */
const smallWord = fc
  .oneof(fc.constantFrom(0n, 1n, 500n, 1_780_000_000n), fc.bigInt({ min: 0n, max: 2n ** 72n }))
  .map((v) => setLengthLeft(bigIntToUnpaddedBytes(v), 32));
/** A value of another length than an address or a topic has (never emitted by the EVM). */
const odd = fc.uint8Array({ maxLength: 40 });
/** A 20-byte address from a small set, or a random one (rarely of another length). */
export const address: fc.Arbitrary<Uint8Array> = fc.oneof(
  { arbitrary: value(20), weight: 4 },
  { arbitrary: fc.uint8Array({ minLength: 20, maxLength: 20 }), weight: 2 },
  { arbitrary: odd, weight: 1 },
);
/** A 32-byte topic: from a small set, a small integer, random (rarely of another length). */
export const topic: fc.Arbitrary<Uint8Array> = fc.oneof(
  { arbitrary: value(32), weight: 4 },
  { arbitrary: smallWord, weight: 3 },
  { arbitrary: fc.uint8Array({ minLength: 32, maxLength: 32 }), weight: 2 },
  { arbitrary: odd, weight: 1 },
);
/** Data of any length, or ABI-like words (a multiple of 32 bytes). */
const data = fc.oneof(
  fc.uint8Array({ maxLength: 300 }),
  fc
    .array(
      fc.oneof(
        smallWord,
        topic.filter((t) => t.length === 32),
      ),
      { maxLength: 8 },
    )
    .map((words) => Uint8Array.from(words.flatMap((w) => [...w]))),
);
const log = fc.tuple(address, fc.array(topic, { maxLength: 4 }), data) as fc.Arbitrary<Log>;
const receiptFields = fc.record({
  txType: fc.constantFrom(0, 1, 2),
  txHash: fc.uint8Array({ minLength: 32, maxLength: 32 }),
  txIndex: fc.oneof(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 0, max: 2 ** 32 - 1 })),
  status: fc.constantFrom(0 as const, 1 as const),
  cumulativeGasUsed: fc.bigInt({ min: 0n, max: 2n ** 256n - 1n }),
  gasUsed: fc.bigInt({ min: 0n, max: 2n ** 64n }),
  effectiveGasPrice: fc.bigInt({ min: 0n, max: 2n ** 40n }),
  logsBloom: fc.oneof(
    fc.constant(new Uint8Array(256)),
    fc.uint8Array({ minLength: 256, maxLength: 256 }),
  ),
  logs: fc.array(log, { maxLength: 6 }),
});

/** A stored receipt, with a created contract's address in about half of them. */
export const receipt: fc.Arbitrary<StoredReceipt> = fc
  .tuple(receiptFields, fc.option(address))
  .map(([fields, created]) =>
    created === null ? fields : { ...fields, contractAddress: created },
  );

/**
 * A stored receipt that an RLP value can carry: the older format stored a missing contract
 * address as an empty one.
 */
export const rlpReceipt: fc.Arbitrary<StoredReceipt> = receipt.filter(
  (r) => r.contractAddress === undefined || r.contractAddress.length > 0,
);

/**
 * A block's receipts in the format databases written before the compact one hold: one RLP
 * list of `[type, tx hash, tx index, status, cumulative gas, gas used, effective gas price,
 * contract address or empty, bloom, logs]`.
 */
export function encodeRlpStoredReceipts(receipts: readonly StoredReceipt[]): Uint8Array {
  return encodeRlp(
    receipts.map((r) => [
      intToUnpaddedBytes(r.txType),
      r.txHash,
      intToUnpaddedBytes(r.txIndex),
      intToUnpaddedBytes(r.status),
      bigIntToUnpaddedBytes(r.cumulativeGasUsed),
      bigIntToUnpaddedBytes(r.gasUsed),
      bigIntToUnpaddedBytes(r.effectiveGasPrice),
      r.contractAddress ?? new Uint8Array(0),
      r.logsBloom,
      r.logs.map(([addr, topics, bytes]) => [addr, topics, bytes]),
    ]),
  );
}

/**
 * A `batchGrant` receipt as the node executes one: `count` ConsentGranted logs of one
 * registry, custodian, recorder and terms (the same for every `txIndex`), each with its own
 * subject and document hash.
 */
export function batchGrantReceipt(count: number, txIndex = 0): StoredReceipt {
  const seeded = (label: string, i: number) =>
    keccak_256(new TextEncoder().encode(`${label} ${txIndex} ${i}`));
  const registry = keccak_256(new TextEncoder().encode("registry")).subarray(12);
  const recorder = keccak_256(new TextEncoder().encode("recorder")).subarray(12);
  const events = registryLogs.grantedEvents(4, recorder, 1n, {
    purposes: 0b1011,
    categories: 0b110,
    validFrom: 1_780_000_000,
    validUntil: 1_811_536_000,
  });
  return {
    txType: 2,
    txHash: seeded("tx", 0),
    txIndex,
    status: 1,
    cumulativeGasUsed: 9_650_000n * BigInt(txIndex + 1),
    gasUsed: 9_650_000n,
    effectiveGasPrice: 1_000_000_007n,
    logsBloom: Uint8Array.from({ length: 256 }, (_, i) => seeded("bloom", i)[0] as number),
    logs: Array.from({ length: count }, (_, i) =>
      registryLogs.granted(registry, events, seeded("subject", i), seeded("document", i)),
    ),
  };
}

const oneLog: StoredReceipt = {
  txType: 2,
  txHash: new Uint8Array(32),
  txIndex: 0,
  status: 1,
  cumulativeGasUsed: 1n,
  gasUsed: 1n,
  effectiveGasPrice: 1n,
  logsBloom: new Uint8Array(256),
  logs: [[new Uint8Array(20), [], new Uint8Array(0)]],
};

/**
 * A compact receipts value by hand: one receipt (flags 4: zero bloom, status 0; type 2; tx
 * hash 0xaa; index 0; zero gas fields) with one log (address 20 zero bytes, no topics, no
 * data), and `patch` applied to the body's bytes (offsets from the flags byte).
 */
export function handMadeCompact(patch: Record<number, number[]> = {}): Uint8Array {
  const body = [0x04, 0x02, 0x01, 0xaa, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00];
  for (const [at, bytes] of Object.entries(patch)) body.splice(Number(at), 1, ...bytes);
  return Uint8Array.of(0x01, 0x01, 0x00, body.length, 0x01, ...body);
}

/**
 * Byte strings that are not stored receipts: empty, of an unknown format, a valid value of
 * either format cut short or with a trailing byte, RLP lists of the wrong shape, lengths and
 * counts running past the end, compact values with an unknown flag, a reference to a table
 * entry that does not exist, an overlong varint, a data word that is not 32 bytes, or more
 * logs or receipts than they hold.
 */
export function malformedReceiptLists(): Uint8Array[] {
  const rlp = encodeRlpStoredReceipts([oneLog]);
  const compact = encodeStoredReceipts([oneLog]);
  return [
    new Uint8Array(0),
    Uint8Array.of(0x80),
    Uint8Array.of(0x02, 0x00, 0x00),
    rlp.subarray(0, rlp.length - 1),
    Uint8Array.of(...rlp, 0),
    Uint8Array.of(0xc1, 0x80),
    Uint8Array.of(0xc2, 0xc1, 0x80),
    Uint8Array.of(0xf9, 0xff),
    Uint8Array.of(0x01),
    compact.subarray(0, compact.length - 1),
    Uint8Array.of(...compact, 0),
    Uint8Array.of(0x01, 0x05, 0x00),
    Uint8Array.of(0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0x00),
    Uint8Array.of(0x01, 0x00, 0x01, 0x28, 0x00),
    handMadeCompact({ 0: [0x0c] }),
    handMadeCompact({ 8: [0x02] }),
    handMadeCompact({ 10: [0x02, 0x45, 0x07] }),
    handMadeCompact({ 9: [0x05] }),
    Uint8Array.of(...handMadeCompact().subarray(0, 4), 0x02, ...handMadeCompact().subarray(5)),
    Uint8Array.of(0x01, 0x02, ...handMadeCompact().subarray(2)),
  ];
}
