import { CustosError, isCustosError } from "../../../src/errors/index.ts";
import {
  createQbftState,
  type QbftEffect,
  type QbftEvent,
  type QbftState,
  qbftStatus,
  qbftStep,
} from "../core/index.ts";
import type { ConsensusChainHead } from "./ConsensusChain.ts";
import { CurrentHeight } from "./CurrentHeight.ts";
import { DriverCounters } from "./DriverCounters.ts";
import { EffectRunner } from "./EffectRunner.ts";
import { InFlightWork } from "./InFlightWork.ts";
import type { QbftDriver } from "./QbftDriver.ts";
import type { ResolvedQbftDriver } from "./QbftDriverOptions.ts";
import type { QbftDriverStatus } from "./QbftDriverStatus.ts";
import { SenderMemory } from "./SenderMemory.ts";
import { SyncRunner } from "./SyncRunner.ts";
import { TimerSet } from "./TimerSet.ts";

/** What waits in the queue. */
type Entry =
  /** A timer or a completion, as the core takes it. */
  | { readonly kind: "event"; readonly event: QbftEvent }
  | { readonly kind: "message"; readonly bytes: Uint8Array; readonly from: string }
  /** A head from a commit or a sync, with what the driver keeps of it. */
  | { readonly kind: "head"; readonly chain: ConsensusChainHead }
  /** The effects of creating the core (run like a step's). */
  | { readonly kind: "initial"; readonly effects: readonly QbftEffect[] };

/** The core and its parts, once started. */
interface Running {
  state: QbftState;
  readonly current: CurrentHeight;
  readonly effects: EffectRunner;
}

/**
 * The driver's queue and lifecycle behind {@link QbftDriver}: entries are taken one at a
 * time, each stepped through the core and its effects run (awaiting persists) before the
 * next is taken. Network messages beyond `maxQueuedMessages` are dropped (`queueFull`);
 * timers and completions are never dropped.
 */
export class DriverLoop implements QbftDriver {
  readonly #driver: ResolvedQbftDriver;
  readonly #counters: DriverCounters;
  readonly #timers: TimerSet;
  readonly #work = new InFlightWork();
  readonly #senders: SenderMemory;
  readonly #sync: SyncRunner;
  readonly #queue: Entry[] = [];
  #queuedMessages = 0;
  #running: Running | undefined;
  #pumping: Promise<void> | undefined;
  #starting: Promise<void> | undefined;
  #stopping: Promise<void> | undefined;
  #closed = false;
  #failure: string | undefined;
  #unsubscribe: (() => void) | undefined;

  constructor(driver: ResolvedQbftDriver) {
    this.#driver = driver;
    this.#counters = new DriverCounters(driver.ports.metrics);
    this.#timers = new TimerSet(driver.ports.timers);
    this.#senders = new SenderMemory(driver.sendersRemembered);
    this.#sync = new SyncRunner({
      sync: driver.ports.sync,
      chain: driver.ports.chain,
      work: this.#work,
      timers: this.#timers,
      retryMs: driver.retryMs,
      counters: this.#counters,
      logger: driver.ports.logger,
      deliver: (head) => this.#push({ kind: "head", chain: head }),
      deciding: () => (this.#running === undefined ? 0n : qbftStatus(this.#running.state).height),
    });
  }

  start(): Promise<void> {
    this.#starting ??= this.#start();
    return this.#starting;
  }

  stop(): Promise<void> {
    this.#stopping ??= this.#shutdown();
    return this.#stopping;
  }

  catchUp(height: bigint): void {
    const running = this.#running;
    if (running === undefined || this.#closed) return;
    if (height > running.current.chain.head.height) this.#sync.request(height);
  }

  ready(): boolean {
    return this.#running !== undefined && !this.#closed && !this.#sync.syncing;
  }

  status(): QbftDriverStatus {
    const running = this.#running;
    const core = running === undefined ? undefined : qbftStatus(running.state);
    return {
      running: running !== undefined && !this.#closed,
      syncing: this.#sync.syncing,
      failure: this.#failure,
      height: core?.height ?? 0n,
      round: core?.round ?? 0,
      proposer: core?.proposer,
      validators: running?.current.chain.validators ?? [],
      voting: core?.voting ?? false,
      chainHeight: running?.current.chain.head.height ?? 0n,
      ...this.#counters.snapshot(),
      queued: this.#queue.length,
    };
  }

  async #start(): Promise<void> {
    const { config, ports } = this.#driver;
    this.#assertOpen();
    const record = await ports.store.load();
    const chain = await ports.chain.head();
    this.#assertOpen();
    const { state, effects } = createQbftState(config, {
      head: chain.head,
      validators: chain.validators,
      record,
    });
    const current = new CurrentHeight(this.#driver.blockPeriodSeconds, chain, ports.timers.now());
    this.#running = { state, current, effects: this.#effectRunner(current) };
    this.#unsubscribe = ports.network.onMessage((bytes, from) =>
      this.#push({ kind: "message", bytes, from }),
    );
    this.#push({ kind: "initial", effects });
    const status = qbftStatus(state);
    ports.logger.info(
      { height: status.height, round: status.round, voting: status.voting, record: record?.height },
      "consensus started",
    );
  }

  #assertOpen(): void {
    if (this.#closed) {
      throw new CustosError("NODE_ABORTED", "the consensus driver was stopped", {
        details: { operation: "consensus start" },
      });
    }
  }

  #effectRunner(current: CurrentHeight): EffectRunner {
    return new EffectRunner({
      driver: this.#driver,
      counters: this.#counters,
      timers: this.#timers,
      work: this.#work,
      sync: this.#sync,
      senders: this.#senders,
      current,
      enqueue: (event) => this.#push({ kind: "event", event }),
      enqueueHead: (head) => this.#push({ kind: "head", chain: head }),
      closed: () => this.#closed,
      halt: (error) => this.#halt(error),
      isAt: (height, round) => {
        const status = qbftStatus((this.#running as Running).state);
        return status.height === height && status.round === round && !status.committed;
      },
    });
  }

  #push(entry: Entry): void {
    if (this.#closed) return;
    if (entry.kind === "message") {
      this.#counters.received(entry.bytes);
      if (this.#queuedMessages >= this.#driver.maxQueuedMessages) {
        this.#counters.dropped("queueFull");
        return;
      }
      this.#queuedMessages++;
    }
    this.#queue.push(entry);
    this.#pumping ??= this.#pump();
  }

  async #pump(): Promise<void> {
    // Never step inside the caller's stack (a network callback, a timer, a completion).
    await Promise.resolve();
    try {
      for (let entry = this.#queue.shift(); entry !== undefined; entry = this.#queue.shift()) {
        if (entry.kind === "message") this.#queuedMessages--;
        if (this.#closed) return;
        try {
          await this.#process(entry);
        } catch (error) {
          // A port broke its contract (threw where it must not): the event is lost, not
          // the queue.
          this.#counters.failed("step");
          this.#driver.ports.logger.error(
            { err: error, entry: entry.kind },
            "consensus event failed",
          );
        }
      }
    } finally {
      this.#pumping = undefined;
    }
  }

  async #process(entry: Entry): Promise<void> {
    const running = this.#running as Running;
    if (entry.kind === "initial") {
      await running.effects.run(entry.effects, undefined);
      return;
    }
    const { config, ports } = this.#driver;
    const before = qbftStatus(running.state);
    let from: string | undefined;
    let event: QbftEvent;
    if (entry.kind === "message") {
      from = entry.from;
      if (entry.bytes.length <= config.bounds.maxMessageBytes) {
        this.#senders.remember(config.crypto.keccak256(entry.bytes), entry.from);
      }
      event = { type: "message", bytes: entry.bytes };
    } else if (entry.kind === "head") {
      event = { type: "newChainHead", head: entry.chain.head, validators: entry.chain.validators };
    } else {
      event = entry.event;
    }
    let effects: readonly QbftEffect[];
    try {
      ({ state: running.state, effects } = qbftStep(running.state, event));
    } catch (error) {
      // A driver or adapter bug (a head or built block the core refuses): the state is
      // unchanged and usable, so log it and go on.
      this.#counters.failed("step");
      ports.logger.error({ err: error, event: event.type }, "consensus step refused its input");
      return;
    }
    const after = qbftStatus(running.state);
    if (entry.kind === "head" && after.height !== before.height) {
      running.current.enter(entry.chain, ports.timers.now());
    } else if (after.round > before.round) {
      this.#counters.roundChanged(after.round - before.round);
      ports.logger.debug({ height: after.height, round: after.round }, "round changed");
    }
    await running.effects.run(effects, from);
  }

  #halt(error: unknown): void {
    this.#failure = isCustosError(error) ? error.code : "INTERNAL";
    this.#driver.ports.logger.error({ err: error }, "consensus halted: signing record not saved");
    void this.stop();
  }

  async #shutdown(): Promise<void> {
    this.#closed = true;
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
    this.#queue.length = 0;
    this.#queuedMessages = 0;
    this.#timers.close();
    await this.#work.abortAll();
    await this.#pumping;
    // A start still loading refuses to go on (NODE_ABORTED); wait for it to give up.
    await this.#starting?.catch(() => undefined);
    this.#driver.ports.logger.info({}, "consensus stopped");
  }
}
