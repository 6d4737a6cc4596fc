/**
 * A TCP proxy that end-to-end tests put in front of a node's p2p listen port, so that the link
 * between two real node processes can be partitioned, slowed down or cut in the middle of a
 * message while both processes keep running.
 */
import { connect, createServer, type Socket } from "node:net";

/** Options of {@link createFaultProxy}. */
export interface FaultProxyOptions {
  /** Where connections are forwarded: the real listener. */
  readonly target: { readonly host: string; readonly port: number };
  /** Port to listen on at 127.0.0.1 (0 = any free port). */
  readonly listenPort?: number;
}

/** A running proxy: the faults it can inject and what it has seen. */
export interface FaultProxy {
  /** The port the proxy listens on. */
  readonly port: number;
  /**
   * Refuse new connections and destroy open ones (both directions) until heal(). A partitioned
   * proxy still listens but closes each accepted socket at once.
   */
  partition(): void;
  /** Undo partition(): accept and forward again. */
  heal(): void;
  /**
   * Hold every chunk in both directions for `ms` before forwarding (0 = none); order is
   * preserved per direction.
   */
  delay(ms: number): void;
  /**
   * Cut every open connection after forwarding only part of the next chunk in each direction
   * (mid-message), then destroy both sockets. New connections work normally afterwards.
   */
  cutMidMessage(): void;
  /** Currently open proxied connections. */
  connections(): number;
  /** Bytes forwarded so far, per direction. */
  bytes(): { readonly toTarget: number; readonly fromTarget: number };
  /** Stop listening and destroy all connections. */
  close(): Promise<void>;
}

type Direction = "toTarget" | "fromTarget";

/** A chunk read from one side and not yet written to the other. */
interface Held {
  readonly chunk: Buffer;
  /** `performance.now()` when it was read, so a later delay() applies to it as well. */
  readonly readAt: number;
}

/** One direction of a proxied connection. */
interface Pipe {
  readonly direction: Direction;
  readonly source: Socket;
  readonly sink: Socket;
  /** FIFO: a single queue (not a timer per chunk) is what keeps the byte order under delay. */
  readonly queue: Held[];
  queuedBytes: number;
  timer: NodeJS.Timeout | undefined;
  waitingForDrain: boolean;
  sourceEnded: boolean;
  sinkEnded: boolean;
}

interface Link {
  readonly client: Socket;
  readonly target: Socket;
  readonly toTarget: Pipe;
  readonly fromTarget: Pipe;
  closed: boolean;
  /** Set by cutMidMessage(): the next chunk forwarded either way is the last, and only half. */
  cutArmed: boolean;
  /** A cut is flushing its half chunk: nothing else may be forwarded meanwhile. */
  cutting: boolean;
  cutTimer: NodeJS.Timeout | undefined;
}

/**
 * Held bytes per direction beyond which the source is paused; without it a long delay() in
 * front of a fast sender would buffer without bound in the test process.
 */
const MAX_HELD_BYTES = 1024 * 1024;
/**
 * How long a cut waits for its half chunk to reach the kernel before destroying anyway, so a
 * peer that stopped reading cannot keep the connection (and the test) alive.
 */
const CUT_FLUSH_MS = 1000;

/**
 * Starts a proxy on 127.0.0.1 that forwards every accepted connection to `options.target`
 * until told to inject a fault.
 *
 * Half-closes are forwarded (a FIN from one side ends the other side's writable once the
 * held bytes are written), since libp2p streams rely on them; any socket error or close on
 * either side destroys both sockets, so a fault never leaves a half-dead link behind.
 *
 * @example
 * ```ts
 * const proxy = await createFaultProxy({ target: { host: "127.0.0.1", port: nodeP2pPort } });
 * // peers dial proxy.port instead of nodeP2pPort
 * proxy.partition();
 * proxy.heal();
 * await proxy.close();
 * ```
 */
export async function createFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const links = new Set<Link>();
  const forwarded = { toTarget: 0, fromTarget: 0 };
  let delayMs = 0;
  let partitioned = false;
  let closing: Promise<void> | undefined;

  function destroyLink(link: Link): void {
    if (link.closed) return;
    link.closed = true;
    links.delete(link);
    clearTimeout(link.cutTimer);
    for (const pipe of [link.toTarget, link.fromTarget]) {
      clearTimeout(pipe.timer);
      pipe.timer = undefined;
      pipe.queue.length = 0;
      pipe.queuedBytes = 0;
    }
    link.client.destroy();
    link.target.destroy();
  }

  /** Pauses the source while its sink or the held queue is full, so memory stays bounded. */
  function updateFlow(pipe: Pipe): void {
    if (pipe.sourceEnded) return;
    if (pipe.waitingForDrain || pipe.queuedBytes >= MAX_HELD_BYTES) pipe.source.pause();
    else pipe.source.resume();
  }

  function cut(link: Link, pipe: Pipe, chunk: Buffer): void {
    link.cutting = true;
    link.client.pause();
    link.target.pause();
    const part = chunk.subarray(0, chunk.length >>> 1);
    forwarded[pipe.direction] += part.length;
    const finish = () => destroyLink(link);
    link.cutTimer = setTimeout(finish, CUT_FLUSH_MS);
    // Destroying right after write() could drop the half chunk still in Node's buffer; the
    // callback fires once the kernel has it, and closing then still delivers it to the peer.
    if (part.length === 0) finish();
    else pipe.sink.write(part, finish);
  }

  function pump(link: Link, pipe: Pipe): void {
    if (link.closed || link.cutting || pipe.timer !== undefined || pipe.waitingForDrain) return;
    for (let held = pipe.queue[0]; held !== undefined; held = pipe.queue[0]) {
      const wait = held.readAt + delayMs - performance.now();
      if (wait > 0) {
        pipe.timer = setTimeout(() => {
          pipe.timer = undefined;
          pump(link, pipe);
        }, Math.ceil(wait));
        break;
      }
      pipe.queue.shift();
      pipe.queuedBytes -= held.chunk.length;
      if (link.cutArmed) {
        cut(link, pipe, held.chunk);
        return;
      }
      forwarded[pipe.direction] += held.chunk.length;
      if (!pipe.sink.write(held.chunk)) {
        pipe.waitingForDrain = true;
        pipe.sink.once("drain", () => {
          pipe.waitingForDrain = false;
          pump(link, pipe);
        });
        break;
      }
    }
    if (pipe.queue.length === 0 && pipe.sourceEnded && !pipe.sinkEnded) {
      pipe.sinkEnded = true;
      pipe.sink.end();
    }
    updateFlow(pipe);
  }

  function createPipe(direction: Direction, source: Socket, sink: Socket): Pipe {
    return {
      direction,
      source,
      sink,
      queue: [],
      queuedBytes: 0,
      timer: undefined,
      waitingForDrain: false,
      sourceEnded: false,
      sinkEnded: false,
    };
  }

  function accept(client: Socket): void {
    if (partitioned || closing !== undefined) {
      // Without a listener a reset from the peer while closing would crash the test process.
      client.on("error", () => undefined);
      client.destroy();
      return;
    }
    client.setNoDelay(true);
    const target = connect({
      host: options.target.host,
      port: options.target.port,
      allowHalfOpen: true,
    });
    target.setNoDelay(true);
    const link: Link = {
      client,
      target,
      toTarget: createPipe("toTarget", client, target),
      fromTarget: createPipe("fromTarget", target, client),
      closed: false,
      cutArmed: false,
      cutting: false,
      cutTimer: undefined,
    };
    links.add(link);
    for (const pipe of [link.toTarget, link.fromTarget]) {
      pipe.source.on("data", (chunk: Buffer) => {
        if (link.closed) return;
        pipe.queue.push({ chunk, readAt: performance.now() });
        pipe.queuedBytes += chunk.length;
        pump(link, pipe);
      });
      pipe.source.on("end", () => {
        pipe.sourceEnded = true;
        pump(link, pipe);
      });
    }
    for (const socket of [client, target]) {
      // ECONNRESET, EPIPE and a refused target all end the link the same way a real
      // network failure would: both sides see their connection go away.
      socket.on("error", () => destroyLink(link));
      socket.on("close", () => destroyLink(link));
    }
  }

  const server = createServer({ allowHalfOpen: true }, accept);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen({ host: "127.0.0.1", port: options.listenPort ?? 0 }, () => {
      server.off("error", reject);
      resolve();
    });
  });
  // Accept errors (e.g. EMFILE) surface here; a fault proxy must not take the test down for
  // them, and the dialling peer already sees its connection fail.
  server.on("error", () => undefined);
  const address = server.address();
  if (address === null || typeof address === "string") {
    server.close();
    throw new Error("fault proxy: listening socket has no TCP address");
  }

  return {
    port: address.port,
    partition() {
      partitioned = true;
      for (const link of [...links]) destroyLink(link);
    },
    heal() {
      partitioned = false;
    },
    delay(ms: number) {
      if (!Number.isFinite(ms) || ms < 0) {
        throw new RangeError(`fault proxy: delay must be a finite number >= 0, got ${ms}`);
      }
      delayMs = ms;
      // Re-time what is already held, so lowering the delay releases it now (still in order).
      for (const link of links) {
        for (const pipe of [link.toTarget, link.fromTarget]) {
          if (pipe.timer === undefined) continue;
          clearTimeout(pipe.timer);
          pipe.timer = undefined;
          pump(link, pipe);
        }
      }
    },
    cutMidMessage() {
      for (const link of links) link.cutArmed = true;
    },
    connections() {
      return links.size;
    },
    bytes() {
      return { toTarget: forwarded.toTarget, fromTarget: forwarded.fromTarget };
    },
    close() {
      closing ??= new Promise<void>((resolve) => {
        for (const link of [...links]) destroyLink(link);
        server.close(() => resolve());
      });
      return closing;
    },
  };
}
