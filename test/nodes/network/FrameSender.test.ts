import type { Stream } from "@libp2p/interface";
import { describe, expect, it } from "vitest";
import { FrameSender } from "../../../nodes/network/FrameSender.ts";

/**
 * A stream whose peer reads nothing until `drain()`: every send fills its buffer. Its drain
 * behaves as libp2p's (@libp2p/utils 7.4): a `drain` event each time, and `onDrain()` hands
 * out ONE promise per stream, resolved at the first drain and never renewed (calls on a
 * stream that still needs a drain are counted: a sender relying on it spins).
 */
function stuckStream() {
  const sent: number[] = [];
  const events = new EventTarget();
  let drainPromise: { promise: Promise<void>; resolve: () => void } | undefined;
  let onDrainCalls = 0;
  const stream = {
    status: "open",
    writableNeedsDrain: false,
    send(frame: Uint8Array) {
      sent.push(frame[0] as number);
      stream.writableNeedsDrain = true;
      return false;
    },
    onDrain() {
      if (!stream.writableNeedsDrain) return Promise.resolve();
      onDrainCalls++;
      // A spinning sender is let through (so the test fails on what was sent) instead of
      // hanging the test run.
      if (onDrainCalls > 1_000) {
        stream.writableNeedsDrain = false;
        return Promise.reject(new Error("spinning"));
      }
      if (drainPromise === undefined) {
        let resolve = () => {};
        const promise = new Promise<void>((done) => {
          resolve = done;
        });
        drainPromise = { promise, resolve };
      }
      return drainPromise.promise;
    },
    addEventListener: events.addEventListener.bind(events),
    removeEventListener: events.removeEventListener.bind(events),
    close: async () => {},
    abort() {},
  };
  const drain = async () => {
    stream.writableNeedsDrain = false;
    drainPromise?.resolve();
    events.dispatchEvent(new Event("drain"));
    await new Promise((resolve) => setImmediate(resolve));
  };
  return { stream: stream as unknown as Stream, sent, drain, onDrainCalls: () => onDrainCalls };
}

describe("FrameSender", () => {
  it("waits for every drain of a long-lived stream, not only the first", async () => {
    const { stream, sent, drain, onDrainCalls } = stuckStream();
    let opens = 0;
    const drops: [number, string][] = [];
    const sender = new FrameSender({
      open: async () => {
        opens++;
        if (opens > 1) throw new Error("one stream only");
        return stream;
      },
      maxFrames: 10,
      maxBytes: 1_000,
      dropped: (count, why) => drops.push([count, why]),
    });
    for (let i = 1; i <= 4; i++) sender.enqueue(Uint8Array.of(i));
    await new Promise((resolve) => setImmediate(resolve));
    expect(sent).toEqual([1]);
    for (let round = 2; round <= 4; round++) {
      await drain();
      expect(sent).toHaveLength(round);
    }
    expect(sent).toEqual([1, 2, 3, 4]);
    expect(drops).toEqual([]);
    expect(onDrainCalls()).toBe(0);
    sender.close();
  });

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
