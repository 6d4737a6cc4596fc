import {
  type QbftBlock,
  type QbftEffect,
  type QbftEvent,
  type QbftSigningRecord,
  qbftDropIsFault,
} from "../core/index.ts";
import type { ConsensusChainHead } from "./ConsensusChain.ts";
import type { ConsensusTimer } from "./ConsensusTimers.ts";
import type { CurrentHeight } from "./CurrentHeight.ts";
import type { DriverCounters } from "./DriverCounters.ts";
import type { InFlightWork } from "./InFlightWork.ts";
import type { ResolvedQbftDriver } from "./QbftDriverOptions.ts";
import type { SenderMemory } from "./SenderMemory.ts";
import type { SyncRunner } from "./SyncRunner.ts";
import type { TimerSet } from "./TimerSet.ts";

/** What the effects act on: the driver's parts and its queue. */
export interface EffectContext {
  readonly driver: ResolvedQbftDriver;
  readonly counters: DriverCounters;
  readonly timers: TimerSet;
  readonly work: InFlightWork;
  readonly sync: SyncRunner;
  readonly senders: SenderMemory;
  readonly current: CurrentHeight;
  /** Queues an event for the core. */
  enqueue(event: QbftEvent): void;
  /** Queues a chain head for the core (`newChainHead`). */
  enqueueHead(head: ConsensusChainHead): void;
  /** The driver is stopping or stopped: run nothing more. */
  closed(): boolean;
  /** Stops the driver for good after a failure it must not go on from. */
  halt(error: unknown): void;
  /** Whether the core still decides (height, round) and has not committed it. */
  isAt(height: bigint, round: number): boolean;
}

function hex(bytes: Uint8Array): string {
  return `0x${Buffer.from(bytes).toString("hex")}`;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, index) => byte === b[index]);
}

/**
 * Carries out a step's effects in order. `persist` is awaited — the record is durable —
 * before any later effect of the step runs, so nothing is sent that the record does not
 * name; a record that cannot be saved halts the driver. `broadcast` goes to the current
 * height's other validators. `buildBlock`, `validateBlock` and `commit` start work whose
 * completion is queued (`blockBuilt`, `blockValidated`, `newChainHead`), stale or not: the
 * core ignores what it no longer asked for. `setRoundTimer` replaces the live timer. Round 0
 * of a height waits for the block period ({@link blockPeriodWaitMs}): its build starts
 * after the wait (unless the core left the round meanwhile) and its timer is lengthened by
 * it. `behind` starts a sync; `evidence` is
 * logged with both messages and counted; `dropped` is counted and, for a fault, reported
 * against the peer that sent the message.
 *
 * @example
 * ```ts
 * const effects = new EffectRunner(context);
 * await effects.run(result.effects, from);
 * ```
 */
export class EffectRunner {
  readonly #context: EffectContext;
  #roundTimer: ConsensusTimer | undefined;

  constructor(context: EffectContext) {
    this.#context = context;
  }

  /** Runs `effects` in order; `from` is the peer whose message the step processed, if any. */
  async run(effects: readonly QbftEffect[], from: string | undefined): Promise<void> {
    for (const effect of effects) {
      if (this.#context.closed()) return;
      if (effect.type === "persist") {
        if (!(await this.#persist(effect.record))) return;
      } else {
        this.#apply(effect, from);
      }
    }
  }

  #apply(effect: Exclude<QbftEffect, { type: "persist" }>, from: string | undefined): void {
    switch (effect.type) {
      case "broadcast":
        this.#broadcast(effect);
        return;
      case "buildBlock":
        this.#build(effect);
        return;
      case "validateBlock":
        this.#validate(effect.block);
        return;
      case "commit":
        this.#commit(effect.block, effect.seals);
        return;
      case "setRoundTimer":
        this.#setRoundTimer(effect);
        return;
      case "behind":
        this.#context.driver.ports.logger.info({ height: effect.height }, "behind: syncing");
        this.#context.sync.request(effect.height - 1n);
        return;
      case "evidence":
        this.#evidence(effect);
        return;
      case "dropped":
        this.#dropped(effect, from);
        return;
    }
  }

  async #persist(record: QbftSigningRecord): Promise<boolean> {
    try {
      await this.#context.driver.ports.store.save(record);
      return true;
    } catch (error) {
      this.#context.halt(error);
      return false;
    }
  }

  #broadcast(effect: Extract<QbftEffect, { type: "broadcast" }>): void {
    const own = this.#context.driver.config.signer?.address;
    const to = this.#context.current.chain.validators.filter(
      (validator) => own === undefined || !sameBytes(validator, own),
    );
    this.#context.driver.ports.network.send(to, effect.bytes);
    this.#context.counters.sent(effect.message.type, to.length);
  }

  #build(effect: Extract<QbftEffect, { type: "buildBlock" }>): void {
    const { height, round, parentHash } = effect;
    const { driver, work, counters, timers, current } = this.#context;
    const { chain, logger } = driver.ports;
    const start = () => {
      // The wait may outlast the round (a round skip): a block nobody asked for any more
      // would only cost execution time.
      if (!this.#context.isAt(height, round)) return;
      work.run(
        (signal) => chain.buildBlock(height, round, parentHash, signal),
        (block) => this.#context.enqueue({ type: "blockBuilt", height, round, block }),
        (error) => {
          counters.failed("build");
          logger.warn({ err: error, height, round }, "block build failed");
        },
      );
    };
    const wait = round === 0 ? current.roundZeroWaitMs(height, driver.ports.timers.now()) : 0;
    if (wait > 0) timers.after(wait, start);
    else start();
  }

  #validate(block: QbftBlock): void {
    const { driver, work, counters } = this.#context;
    const { chain, logger } = driver.ports;
    const { height, digest } = block;
    work.run(
      (signal) => chain.validateBlock(block, signal),
      (valid) => this.#context.enqueue({ type: "blockValidated", height, digest, valid }),
      (error) => {
        counters.failed("validate");
        logger.warn({ err: error, height, round: block.round }, "block validation failed");
      },
    );
  }

  #commit(block: QbftBlock, seals: readonly Uint8Array[]): void {
    const { driver, work, counters, timers, current } = this.#context;
    const { chain, logger } = driver.ports;
    work.run(
      () => chain.commitBlock(block, seals),
      (head) => {
        const now = driver.ports.timers.now();
        const latencyMs =
          block.height === current.height ? Math.max(0, now - current.dueAt) : undefined;
        counters.committed(now, latencyMs);
        logger.info(
          { height: block.height, round: block.round, hash: hex(block.hash), latencyMs },
          "block committed",
        );
        this.#context.enqueueHead(head);
      },
      (error) => {
        // The core waits for this block's import and ignores its timers meanwhile: keep
        // trying (the adapter returns the head when sync imported the block first).
        counters.failed("commit");
        logger.error({ err: error, height: block.height }, "block commit failed");
        timers.after(driver.retryMs, () => this.#commit(block, seals));
      },
    );
  }

  #setRoundTimer(effect: Extract<QbftEffect, { type: "setRoundTimer" }>): void {
    const { height, round, delayMs } = effect;
    const { driver, timers, current } = this.#context;
    const wait = round === 0 ? current.roundZeroWaitMs(height, driver.ports.timers.now()) : 0;
    this.#roundTimer?.cancel();
    this.#roundTimer = timers.after(delayMs + wait, () =>
      this.#context.enqueue({ type: "roundTimeout", height, round }),
    );
  }

  #evidence(effect: Extract<QbftEffect, { type: "evidence" }>): void {
    this.#context.counters.evidenceFound(effect.messageType);
    this.#context.driver.ports.logger.warn(
      {
        validator: hex(effect.validator),
        height: effect.height,
        round: effect.round,
        messageType: effect.messageType,
        first: hex(effect.first),
        second: hex(effect.second),
      },
      "equivocation evidence",
    );
  }

  #dropped(effect: Extract<QbftEffect, { type: "dropped" }>, from: string | undefined): void {
    const { counters, senders, driver } = this.#context;
    counters.dropped(effect.reason);
    if (!qbftDropIsFault[effect.reason]) return;
    // An oversized message is not hashed: it is the one being processed. Other drops without
    // a hash are of this node's own messages.
    const peer =
      effect.hash !== undefined
        ? senders.senderOf(effect.hash)
        : effect.reason === "oversized"
          ? from
          : undefined;
    if (peer === undefined) return;
    driver.ports.network.penalise(peer, effect.reason);
    driver.ports.logger.debug({ peer, reason: effect.reason }, "consensus message fault");
  }
}
