import type { QbftEvent } from "../core/index.ts";
import type { SimBlockRegistry } from "./SimBlockRegistry.ts";
import type { SimCheckers } from "./SimCheckers.ts";
import type { SimCore } from "./SimCore.ts";
import type { SimCrash, SimFaultPlan } from "./SimFaultPlan.ts";
import type { SimNetwork } from "./SimNetwork.ts";
import type { SimNode } from "./SimNode.ts";
import { SimQueue } from "./SimQueue.ts";
import type { SimRandom } from "./SimRandom.ts";
import type { SimTimings } from "./SimTimings.ts";
import { SimTrace } from "./SimTrace.ts";

/** Something due at a virtual time. */
export type SimItem =
  /** A network message arriving. */
  | {
      readonly kind: "message";
      readonly id: number;
      readonly from: number;
      readonly to: number;
      readonly bytes: Uint8Array;
    }
  /** A local completion (block built or validated, chain head) for one life of a node. */
  | {
      readonly kind: "local";
      readonly node: number;
      readonly incarnation: number;
      readonly event: QbftEvent;
    }
  /** A round timer; it fires only if it is still the node's live one. */
  | {
      readonly kind: "timer";
      readonly node: number;
      readonly incarnation: number;
      readonly id: number;
      readonly height: bigint;
      readonly round: number;
    }
  /** A peer's chain-head announcement arriving (what block sync keys on). */
  | {
      readonly kind: "announce";
      readonly from: number;
      readonly to: number;
      readonly height: number;
    }
  | { readonly kind: "crash"; readonly crash: SimCrash }
  | { readonly kind: "restart"; readonly node: number }
  | { readonly kind: "sync"; readonly node: number; readonly incarnation: number }
  /** A node's status heartbeat (its head to every peer), for one life of the node. */
  | { readonly kind: "status"; readonly node: number; readonly incarnation: number }
  | { readonly kind: "attack"; readonly node: number }
  | { readonly kind: "heal" };

/** Counters of a run. */
export interface SimStats {
  /** Point-to-point consensus messages sent (each copy to each peer, lost or not). */
  messages: number;
  /** Chain-head announcements sent (status heartbeats and answers to laggers; not consensus messages). */
  announcements: number;
  /** Items taken off the queue. */
  events: number;
  /** Evidence effects of non-Byzantine nodes. */
  evidence: number;
  crashes: number;
  /** `dropped` effects by reason. */
  readonly drops: Map<string, number>;
}

/** The parts of a {@link SimWorld}. */
export interface SimWorldParts {
  readonly nodes: readonly SimNode[];
  readonly validators: readonly Uint8Array[];
  readonly network: SimNetwork;
  readonly checkers: SimCheckers;
  readonly registry: SimBlockRegistry;
  readonly core: SimCore;
  readonly timings: SimTimings;
  readonly plan: SimFaultPlan;
  /** Draws local delays (build, validate, sync). */
  readonly random: SimRandom;
  readonly log: ((line: string) => void) | undefined;
}

/**
 * The shared state of one run: the virtual clock, the event queue, the nodes, the network,
 * the checkers, the trace and the counters. The driver (simDriver) and the event loop
 * (runQbftSimulation) act on it.
 *
 * @example
 * ```ts
 * world.schedule(25, { kind: "sync", node: 2, incarnation: 1 });
 * world.send(0, 3, bytes);
 * ```
 */
export class SimWorld {
  now = 0;
  readonly queue = new SimQueue<SimItem>();
  readonly trace = new SimTrace();
  readonly stats: SimStats = {
    messages: 0,
    announcements: 0,
    events: 0,
    evidence: 0,
    crashes: 0,
    drops: new Map(),
  };
  readonly nodes: readonly SimNode[];
  readonly validators: readonly Uint8Array[];
  readonly network: SimNetwork;
  readonly checkers: SimCheckers;
  readonly registry: SimBlockRegistry;
  readonly core: SimCore;
  readonly timings: SimTimings;
  readonly plan: SimFaultPlan;
  readonly random: SimRandom;
  readonly log: ((line: string) => void) | undefined;
  private ids = 0;

  constructor(parts: SimWorldParts) {
    this.nodes = parts.nodes;
    this.validators = parts.validators;
    this.network = parts.network;
    this.checkers = parts.checkers;
    this.registry = parts.registry;
    this.core = parts.core;
    this.timings = parts.timings;
    this.plan = parts.plan;
    this.random = parts.random;
    this.log = parts.log;
  }

  /** Schedules `item` `delay` ms from now. */
  schedule(delay: number, item: SimItem): void {
    this.queue.push(this.now + delay, item);
  }

  /** A fresh id (timers and messages). */
  nextId(): number {
    return ++this.ids;
  }

  /** Sends `bytes` from one node to another over the virtual network. */
  send(from: number, to: number, bytes: Uint8Array): void {
    this.stats.messages++;
    for (const delay of this.network.route(from, to, this.now)) {
      this.schedule(delay, { kind: "message", id: this.nextId(), from, to, bytes });
    }
  }

  /** Tells a peer the height of this node's chain head, over the virtual network. */
  announce(from: number, to: number, height: number): void {
    this.stats.announcements++;
    for (const delay of this.network.route(from, to, this.now)) {
      this.schedule(delay, { kind: "announce", from, to, height });
    }
  }

  /** A line for `--verbose`, stamped with the virtual time. */
  note(line: () => string): void {
    if (this.log !== undefined) this.log(`${(this.now / 1000).toFixed(3).padStart(9)}s ${line()}`);
  }
}
