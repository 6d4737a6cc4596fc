import { describe, expect, it } from "vitest";
import { CheckpointWriter } from "../../src/consentImport/CheckpointWriter.ts";

/** A writer whose writes finish when the test says, on a clock the test moves. */
function harness(minIntervalMs = 1_000) {
  let now = 0;
  let state = 0;
  /** How long making the text takes, in clock time. */
  let textMs = 0;
  const written: string[] = [];
  const finishers: ((error?: Error) => void)[] = [];
  const writer = new CheckpointWriter({
    write: (text) =>
      new Promise<void>((resolve, reject) => {
        finishers.push((error) => {
          if (error === undefined) {
            written.push(text);
            resolve();
          } else reject(error);
        });
      }),
    text: () => {
      now += textMs;
      return `state ${state}`;
    },
    clock: () => now,
    minIntervalMs,
  });
  return {
    writer,
    written,
    running: () => finishers.length,
    change(value: number) {
      state = value;
      writer.changed();
    },
    async finish(error?: Error) {
      finishers.shift()?.(error);
      for (let turn = 0; turn < 5; turn++) await new Promise<void>((r) => setImmediate(r));
    },
    advance(ms: number) {
      now += ms;
    },
    textTakes(ms: number) {
      textMs = ms;
    },
  };
}

describe("CheckpointWriter", () => {
  it("writes at once, then coalesces changes until the interval has passed", async () => {
    const h = harness();
    h.change(1);
    expect(h.running()).toBe(1);
    h.change(2);
    h.change(3);
    expect(h.running()).toBe(1);
    await h.finish();
    expect(h.written).toEqual(["state 1"]);
    h.advance(500);
    h.change(4);
    expect(h.running()).toBe(0);
    h.advance(500);
    h.change(5);
    expect(h.running()).toBe(1);
    await h.finish();
    // The text is made when the write starts: 2, 3 and 4 were never written on their own.
    expect(h.written).toEqual(["state 1", "state 5"]);
  });

  it("waits ten times as long as making the text took before the next write", async () => {
    const h = harness(100);
    h.textTakes(300);
    h.change(1);
    // The write's own duration (I/O) does not count.
    h.advance(5_000);
    await h.finish();
    h.change(2);
    expect(h.running()).toBe(1);
    await h.finish();
    h.advance(2_000);
    h.change(3);
    expect(h.running()).toBe(0);
    h.advance(1_000);
    h.change(4);
    expect(h.running()).toBe(1);
  });

  it("flushes the latest state after a running write", async () => {
    const h = harness();
    h.change(1);
    h.change(2);
    const flushed = h.writer.flush();
    await h.finish();
    expect(h.running()).toBe(1);
    await h.finish();
    await flushed;
    expect(h.written).toEqual(["state 1", "state 2"]);
    await h.writer.flush();
    expect(h.running()).toBe(0);
  });

  it("stops writing after a failed write and reports it at the flush", async () => {
    const h = harness(0);
    const diskFull = new Error("ENOSPC");
    h.change(1);
    await h.finish(diskFull);
    h.change(2);
    expect(h.running()).toBe(0);
    await expect(h.writer.flush()).rejects.toBe(diskFull);
    expect(h.written).toEqual([]);
  });
});
