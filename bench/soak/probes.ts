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

/** Resident memory of a process, in bytes (Linux `/proc/<pid>/status`). */
export interface ResidentMemory {
  /** VmRSS: all resident pages. */
  readonly bytes: number;
  /** RssAnon: anonymous pages (heaps, native allocations) — the process's own memory. */
  readonly anonBytes: number;
  /**
   * RssFile: resident pages of mapped files (LevelDB maps its table files), which the
   * kernel may drop at any time and which grow with the files read, not with a leak.
   */
  readonly fileBytes: number;
}

/** The resident memory of process `pid` (Linux `/proc`). */
export function residentMemory(pid: number): ResidentMemory {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const field = (name: string) => {
    const match = new RegExp(`^${name}:\\s+(\\d+) kB$`, "m").exec(status);
    if (match === null) throw new Error(`no ${name} for process ${pid}`);
    return Number(match[1]) * 1024;
  };
  return { bytes: field("VmRSS"), anonBytes: field("RssAnon"), fileBytes: field("RssFile") };
}

/** Samples `residentMemory(pid)` every `intervalMs`, with the time since the probe started. */
export function probeMemory(
  pid: number,
  intervalMs: number,
): Probe<({ readonly atMs: number } & ResidentMemory)[]> {
  const samples: ({ atMs: number } & ResidentMemory)[] = [];
  const started = performance.now();
  const sample = () => samples.push({ atMs: performance.now() - started, ...residentMemory(pid) });
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
  /** V8 heap committed on the main thread (in use, free, and the young generation's space). */
  readonly heapTotalBytes: number;
  /** Of which the young generation's spaces (they grow with the allocation rate). */
  readonly newSpaceBytes: number;
  /** Memory held outside the V8 heap by the main thread's objects (buffers, native). */
  readonly externalBytes: number;
  /** V8 heap held by the worker threads running calls, estimates, access lists, traces. */
  readonly workerHeapBytes: number;
  /** Bytes held by the bounded cache of committed trie nodes (main thread). */
  readonly trieCacheBytes: number;
  /** Bytes held by the bounded flat-state read cache (main thread). */
  readonly flatCacheBytes: number;
}

/** Reads metric `name` (with `labels` exactly as exposed, or none) from Prometheus text. */
function metricValue(text: string, name: string, labels = ""): number {
  const match = new RegExp(`^${name}${labels.replace(/[{}]/g, "\\$&")} (\\S+)$`, "m").exec(text);
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
        heapTotalBytes: metricValue(text, `${prefix}nodejs_heap_size_total_bytes`),
        newSpaceBytes: metricValue(
          text,
          `${prefix}nodejs_heap_space_size_total_bytes`,
          '{space="new"}',
        ),
        externalBytes: metricValue(text, `${prefix}nodejs_external_memory_bytes`),
        workerHeapBytes: metricValue(text, `${prefix}rpc_worker_heap_bytes`),
        trieCacheBytes: metricValue(text, `${prefix}state_cache_bytes`, '{cache="trie"}'),
        flatCacheBytes: metricValue(text, `${prefix}state_cache_bytes`, '{cache="flat"}'),
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
