import type { MessagePort } from "node:worker_threads";
import type { WorkerHeap, WorkerJobFailure } from "./answerWorkerJobs.ts";
import type { GasEstimateOutcome } from "./CallExecutor.ts";
import type { AccessListOutcome } from "./createAccessList.ts";
import type { CallRequest, CallResult } from "./ExecutionEngine.ts";
import type { TracedFrame } from "./traceTransaction.ts";

/** A request for an access list: a call request plus the nonce a transaction would carry. */
export type AccessListRequest = CallRequest & { readonly nonce?: bigint };

/** A job for a state worker, as the worker receives it. */
export type StateJob =
  | {
      readonly id: number;
      readonly kind: "call" | "estimate";
      readonly request: CallRequest;
      /** RLP of the block header the call runs in (its state root names the state). */
      readonly header: Uint8Array;
      /** A call's gas limit, or an estimate's highest gas. */
      readonly gas: bigint;
    }
  | {
      readonly id: number;
      readonly kind: "accessList";
      readonly request: AccessListRequest;
      /** RLP of the header whose state the run reads. */
      readonly state: Uint8Array;
      /** RLP of the header of the block the transaction runs in. */
      readonly context: Uint8Array;
      readonly gas: bigint;
    }
  | {
      readonly id: number;
      readonly kind: "trace";
      /** RLP of the whole block. */
      readonly block: Uint8Array;
      readonly parentStateRoot: Uint8Array;
      readonly index: number;
      readonly onlyTopCall: boolean;
    };

/** A job as the caller hands it to the pool, which numbers it. */
export type StateJobRequest = WithoutId<StateJob>;

/** `Omit<J, "id">` for each member of a union (Omit alone would merge the members). */
type WithoutId<J> = J extends unknown ? Omit<J, "id"> : never;

/** A state worker's successful answer to a job. */
export type StateJobResult =
  | { readonly id: number; readonly ok: true; readonly result: CallResult }
  | { readonly id: number; readonly ok: true; readonly outcome: GasEstimateOutcome }
  | { readonly id: number; readonly ok: true; readonly accessList: AccessListOutcome }
  | { readonly id: number; readonly ok: true; readonly trace: TracedFrame };

/** A state worker's answer to a job, as posted (with the worker's heap). */
export type StateJobAnswer = (StateJobResult | WorkerJobFailure) & WorkerHeap;

/** What a state worker starts with. */
export interface StateWorkerData {
  readonly chainId: bigint;
  /** The worker's end of the state-read channel. */
  readonly port: MessagePort;
  readonly flag: Int32Array;
  /** Stored state records the worker keeps in memory. */
  readonly nodeCacheEntries: number;
  /** Nice value the worker thread runs at (Linux), so the main thread goes first. */
  readonly niceness: number;
}
