/**
 * The soak test's liveness and new-head probes on a thread of their own: the harness's main
 * thread signs and sends the valid clients' transactions, and a probe sharing that event loop
 * would count the harness's own delays as the node's. Started by {@link startProbeThread}.
 */
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";
import { type HeadSamples, type LivenessSamples, probeHeads, probeLiveness } from "./probes.ts";

/** What the probe thread measured. */
export interface ProbeThreadSamples {
  readonly liveness: LivenessSamples;
  readonly heads: HeadSamples;
}

interface ProbeThreadData {
  readonly rpcUrl: string;
  readonly wsUrl: string;
  readonly livenessIntervalMs: number;
  readonly livenessTimeoutMs: number;
}

/**
 * Starts the probes on their own thread: `/liveness` every `livenessIntervalMs` (one request
 * at a time, `livenessTimeoutMs` each) and a `newHeads` subscription. `stop` ends them and
 * returns their samples.
 */
export function startProbeThread(data: ProbeThreadData): { stop(): Promise<ProbeThreadSamples> } {
  const worker = new Worker(new URL(import.meta.url), { workerData: data });
  const samples = new Promise<ProbeThreadSamples>((resolve, reject) => {
    worker.once("message", resolve);
    worker.once("error", reject);
  });
  return {
    async stop() {
      worker.postMessage("stop");
      const result = await samples;
      await worker.terminate();
      return result;
    },
  };
}

if (!isMainThread) {
  const data = workerData as ProbeThreadData;
  const liveness = probeLiveness(data.rpcUrl, data.livenessIntervalMs, data.livenessTimeoutMs);
  const heads = probeHeads(data.wsUrl);
  parentPort?.once("message", async () => {
    const [livenessSamples, headSamples] = await Promise.all([liveness.stop(), heads.stop()]);
    const result: ProbeThreadSamples = { liveness: livenessSamples, heads: headSamples };
    parentPort?.postMessage(result);
  });
}
