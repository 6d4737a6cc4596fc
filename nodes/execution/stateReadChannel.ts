import { type MessagePort, receiveMessageOnPort } from "node:worker_threads";

/** A read a call worker asks the main thread for. */
export type StateReadRequest =
  /** A state-keyspace record (trie node or code) by EthereumJS's unprefixed-hex key. */
  | { readonly kind: "node"; readonly key: string }
  /** The canonical hash of a block (BLOCKHASH). */
  | { readonly kind: "blockHash"; readonly number: bigint };

/** What the main thread reads for the workers (the chain database). */
export interface StateReadSource {
  /** A stored state record, synchronously (level's `getSync`). */
  node(key: string): Uint8Array | undefined;
  /** The canonical hash at a height. */
  blockHash(number: bigint): Promise<Uint8Array | undefined>;
}

/** A worker's synchronous view of the main thread's state reads. */
export interface RemoteStateReads {
  node(key: string): Uint8Array | undefined;
  blockHash(number: bigint): Uint8Array | undefined;
}

/** Index of the answer flag in the shared Int32Array: 0 = waiting, 1 = answered. */
const FLAG = 0;

/**
 * Main-thread end of a call worker's state-read channel: answers each request on `port`
 * from `source`, then raises the shared flag and wakes the worker. The worker has exactly one
 * request outstanding at a time (its reads are synchronous), so answers need no ids.
 * Returns a function that stops serving.
 *
 * Answers are copied into a buffer of their own: a value read from level may be a view into
 * a larger pooled buffer, which posting would copy whole.
 *
 * @example
 * ```ts
 * const { port1, port2 } = new MessageChannel();
 * const flag = new Int32Array(new SharedArrayBuffer(4));
 * const stop = serveStateReads(port1, flag, { node: (k) => trieDb.getSync(k), blockHash });
 * new Worker(url, { workerData: { port: port2, flag }, transferList: [port2] });
 * ```
 */
export function serveStateReads(
  port: MessagePort,
  flag: Int32Array,
  source: StateReadSource,
): () => void {
  let open = true;
  const answer = (value: Uint8Array | undefined) => {
    if (!open) return;
    // new Uint8Array copies (a Buffer's slice() would still be a view).
    port.postMessage(value === undefined ? null : new Uint8Array(value));
    Atomics.store(flag, FLAG, 1);
    Atomics.notify(flag, FLAG);
  };
  port.on("message", (request: StateReadRequest) => {
    if (request.kind === "node") {
      let value: Uint8Array | undefined;
      try {
        value = source.node(request.key);
      } catch {
        // A closed or failing database: the worker sees a missing node and reports
        // STATE_NOT_AVAILABLE for its call.
        value = undefined;
      }
      answer(value);
      return;
    }
    source.blockHash(request.number).then(answer, () => answer(undefined));
  });
  // Serving must not keep the process alive: a busy worker is kept referenced by its pool.
  port.unref();
  return () => {
    open = false;
    port.close();
  };
}

/**
 * Worker end of the state-read channel: each read posts a request and blocks the worker
 * (Atomics.wait on the shared flag) until the main thread has answered, then takes the
 * answer synchronously off the port. Synchronous reads let the worker run the engine's own
 * state manager, whose trie walks are synchronous, unchanged. A terminated worker stops
 * waiting at once (termination interrupts Atomics.wait).
 *
 * @example
 * ```ts
 * const reads = remoteStateReads(workerData.port, workerData.flag);
 * const rootNode = reads.node(stateRootHex);
 * ```
 */
export function remoteStateReads(port: MessagePort, flag: Int32Array): RemoteStateReads {
  const ask = (request: StateReadRequest): Uint8Array | undefined => {
    Atomics.store(flag, FLAG, 0);
    port.postMessage(request);
    for (;;) {
      Atomics.wait(flag, FLAG, 0, 1000);
      const received = receiveMessageOnPort(port);
      if (received !== undefined) {
        const value = received.message as Uint8Array | null;
        return value === null ? undefined : value;
      }
    }
  };
  return {
    node: (key) => ask({ kind: "node", key }),
    blockHash: (number) => ask({ kind: "blockHash", number }),
  };
}
