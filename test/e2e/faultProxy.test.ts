import { connect, createServer, type Server, type Socket } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, describe, expect, it } from "vitest";
import { createFaultProxy, type FaultProxy } from "./harness/createFaultProxy.ts";

/**
 * The fault proxy against a real echo server on 127.0.0.1: what the multi-node suites rely on
 * when they partition, slow down or cut the p2p links between node processes.
 */
const HOST = "127.0.0.1";
const TEST_TIMEOUT_MS = 5_000;

interface EchoServer {
  readonly port: number;
  /** Bytes the server has read (and echoed back). */
  received(): number;
  close(): Promise<void>;
}

interface Client {
  readonly socket: Socket;
  received(): Buffer;
  /** Resolves on 'close' with the error code seen before it, if any. */
  readonly closed: Promise<string | undefined>;
}

const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function listen(server: Server, port = 0): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen({ host: HOST, port }, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("no TCP address");
  return address.port;
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

async function startEchoServer(): Promise<EchoServer> {
  const sockets = new Set<Socket>();
  let received = 0;
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on("error", () => socket.destroy());
    socket.on("close", () => sockets.delete(socket));
    socket.on("data", (chunk: Buffer) => {
      received += chunk.length;
    });
    socket.pipe(socket);
  });
  const port = await listen(server);
  const echo: EchoServer = {
    port,
    received: () => received,
    close: () => {
      for (const socket of sockets) socket.destroy();
      return closeServer(server);
    },
  };
  cleanups.push(echo.close);
  return echo;
}

async function startProxy(targetPort: number, listenPort?: number): Promise<FaultProxy> {
  const proxy = await createFaultProxy({
    target: { host: HOST, port: targetPort },
    ...(listenPort === undefined ? {} : { listenPort }),
  });
  cleanups.push(() => proxy.close());
  return proxy;
}

function openClient(port: number): Promise<Client> {
  const socket = connect({ host: HOST, port });
  socket.setNoDelay(true);
  const chunks: Buffer[] = [];
  let error: string | undefined;
  socket.on("data", (chunk: Buffer) => chunks.push(chunk));
  const closed = new Promise<string | undefined>((resolve) => {
    socket.on("error", (e: NodeJS.ErrnoException) => {
      error ??= e.code ?? e.message;
    });
    socket.on("close", () => resolve(error));
  });
  cleanups.push(async () => {
    socket.destroy();
    await closed;
  });
  return new Promise((resolve, reject) => {
    socket.once("connect", () =>
      resolve({ socket, received: () => Buffer.concat(chunks), closed }),
    );
    socket.once("error", reject);
  });
}

/** Polls `condition` every few ms; fails with `what` instead of hanging the suite. */
async function until(condition: () => boolean, what: string, timeoutMs = 3_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

async function within<T>(promise: Promise<T>, what: string, timeoutMs = 3_000): Promise<T> {
  const controller = new AbortController();
  const timeout = sleep(timeoutMs, undefined, { signal: controller.signal }).then(() => {
    throw new Error(`timed out waiting for ${what}`);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    controller.abort();
    timeout.catch(() => undefined);
  }
}

/** Bytes that reveal reordering or loss: each 4-byte word is its own offset / 4. */
function pattern(bytes: number, firstWord = 0): Buffer {
  const buffer = Buffer.alloc(bytes);
  for (let i = 0; i < bytes / 4; i++) buffer.writeUInt32BE(firstWord + i, i * 4);
  return buffer;
}

async function roundTrip(client: Client, message: Buffer): Promise<Buffer> {
  const before = client.received().length;
  client.socket.write(message);
  await until(() => client.received().length >= before + message.length, "the echo");
  return client.received().subarray(before);
}

describe("createFaultProxy", () => {
  it(
    "forwards both ways, counts bytes and forwards half-closes",
    async () => {
      const echo = await startEchoServer();
      const proxy = await startProxy(echo.port);
      expect(proxy.port).not.toBe(echo.port);
      const client = await openClient(proxy.port);

      expect(await roundTrip(client, Buffer.from("hello"))).toEqual(Buffer.from("hello"));
      // Far more than the socket buffers hold, so the proxy has to pause and resume.
      const big = pattern(4 * 1024 * 1024);
      expect((await roundTrip(client, big)).equals(big)).toBe(true);

      const total = 5 + big.length;
      expect(proxy.bytes()).toEqual({ toTarget: total, fromTarget: total });
      expect(echo.received()).toBe(total);
      expect(proxy.connections()).toBe(1);

      client.socket.end();
      expect(await within(client.closed, "the forwarded FIN to come back")).toBeUndefined();
      await until(() => proxy.connections() === 0, "the proxy to drop the connection");
    },
    TEST_TIMEOUT_MS,
  );

  it(
    "closes the client's connection when the target refuses it, and keeps serving",
    async () => {
      const unused = createServer();
      const deadPort = await listen(unused);
      await closeServer(unused);
      const proxy = await startProxy(deadPort);

      const client = await openClient(proxy.port);
      await within(client.closed, "the refused link to close");
      expect(client.received().length).toBe(0);
      await until(() => proxy.connections() === 0, "the proxy to drop the connection");
      expect(proxy.bytes()).toEqual({ toTarget: 0, fromTarget: 0 });
    },
    TEST_TIMEOUT_MS,
  );

  it(
    "partition() cuts open links and refuses new ones until heal()",
    async () => {
      const echo = await startEchoServer();
      const proxy = await startProxy(echo.port);
      const before = await openClient(proxy.port);
      expect(await roundTrip(before, Buffer.from("ping"))).toEqual(Buffer.from("ping"));

      proxy.partition();
      await within(before.closed, "the open link to close on partition");
      expect(proxy.connections()).toBe(0);

      const during = await openClient(proxy.port);
      during.socket.write("lost");
      const error = await within(during.closed, "the partitioned link to close");
      expect([undefined, "ECONNRESET", "EPIPE"]).toContain(error);
      expect(during.received().length).toBe(0);
      expect(proxy.bytes()).toEqual({ toTarget: 4, fromTarget: 4 });

      proxy.heal();
      const after = await openClient(proxy.port);
      expect(await roundTrip(after, Buffer.from("pong"))).toEqual(Buffer.from("pong"));
      expect(proxy.connections()).toBe(1);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    "delay() holds each direction and keeps byte order when the delay changes mid-stream",
    async () => {
      const echo = await startEchoServer();
      const proxy = await startProxy(echo.port);
      const client = await openClient(proxy.port);

      proxy.delay(200);
      const started = performance.now();
      await roundTrip(client, Buffer.from("slow"));
      const elapsed = performance.now() - started;
      // Held once on the way to the echo server and once on the way back.
      expect(elapsed).toBeGreaterThanOrEqual(400);
      expect(elapsed).toBeLessThan(1_500);

      // Small writes spread over time arrive as separate chunks; dropping the delay halfway
      // releases the held ones, which must still come out before the later ones.
      const writes = 100;
      const base = client.received().length;
      for (let i = 0; i < writes; i++) {
        if (i === writes / 2) {
          expect(client.received().length).toBe(base);
          proxy.delay(0);
        }
        client.socket.write(pattern(4, i));
        await sleep(1);
      }
      await until(() => client.received().length === base + writes * 4, "all small writes");
      expect(
        client
          .received()
          .subarray(base)
          .equals(pattern(writes * 4)),
      ).toBe(true);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    "cutMidMessage() delivers only part of a pending message, then closes; new links work",
    async () => {
      const echo = await startEchoServer();
      const proxy = await startProxy(echo.port);
      const client = await openClient(proxy.port);

      // The delay keeps the echo of the message held in the proxy while the cut is armed.
      proxy.delay(150);
      const message = pattern(1024 * 1024);
      client.socket.write(message);
      await until(() => proxy.bytes().toTarget === message.length, "the message to reach echo");
      expect(client.received().length).toBe(0);
      proxy.cutMidMessage();

      expect(await within(client.closed, "the cut link to close")).toBeUndefined();
      const received = client.received();
      expect(received.length).toBeGreaterThan(0);
      expect(received.length).toBeLessThan(message.length);
      expect(received.equals(message.subarray(0, received.length))).toBe(true);
      expect(proxy.bytes().fromTarget).toBe(received.length);
      await until(() => proxy.connections() === 0, "the proxy to drop the cut connection");

      proxy.delay(0);
      const next = await openClient(proxy.port);
      const again = pattern(64 * 1024, 7);
      expect((await roundTrip(next, again)).equals(again)).toBe(true);
      expect(proxy.connections()).toBe(1);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    "close() destroys open links and releases the port",
    async () => {
      const echo = await startEchoServer();
      const proxy = await startProxy(echo.port);
      const client = await openClient(proxy.port);
      expect(await roundTrip(client, Buffer.from("bye"))).toEqual(Buffer.from("bye"));

      await within(proxy.close(), "close()");
      await within(client.closed, "the open link to close");
      expect(proxy.connections()).toBe(0);
      await expect(openClient(proxy.port)).rejects.toMatchObject({ code: "ECONNREFUSED" });

      const reopened = await startProxy(echo.port, proxy.port);
      expect(reopened.port).toBe(proxy.port);
      const next = await openClient(reopened.port);
      expect(await roundTrip(next, Buffer.from("again"))).toEqual(Buffer.from("again"));
    },
    TEST_TIMEOUT_MS,
  );
});
