/**
 * Abusive traffic of the soak test, the probes of the robustness review run continuously:
 * infinite-loop eth_calls with the largest gas, unbounded eth_getLogs, bodies over the size
 * limit, malformed and deeply nested JSON, and WebSocket floods ending in an oversized
 * message. Each kind runs in its own loop; the report counts what was sent and how the node
 * answered (HTTP status, JSON-RPC error code or WebSocket close code), for the record: the
 * soak's verdict comes from the probes and the valid traffic, not from these answers.
 *
 * The abuser's HTTP requests leave from their own loopback address (`sourceAddress`, e.g.
 * 127.0.0.2), as an attacker is not the hospital's own data service: the node shares call
 * capacity fairly between clients by remote address.
 */
import { request } from "node:http";

/** How the node answered one kind of abuse. */
export interface AbuseTally {
  sent: number;
  /** Answer → count, e.g. `rpc:-32000`, `http:413`, `close:1009`, `network`, `timeout`. */
  answers: Record<string, number>;
}

/** Every kind's tally. */
export type AbuseReport = Record<string, AbuseTally>;

/** Sizes and pacing of the abuse. */
export interface AbuseOptions {
  /** The node's JSON-RPC HTTP limit; bodies of this + 1 byte are sent. */
  readonly maxBodyBytes: number;
  /** Concurrent infinite-loop calls kept in flight. */
  readonly loopCallsInFlight: number;
  /** Messages per WebSocket flood. */
  readonly floodMessages: number;
  /** How long a client waits for any one abusive request. */
  readonly requestTimeoutMs: number;
  /** Local address the HTTP requests are sent from (any 127.x.y.z works on loopback). */
  readonly sourceAddress: string;
}

const INFINITE_LOOP = "0x5b600056";

function tally(report: AbuseReport, kind: string): AbuseTally {
  report[kind] ??= { sent: 0, answers: {} };
  return report[kind];
}

function answered(t: AbuseTally, answer: string): void {
  t.answers[answer] = (t.answers[answer] ?? 0) + 1;
}

function post(url: string, body: string, timeoutMs: number, from: string): Promise<string> {
  return new Promise((resolve) => {
    const req = request(
      url,
      {
        method: "POST",
        headers: { "content-type": "application/json" },
        localAddress: from,
        timeout: timeoutMs,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("error", () => resolve("network"));
        response.on("end", () => {
          if (response.statusCode !== 200) return resolve(`http:${response.statusCode}`);
          try {
            const parsed = JSON.parse(Buffer.concat(chunks).toString()) as
              | { error?: { code?: number } }
              | { error?: { code?: number } }[];
            const codeOf = (answer: { error?: { code?: number } }) =>
              answer.error === undefined ? "result" : `rpc:${answer.error.code}`;
            resolve(
              Array.isArray(parsed) ? `batch:${parsed.map(codeOf).join(",")}` : codeOf(parsed),
            );
          } catch {
            resolve("unparsable");
          }
        });
      },
    );
    req.on("timeout", () => {
      req.destroy();
      resolve("timeout");
    });
    req.on("error", () => resolve("network"));
    req.end(body);
  });
}

function rpcBody(method: string, params: unknown[]): string {
  return JSON.stringify({ jsonrpc: "2.0", id: 1, method, params });
}

/** One flood: many requests as fast as the socket takes them, then an oversized message. */
function flood(wsUrl: string, messages: number, oversizedBytes: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = new WebSocket(wsUrl);
    const timer = setTimeout(() => {
      socket.close();
      resolve("timeout");
    }, 30_000);
    socket.addEventListener("open", () => {
      for (let i = 0; i < messages; i++) socket.send(rpcBody("eth_blockNumber", []));
      socket.send(`"${"x".repeat(oversizedBytes)}"`);
    });
    socket.addEventListener("close", (event) => {
      clearTimeout(timer);
      resolve(`close:${event.code}`);
    });
    socket.addEventListener("error", () => undefined);
  });
}

/**
 * Runs every kind of abuse against the node until `stop` is called.
 *
 * @example
 * ```ts
 * const abuse = runAbusiveTraffic(rpcUrl, wsUrl, { maxBodyBytes, loopCallsInFlight: 4, ... });
 * const report = await abuse.stop();
 * ```
 */
export function runAbusiveTraffic(
  rpcUrl: string,
  wsUrl: string,
  options: AbuseOptions,
): { stop(): Promise<AbuseReport> } {
  const report: AbuseReport = {};
  let running = true;
  const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  const repeat = async (kind: string, pauseMs: number, once: () => Promise<string>) => {
    const t = tally(report, kind);
    while (running) {
      t.sent += 1;
      answered(t, await once());
      await pause(pauseMs);
    }
  };
  const t = options.requestTimeoutMs;
  const from = options.sourceAddress;
  const loops = [
    ...Array.from({ length: options.loopCallsInFlight }, () =>
      repeat("infiniteLoopCall", 0, () =>
        post(
          rpcUrl,
          rpcBody("eth_call", [{ data: INFINITE_LOOP, gas: "0xffffffffffffffff" }, "latest"]),
          t,
          from,
        ),
      ),
    ),
    repeat("infiniteLoopEstimateGas", 500, () =>
      post(rpcUrl, rpcBody("eth_estimateGas", [{ data: INFINITE_LOOP }]), t, from),
    ),
    repeat("unboundedGetLogs", 250, () =>
      post(rpcUrl, rpcBody("eth_getLogs", [{ fromBlock: "0x0", toBlock: "latest" }]), t, from),
    ),
    repeat("oversizedBody", 2_000, () =>
      post(rpcUrl, `"${"x".repeat(options.maxBodyBytes)}"`, t, from),
    ),
    repeat("malformedJson", 200, () => post(rpcUrl, '{"jsonrpc":"2.0","id":1,"method":', t, from)),
    repeat("deepNesting", 500, () =>
      post(rpcUrl, `${"[".repeat(100_000)}${"]".repeat(100_000)}`, t, from),
    ),
    repeat("webSocketFlood", 5_000, () =>
      flood(wsUrl, options.floodMessages, options.maxBodyBytes + 1),
    ),
  ];
  return {
    async stop() {
      running = false;
      await Promise.all(loops);
      return report;
    },
  };
}
