import type { QbftDropReason } from "../../../../nodes/consensus/core/index.ts";
import type {
  ConsensusMessageHandler,
  ConsensusNetwork,
} from "../../../../nodes/consensus/driver/index.ts";
import type { ManualClock } from "./ManualClock.ts";
import type { Trace } from "./Trace.ts";

/** A penalty a node reported. */
export interface Penalty {
  readonly by: string;
  readonly peer: string;
  readonly reason: QbftDropReason;
}

function hex(bytes: Uint8Array): string {
  return `0x${Buffer.from(bytes).toString("hex")}`;
}

/**
 * Validators' consensus links in one process: a send is delivered to each recipient's
 * current handler after `latencyMs` of virtual time, unless one end is isolated (at send or
 * at delivery). Every send is written to the trace. Nodes are named by lower-case hex
 * address, which is also the `from` their peers see.
 *
 * @example
 * ```ts
 * const network = new MemoryNetwork(clock, 10, trace);
 * const port = network.endpoint(address, () => alive);
 * ```
 */
export class MemoryNetwork {
  readonly #clock: ManualClock;
  readonly #latencyMs: number;
  readonly #trace: Trace;
  readonly #handlers = new Map<string, ConsensusMessageHandler>();
  readonly #isolated = new Set<string>();
  readonly penalties: Penalty[] = [];

  constructor(clock: ManualClock, latencyMs: number, trace: Trace) {
    this.#clock = clock;
    this.#latencyMs = latencyMs;
    this.#trace = trace;
  }

  /** Cuts `address` off: nothing reaches it or leaves it until {@link heal}. */
  isolate(address: string): void {
    this.#isolated.add(address);
  }

  heal(address: string): void {
    this.#isolated.delete(address);
  }

  /** Drops the handler of `address` (its process died). */
  detach(address: string): void {
    this.#handlers.delete(address);
  }

  /** Delivers `bytes` to `to` as if `from` had sent them (a Byzantine or foreign peer). */
  inject(to: string, bytes: Uint8Array, from: string): void {
    this.#deliver(to, bytes, from);
  }

  /** Hands `bytes` to the handler of `to` at once, in the caller's stack (a burst). */
  deliverNow(to: string, bytes: Uint8Array, from: string): void {
    this.#handlers.get(to)?.(bytes, from);
  }

  #deliver(to: string, bytes: Uint8Array, from: string): void {
    if (this.#isolated.has(from) || this.#isolated.has(to)) return;
    this.#clock.schedule("network", this.#latencyMs, () => {
      if (this.#isolated.has(from) || this.#isolated.has(to)) return;
      this.#handlers.get(to)?.(bytes, from);
    });
  }

  /** The network port of the node `address`; it does nothing once `alive()` is false. */
  endpoint(address: string, alive: () => boolean): ConsensusNetwork {
    return {
      send: (to, bytes) => {
        if (!alive()) return;
        this.#trace.sent(address, bytes);
        for (const recipient of to) this.#deliver(hex(recipient), bytes, address);
      },
      onMessage: (handler) => {
        if (alive()) this.#handlers.set(address, handler);
        return () => {
          if (this.#handlers.get(address) === handler) this.#handlers.delete(address);
        };
      },
      penalise: (peer, reason) => {
        if (alive()) this.penalties.push({ by: address, peer, reason });
      },
    };
  }
}
