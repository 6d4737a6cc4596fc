import type { SimFaultPlan } from "./SimFaultPlan.ts";
import type { SimRandom } from "./SimRandom.ts";
import type { SimRange, SimTimings } from "./SimTimings.ts";

/**
 * The seeded virtual network between the simulated validators. Each point-to-point message
 * gets its own latency (so messages overtake each other), may be duplicated (the copy has
 * its own latency) and, while faults last, dropped or slowed; a message is lost when a
 * partition or a cut link separates its ends when it is sent or when it would arrive.
 *
 * @example
 * ```ts
 * const network = new SimNetwork(plan, defaultSimTimings, random.fork());
 * for (const delay of network.route(0, 1, now)) queue.push(now + delay, delivery);
 * ```
 */
export class SimNetwork {
  private readonly plan: SimFaultPlan;
  private readonly timings: SimTimings;
  private readonly random: SimRandom;

  constructor(plan: SimFaultPlan, timings: SimTimings, random: SimRandom) {
    this.plan = plan;
    this.timings = timings;
    this.random = random;
  }

  /** Whether a message from `from` can reach `to` at virtual time `at`. */
  linked(from: number, to: number, at: number): boolean {
    if (at >= this.plan.healAt) return true;
    for (const partition of this.plan.partitions) {
      if (at < partition.start || at >= partition.end) continue;
      if (partition.side.includes(from) !== partition.side.includes(to)) return false;
    }
    for (const cut of this.plan.cuts) {
      if (cut.from === from && cut.to === to && at >= cut.start && at < cut.end) return false;
    }
    return true;
  }

  /** The delays (ms) of the copies of a message sent at `now`; empty when it is lost. */
  route(from: number, to: number, now: number): number[] {
    if (!this.linked(from, to, now)) return [];
    const faulty = now < this.plan.healAt;
    if (faulty && this.random.chance(this.plan.dropRate)) return [];
    const delays = [this.delay(faulty)];
    if (this.random.chance(this.plan.duplicateRate)) delays.push(this.delay(faulty));
    return delays;
  }

  /** A draw from `range`, inclusive. */
  draw(range: SimRange): number {
    return this.random.int(range[0], range[1]);
  }

  private delay(faulty: boolean): number {
    const latency = this.draw(this.timings.latencyMs);
    return faulty && this.random.chance(this.plan.slowRate)
      ? latency + this.draw(this.timings.slowMs)
      : latency;
  }
}
