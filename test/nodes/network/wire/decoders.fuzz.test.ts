/**
 * Fuzzing of every p2p decoder (56,000 cases): random bytes and mutations of valid messages
 * and frame streams. A decoder either returns a value whose encoding is exactly its input
 * (one encoding per value, so nothing ambiguous gets through) or throws `P2P_MESSAGE_INVALID`;
 * never anything else, and the frame decoder never holds more than one frame's bytes.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { encodeFrame } from "../../../../nodes/network/wire/encodeFrame.ts";
import { FrameDecoder } from "../../../../nodes/network/wire/FrameDecoder.ts";
import { FRAME_HEADER_BYTES, FrameType } from "../../../../nodes/network/wire/frameTypes.ts";
import { decodeHead, encodeHead } from "../../../../nodes/network/wire/headMessage.ts";
import { decodeStatus, encodeStatus } from "../../../../nodes/network/wire/statusMessage.ts";
import {
  decodeSyncRequest,
  encodeSyncRequest,
} from "../../../../nodes/network/wire/syncRequest.ts";
import {
  decodeSyncResponse,
  encodeSyncResponse,
} from "../../../../nodes/network/wire/syncResponse.ts";
import {
  decodeTransactionBatch,
  encodeTransactionBatch,
} from "../../../../nodes/network/wire/transactionBatch.ts";
import { isCustosError } from "../../../../src/errors/index.ts";
import { arbitraries } from "./arbitraries.ts";

const RANDOM_RUNS = 5_000;
const MUTATION_RUNS = 5_000;
const FRAME_RUNS = 3_000;
/** Cases actually run, counted by the properties themselves. */
let cases = 0;

type Mutation =
  | { kind: "flip"; at: number; bits: number }
  | { kind: "set"; at: number; value: number }
  | { kind: "insert"; at: number; bytes: Uint8Array }
  | { kind: "delete"; at: number; length: number }
  | { kind: "truncate"; at: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({
    kind: fc.constant("flip" as const),
    at: fc.nat(),
    bits: fc.integer({ min: 1, max: 255 }),
  }),
  fc.record({
    kind: fc.constant("set" as const),
    at: fc.nat(),
    value: fc.constantFrom(0, 1, 0x7f, 0x80, 0xff),
  }),
  fc.record({
    kind: fc.constant("insert" as const),
    at: fc.nat(),
    bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }),
  }),
  fc.record({
    kind: fc.constant("delete" as const),
    at: fc.nat(),
    length: fc.integer({ min: 1, max: 8 }),
  }),
  fc.record({ kind: fc.constant("truncate" as const), at: fc.nat() }),
);

function mutate(input: Uint8Array, mutations: readonly Mutation[]): Uint8Array {
  let bytes = Uint8Array.from(input);
  for (const m of mutations) {
    const at = bytes.length === 0 ? 0 : m.at % (bytes.length + 1);
    if (m.kind === "flip" && at < bytes.length) bytes[at] = (bytes[at] as number) ^ m.bits;
    else if (m.kind === "set" && at < bytes.length) bytes[at] = m.value;
    else if (m.kind === "insert")
      bytes = Uint8Array.of(...bytes.subarray(0, at), ...m.bytes, ...bytes.subarray(at));
    else if (m.kind === "delete")
      bytes = Uint8Array.of(...bytes.subarray(0, at), ...bytes.subarray(at + m.length));
    else if (m.kind === "truncate") bytes = bytes.subarray(0, at);
  }
  return bytes;
}

/** Decodes, and checks the outcome is a canonical value or a wire error. */
function checkDecoder<T>(
  decode: (b: Uint8Array) => T,
  encode: (v: T) => Uint8Array,
  bytes: Uint8Array,
): void {
  cases++;
  let value: T;
  try {
    value = decode(bytes);
  } catch (error) {
    expect(isCustosError(error, "P2P_MESSAGE_INVALID"), String(error)).toBe(true);
    return;
  }
  expect(Buffer.from(encode(value)).equals(Buffer.from(bytes))).toBe(true);
}

const decoders = [
  {
    name: "status",
    decode: decodeStatus,
    encode: encodeStatus,
    valid: arbitraries.status.map(encodeStatus),
  },
  { name: "head", decode: decodeHead, encode: encodeHead, valid: arbitraries.head.map(encodeHead) },
  {
    name: "transaction batch",
    decode: decodeTransactionBatch,
    encode: encodeTransactionBatch,
    valid: arbitraries.items(1).map(encodeTransactionBatch),
  },
  {
    name: "sync request",
    decode: decodeSyncRequest,
    encode: encodeSyncRequest,
    valid: arbitraries.syncRequest.map(encodeSyncRequest),
  },
  {
    name: "sync response",
    decode: decodeSyncResponse,
    encode: encodeSyncResponse,
    valid: arbitraries.syncResponse.map(encodeSyncResponse),
  },
] as const;

describe("p2p decoders under fuzzing", () => {
  decoders.forEach(({ name, decode, encode, valid }, index) => {
    it(`${name}: random bytes and mutated messages decode canonically or fail typed`, () => {
      const check = (bytes: Uint8Array) =>
        checkDecoder(
          decode as (b: Uint8Array) => unknown,
          encode as (v: unknown) => Uint8Array,
          bytes,
        );
      fc.assert(fc.property(fc.uint8Array({ maxLength: 160 }), check), {
        seed: 13_000 + index,
        numRuns: RANDOM_RUNS,
      });
      fc.assert(
        fc.property(valid, fc.array(mutation, { minLength: 1, maxLength: 4 }), (bytes, mutations) =>
          check(mutate(bytes, mutations)),
        ),
        { seed: 13_100 + index, numRuns: MUTATION_RUNS },
      );
    });
  });

  it("frame decoder: random chunks and mutated frame streams never crash or over-buffer", () => {
    const max = 64;
    const types = new Set<number>([FrameType.consensus, FrameType.transactions]);
    const feed = (chunks: readonly Uint8Array[]) => {
      cases++;
      const decoder = new FrameDecoder(max, types);
      let failed = false;
      for (const chunk of chunks) {
        try {
          for (const frame of decoder.push(chunk)) {
            expect(types.has(frame.type)).toBe(true);
            expect(frame.payload.length).toBeLessThanOrEqual(max);
          }
        } catch (error) {
          expect(isCustosError(error, "P2P_MESSAGE_INVALID"), String(error)).toBe(true);
          failed = true;
        }
        expect(decoder.buffered).toBeLessThan(FRAME_HEADER_BYTES + max);
      }
      return failed;
    };
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 96 }), { maxLength: 6 }), (chunks) => {
        feed(chunks);
      }),
      { seed: 13_200, numRuns: FRAME_RUNS },
    );
    const frameStream = fc
      .array(
        fc.record({
          type: fc.constantFrom(FrameType.consensus, FrameType.transactions),
          payload: fc.uint8Array({ maxLength: 64 }),
        }),
        { minLength: 1, maxLength: 4 },
      )
      .map((frames) => Buffer.concat(frames.map((f) => encodeFrame(f.type, f.payload))));
    fc.assert(
      fc.property(
        frameStream,
        fc.array(mutation, { minLength: 1, maxLength: 4 }),
        fc.nat({ max: 200 }),
        (stream, mutations, cut) => {
          const bytes = mutate(new Uint8Array(stream), mutations);
          const at = cut % (bytes.length + 1);
          feed([bytes.subarray(0, at), bytes.subarray(at)]);
        },
      ),
      { seed: 13_201, numRuns: FRAME_RUNS },
    );
  });

  it("ran at least 50,000 cases in total", () => {
    expect(cases).toBeGreaterThanOrEqual(50_000);
  });
});
