/**
 * Entry of a `StateWorkerPool`'s worker thread. It lowers the thread's priority before
 * anything else, then loads the job code (`stateWorkerJobs.ts`): loading EthereumJS
 * takes ~0.7 s of CPU, and a worker replaced after a timeout must not take it from the main
 * thread. Static imports would all load before this module's first line, hence the dynamic
 * import.
 */
import { workerData } from "node:worker_threads";
import { siblingModuleUrl } from "../../src/runtime/index.ts";
import { lowerThreadPriority } from "./lowerThreadPriority.ts";
import type { StateWorkerData } from "./StateJob.ts";

lowerThreadPriority((workerData as StateWorkerData).niceness);
await import(siblingModuleUrl(import.meta.url, "stateWorkerJobs").href);
