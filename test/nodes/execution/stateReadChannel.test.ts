import { MessageChannel, Worker } from "node:worker_threads";
import { describe, expect, it } from "vitest";
import {
  type StateReadSource,
  serveStateReads,
} from "../../../nodes/execution/stateReadChannel.ts";

const WORKER = new URL("./stateReadChannelWorker.ts", import.meta.url);

/** Starts the fixture worker on a channel served from `source`; collects its messages. */
function start(source: StateReadSource, reads: readonly unknown[]) {
  const { port1, port2 } = new MessageChannel();
  const flag = new Int32Array(new SharedArrayBuffer(4));
  const stop = serveStateReads(port1, flag, source);
  const worker = new Worker(WORKER, {
    workerData: { port: port2, flag, reads },
    transferList: [port2],
  });
  const messages: unknown[] = [];
  const next = () =>
    new Promise<unknown>((resolve) => {
      worker.once("message", (message) => {
        messages.push(message);
        resolve(message);
      });
    });
  return { worker, stop, next };
}

describe("the state-read channel", () => {
  it("answers a worker's synchronous reads from the main thread, missing ones as undefined", async () => {
    const node = Uint8Array.of(1, 2, 3);
    const hash = new Uint8Array(32).fill(9);
    const { worker, stop, next } = start(
      {
        node: (key) =>
          key === "aa" ? Buffer.concat([Buffer.alloc(5), node]).subarray(5) : undefined,
        blockHash: async (number) => (number === 7n ? hash : undefined),
      },
      [{ node: "aa" }, { node: "bb" }, { blockHash: 7n }, { blockHash: 8n }],
    );
    const answers: unknown[] = [];
    for (let i = 0; i < 4; i++) {
      await next();
      answers.push(((await next()) as { answer: unknown }).answer);
    }
    expect(answers).toEqual([node, null, hash, null]);
    // A value that was a view into a larger buffer arrives as exactly its bytes.
    expect((answers[0] as Uint8Array).buffer.byteLength).toBe(3);
    stop();
    await worker.terminate();
  });

  it("lets a worker blocked on an unanswered read be terminated at once", async () => {
    const { worker, stop, next } = start(
      { node: () => undefined, blockHash: () => new Promise(() => {}) },
      [{ blockHash: 1n }],
    );
    await next();
    await new Promise((resolve) => setTimeout(resolve, 100));
    const started = performance.now();
    await worker.terminate();
    expect(performance.now() - started).toBeLessThan(500);
    stop();
  });
});
