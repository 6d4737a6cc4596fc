import type { Stream } from "@libp2p/interface";
import { describe, expect, it } from "vitest";
import { FrameSender } from "../../../nodes/network/FrameSender.ts";

/** A stream whose peer reads nothing until `drain()`: every send fills its buffer. */
function stuckStream() {
  const sent: number[] = [];
  let release: (() => void) | undefined;
  const stream = {
    status: "open",
    writableNeedsDrain: false,
    send(frame: Uint8Array) {
      sent.push(frame[0] as number);
      stream.writableNeedsDrain = true;
      return false;
    },
    onDrain() {
      return new Promise<void>((resolve) => {
        release = resolve;
      });
    },
    addEventListener() {},
    close: async () => {},
    abort() {},
  };
  const drain = async () => {
    stream.writableNeedsDrain = false;
    release?.();
    await new Promise((resolve) => setImmediate(resolve));
  };
  return { stream: stream as unknown as Stream, sent, drain };
}

describe("FrameSender", () => {
  it("holds a stuck peer's frames in a bounded queue, dropping the oldest", async () => {
    const { stream, sent, drain } = stuckStream();
    const drops: [number, string][] = [];
    const sender = new FrameSender({
      open: async () => stream,
      maxFrames: 3,
      maxBytes: 1_000,
      dropped: (count, why) => drops.push([count, why]),
    });
    sender.enqueue(Uint8Array.of(0));
    await new Promise((resolve) => setImmediate(resolve));
    for (let i = 1; i < 10; i++) sender.enqueue(Uint8Array.of(i));
    await new Promise((resolve) => setImmediate(resolve));
    expect(sent).toEqual([0]);
    expect(sender.queued).toBe(3);
    expect(drops.reduce((sum, [count]) => sum + count, 0)).toBe(6);
    expect(new Set(drops.map(([, why]) => why))).toEqual(new Set(["overflow"]));
    for (let i = 0; i < 3; i++) await drain();
    expect(sent).toEqual([0, 7, 8, 9]);
    expect(sender.queued).toBe(0);
    sender.close();
  });

  it("drops what it holds when the stream cannot be opened, and tries again later", async () => {
    let opens = 0;
    const { stream, sent } = stuckStream();
    const drops: [number, string][] = [];
    const sender = new FrameSender({
      open: async () => {
        opens++;
        if (opens === 1) throw new Error("refused");
        return stream;
      },
      maxFrames: 10,
      maxBytes: 1_000,
      dropped: (count, why) => drops.push([count, why]),
    });
    sender.enqueue(Uint8Array.of(1));
    sender.enqueue(Uint8Array.of(2));
    await new Promise((resolve) => setImmediate(resolve));
    expect(drops).toEqual([[2, "stream-failed"]]);
    sender.enqueue(Uint8Array.of(3));
    await new Promise((resolve) => setImmediate(resolve));
    expect(sent).toEqual([3]);
    expect(opens).toBe(2);
    sender.close();
    sender.enqueue(Uint8Array.of(4));
    expect(sender.queued).toBe(0);
  });
});
