import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { encodeByteList } from "../../../../nodes/network/wire/byteList.ts";
import { encodeFrame } from "../../../../nodes/network/wire/encodeFrame.ts";
import { FrameDecoder } from "../../../../nodes/network/wire/FrameDecoder.ts";
import { FrameType } from "../../../../nodes/network/wire/frameTypes.ts";
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
import { wireFaultOf } from "../../../../nodes/network/wire/wireError.ts";
import { expectCustosError } from "../../../expectCustosError.ts";
import { arbitraries } from "./arbitraries.ts";

const ALL_TYPES = new Set<number>(Object.values(FrameType));

describe("wire codecs", () => {
  it("round-trip every message", () => {
    fc.assert(
      fc.property(arbitraries.status, (status) => {
        expect(decodeStatus(encodeStatus(status))).toEqual(status);
      }),
      { seed: 1301, numRuns: 200 },
    );
    fc.assert(
      fc.property(arbitraries.head, (head) => {
        expect(decodeHead(encodeHead(head))).toEqual(head);
      }),
      { seed: 1302, numRuns: 200 },
    );
    fc.assert(
      fc.property(arbitraries.items(1), (txs) => {
        expect(decodeTransactionBatch(encodeTransactionBatch(txs))).toEqual(txs);
      }),
      { seed: 1303, numRuns: 200 },
    );
    fc.assert(
      fc.property(arbitraries.syncRequest, (request) => {
        expect(decodeSyncRequest(encodeSyncRequest(request))).toEqual(request);
      }),
      { seed: 1304, numRuns: 200 },
    );
    fc.assert(
      fc.property(arbitraries.syncResponse, (response) => {
        expect(decodeSyncResponse(encodeSyncResponse(response))).toEqual(response);
      }),
      { seed: 1305, numRuns: 200 },
    );
  });

  it("decodes frames from any split of the byte stream, in order", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            type: fc.constantFrom(...ALL_TYPES),
            payload: fc.uint8Array({ maxLength: 64 }),
          }),
          { maxLength: 8 },
        ),
        fc.array(fc.nat({ max: 300 }), { maxLength: 10 }),
        (frames, cuts) => {
          const stream = Buffer.concat(
            frames.map(({ type, payload }) => encodeFrame(type as FrameType, payload)),
          );
          const points = [...new Set(cuts.map((cut) => cut % (stream.length + 1)))].sort(
            (a, b) => a - b,
          );
          const decoder = new FrameDecoder(64, ALL_TYPES);
          const out: { type: number; payload: Uint8Array }[] = [];
          let from = 0;
          for (const point of [...points, stream.length]) {
            out.push(...decoder.push(new Uint8Array(stream.subarray(from, point))));
            from = point;
          }
          expect(out).toEqual(frames.map(({ type, payload }) => ({ type, payload })));
          expect(decoder.buffered).toBe(0);
        },
      ),
      { seed: 1306, numRuns: 300 },
    );
  });

  it("refuses an oversized frame as soon as its length arrives", () => {
    const decoder = new FrameDecoder(100, ALL_TYPES);
    const header = encodeFrame(FrameType.consensus, new Uint8Array(101)).subarray(0, 4);
    const error = expectCustosError(() => decoder.push(header), "P2P_MESSAGE_INVALID");
    expect(error.details).toMatchObject({ fault: "oversized", length: 101, max: 100 });
    // The framing is lost: everything after is refused too.
    expectCustosError(
      () => decoder.push(encodeFrame(FrameType.consensus, Uint8Array.of(1))),
      "P2P_MESSAGE_INVALID",
    );
  });

  it("refuses empty bodies and types the stream does not carry", () => {
    expect(
      wireFaultOf(catchError(() => new FrameDecoder(10, ALL_TYPES).push(new Uint8Array(4)))),
    ).toBe("empty");
    const consensusOnly = new FrameDecoder(10, new Set([FrameType.consensus]));
    const frame = encodeFrame(FrameType.transactions, Uint8Array.of(1));
    expect(wireFaultOf(catchError(() => consensusOnly.push(frame)))).toBe("unexpected-type");
  });

  it("refuses non-canonical or inconsistent messages", () => {
    const status = fc.sample(arbitraries.status, { seed: 7, numRuns: 1 })[0];
    if (status === undefined) throw new Error("no sample");
    const encoded = encodeStatus(status);
    expect(wireFaultOf(catchError(() => decodeStatus(encoded.subarray(1))))).toBe("truncated");
    expect(wireFaultOf(catchError(() => decodeStatus(Uint8Array.of(...encoded, 0))))).toBe(
      "trailing-bytes",
    );
    // A list whose count promises more items than its bytes could hold.
    const forged = encodeByteList([Uint8Array.of(1)]);
    forged.set([0xff, 0xff, 0xff, 0xff], 0);
    expect(wireFaultOf(catchError(() => decodeTransactionBatch(forged)))).toBe("truncated");
    expect(wireFaultOf(catchError(() => decodeTransactionBatch(encodeByteList([]))))).toBe(
      "bad-field",
    );
    const zeroCount = encodeSyncRequest({ kind: "blocks", fromNumber: 1n, count: 1 });
    zeroCount.set([0, 0, 0, 0], 9);
    expect(wireFaultOf(catchError(() => decodeSyncRequest(zeroCount)))).toBe("bad-field");
    const badKind = encodeSyncRequest({ kind: "headers", fromNumber: 1n, count: 1 });
    badKind[0] = 2;
    expect(wireFaultOf(catchError(() => decodeSyncRequest(badKind)))).toBe("bad-field");
    const failedWithItems = encodeByteList([Uint8Array.of(9)], Uint8Array.of(1));
    expect(wireFaultOf(catchError(() => decodeSyncResponse(failedWithItems)))).toBe("bad-field");
  });
});

function catchError(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error("expected a throw");
}
