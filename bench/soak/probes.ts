/**
 * What the soak test watches while traffic runs: how fast `/liveness` answers, when each new
 * block arrives (over a WebSocket `newHeads` subscription, so the arrival time is the node's
 * announcement, not a poll's), and the node process's resident memory.
 */
import { readFileSync } from "node:fs";

/** A running probe; `stop` ends it and returns what it measured. */
export interface Probe<T> {
  stop(): Promise<T>;
}

/** Samples of the liveness probe: latency of each answered request, and failures. */
export interface LivenessSamples {
  readonly latenciesMs: number[];
  readonly failures: number;
}

/**
 * Asks `GET /liveness` every `intervalMs` (one request at a time); a request that takes
 * longer than `timeoutMs` or does not answer 200 counts as a failure.
 */
export function probeLiveness(
  baseUrl: string,
  intervalMs: number,
  timeoutMs: number,
): Probe<LivenessSamples> {
  const samples: LivenessSamples = { latenciesMs: [], failures: 0 };
  let running = true;
  const loop = (async () => {
    while (running) {
      const started = performance.now();
      try {
        const response = await fetch(`${baseUrl}/liveness`, {
          signal: AbortSignal.timeout(timeoutMs),
        });
        await response.arrayBuffer();
        if (response.status === 200) samples.latenciesMs.push(performance.now() - started);
        else (samples as { failures: number }).failures += 1;
      } catch {
        (samples as { failures: number }).failures += 1;
      }
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return samples;
    },
  };
}

/** Arrival times of new heads and the numbers they carried. */
export interface HeadSamples {
  /** Milliseconds between consecutive head announcements. */
  readonly intervalsMs: number[];
  readonly heads: number;
  /** Subscription errors or unexpected closes. */
  readonly failures: number;
}

/** Subscribes to `newHeads` over WebSocket and records the time between announcements. */
export function probeHeads(wsUrl: string): Probe<HeadSamples> {
  const samples: HeadSamples = { intervalsMs: [], heads: 0, failures: 0 };
  let last: number | undefined;
  let closing = false;
  const socket = new WebSocket(wsUrl);
  socket.addEventListener("open", () => {
    socket.send(
      JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_subscribe", params: ["newHeads"] }),
    );
  });
  socket.addEventListener("message", (event) => {
    const message = JSON.parse(String(event.data)) as { method?: string; error?: unknown };
    if (message.error !== undefined) (samples as { failures: number }).failures += 1;
    if (message.method !== "eth_subscription") return;
    const now = performance.now();
    if (last !== undefined) samples.intervalsMs.push(now - last);
    last = now;
    (samples as { heads: number }).heads += 1;
  });
  socket.addEventListener("close", () => {
    if (!closing) (samples as { failures: number }).failures += 1;
  });
  return {
    async stop() {
      closing = true;
      socket.close();
      return samples;
    },
  };
}

/** The resident set size of process `pid`, in bytes (Linux `/proc`). */
export function residentBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(status);
  if (match === null) throw new Error(`no VmRSS for process ${pid}`);
  return Number(match[1]) * 1024;
}

/** Samples `residentBytes(pid)` every `intervalMs`, with the time since the probe started. */
export function probeMemory(
  pid: number,
  intervalMs: number,
): Probe<{ readonly atMs: number; readonly bytes: number }[]> {
  const samples: { atMs: number; bytes: number }[] = [];
  const started = performance.now();
  const sample = () =>
    samples.push({ atMs: performance.now() - started, bytes: residentBytes(pid) });
  sample();
  const timer = setInterval(sample, intervalMs);
  return {
    async stop() {
      clearInterval(timer);
      sample();
      return samples;
    },
  };
}

/** One scrape of the node's own figures from `/metrics`. */
export interface NodeMetricsSample {
  readonly atMs: number;
  /** p99 event-loop delay of the node's main thread since the previous scrape. */
  readonly eventLoopP99Ms: number;
  /** V8 heap in use on the main thread. */
  readonly heapUsedBytes: number;
  /** Memory held outside the V8 heap by the main thread's objects (buffers, native). */
  readonly externalBytes: number;
}

/** Reads metric `name` (without labels) from Prometheus text. */
function metricValue(text: string, name: string): number {
  const match = new RegExp(`^${name} (\\S+)$`, "m").exec(text);
  if (match === null) throw new Error(`no metric ${name} at /metrics`);
  return Number(match[1]);
}

/**
 * Scrapes `GET /metrics` every `intervalMs`: the node's event-loop delay (prom-client resets
 * its histogram at each scrape, so each sample covers the interval before it) and heap use.
 * A failed scrape counts as a failure.
 */
export function probeNodeMetrics(
  baseUrl: string,
  prefix: string,
  intervalMs: number,
): Probe<{ samples: NodeMetricsSample[]; failures: number }> {
  const samples: NodeMetricsSample[] = [];
  let failures = 0;
  const started = performance.now();
  const scrape = async () => {
    try {
      const response = await fetch(`${baseUrl}/metrics`, { signal: AbortSignal.timeout(5_000) });
      const text = await response.text();
      samples.push({
        atMs: performance.now() - started,
        eventLoopP99Ms: metricValue(text, `${prefix}nodejs_eventloop_lag_p99_seconds`) * 1000,
        heapUsedBytes: metricValue(text, `${prefix}nodejs_heap_size_used_bytes`),
        externalBytes: metricValue(text, `${prefix}nodejs_external_memory_bytes`),
      });
    } catch {
      failures += 1;
    }
  };
  const timer = setInterval(() => void scrape(), intervalMs);
  return {
    async stop() {
      clearInterval(timer);
      return { samples, failures };
    },
  };
}
