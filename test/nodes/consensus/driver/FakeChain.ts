import {
  type QbftBlock,
  type QbftCrypto,
  qbftQuorum,
} from "../../../../nodes/consensus/core/index.ts";
import type {
  ConsensusChain,
  ConsensusChainHead,
  ConsensusSync,
} from "../../../../nodes/consensus/driver/index.ts";
import { type FakeQbftBlock, fakeQbftBlock, fakeQbftBlockCodec } from "./fakeQbftBlock.ts";
import { fakeHash } from "./fakeQbftCrypto.ts";
import type { ManualClock } from "./ManualClock.ts";

/** How the fake chain behaves. */
export interface FakeChainSettings {
  readonly clock: ManualClock;
  readonly crypto: QbftCrypto;
  /** Every height's validators, ascending. */
  readonly validators: readonly Uint8Array[];
  readonly periodSeconds: number;
  /** Virtual time a build, a validation, a commit and a sync take. */
  readonly buildMs: number;
  readonly validateMs: number;
  readonly commitMs: number;
  readonly syncMs: number;
}

/** One build request, when it started. */
export interface BuildCall {
  readonly height: bigint;
  readonly round: number;
  readonly at: number;
}

function same(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a).equals(b);
}

function uint64(value: bigint): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, value);
  return out;
}

/** The genesis of every fake chain: height 0, stamped `timestamp`. */
export function fakeGenesis(timestamp: bigint): FakeQbftBlock {
  return fakeQbftBlock({
    height: 0n,
    round: 0,
    proposer: new Uint8Array(20),
    parentHash: new Uint8Array(32),
    timestamp,
    stateRoot: new Uint8Array(32),
  });
}

/**
 * One node's chain storage: blocks by height with their seals, surviving the node's
 * restarts. {@link port} gives a driver instance its chain port, whose work takes virtual
 * time on the instance's timers (so a crashed instance's work never completes);
 * {@link syncPort} copies sealed blocks from peers. "Execution" is a hash: a block is valid
 * when its state root is `H(parent hash, height, timestamp, proposer)`.
 *
 * @example
 * ```ts
 * const chain = new FakeChain(settings, genesis);
 * const port = chain.port("node-0#1", address);
 * ```
 */
export class FakeChain {
  readonly #settings: FakeChainSettings;
  readonly blocks: FakeQbftBlock[];
  readonly seals = new Map<bigint, readonly Uint8Array[]>();
  readonly builds: BuildCall[] = [];
  /** Builds that completed, when. */
  readonly built: BuildCall[] = [];
  /** Virtual time a build or a validation of `height` takes. */
  workMs: (height: bigint, kind: "build" | "validate") => number;
  readonly syncTargets: bigint[] = [];
  /** Builds made from now on carry a wrong state root. */
  buildsBadBlocks = false;
  /** Builds take this much longer than the settings say. */
  extraBuildMs = 0;
  /** How this node's syncs end: with peers' blocks, with nothing, or rejected. */
  syncOutcome: "serve" | "nothing" | "fail" = "serve";
  /** Blocks imported through sync. */
  synced = 0;
  /** Operations started and not settled. */
  inFlight = 0;
  /** Commits started and not settled. */
  committing = 0;
  /** This many commits fail before the next one imports. */
  failingCommits = 0;

  constructor(settings: FakeChainSettings, genesis: FakeQbftBlock) {
    this.#settings = settings;
    this.blocks = [genesis];
    this.workMs = (_height, kind) => (kind === "build" ? settings.buildMs : settings.validateMs);
  }

  /** A chain with the same settings holding only this one's genesis. */
  emptyCopy(): FakeChain {
    return new FakeChain(this.#settings, this.blocks[0] as FakeQbftBlock);
  }

  get headBlock(): FakeQbftBlock {
    return this.blocks[this.blocks.length - 1] as FakeQbftBlock;
  }

  head(): ConsensusChainHead {
    const block = this.headBlock;
    return {
      head: { height: block.height, hash: block.hash, proposer: block.proposer },
      timestamp: block.timestamp,
      validators: this.#settings.validators,
    };
  }

  static stateRoot(
    parentHash: Uint8Array,
    height: bigint,
    timestamp: bigint,
    proposer: Uint8Array,
  ): Uint8Array {
    return fakeHash(Buffer.concat([parentHash, uint64(height), uint64(timestamp), proposer]));
  }

  #isValid(block: QbftBlock): boolean {
    const fake = fakeQbftBlockCodec.decode(block.encoded);
    const parent = this.headBlock;
    return (
      fake !== undefined &&
      fake.height === parent.height + 1n &&
      same(fake.parentHash, parent.hash) &&
      fake.timestamp > parent.timestamp &&
      same(
        fake.stateRoot,
        FakeChain.stateRoot(fake.parentHash, fake.height, fake.timestamp, fake.proposer),
      )
    );
  }

  #sealsValid(block: QbftBlock, seals: readonly Uint8Array[]): boolean {
    const signers = new Set<string>();
    for (const seal of seals) {
      const signer = this.#settings.crypto.recoverAddress(block.digest, seal);
      if (signer === undefined) return false;
      if (!this.#settings.validators.some((validator) => same(validator, signer))) return false;
      signers.add(Buffer.from(signer).toString("hex"));
    }
    return signers.size >= qbftQuorum(this.#settings.validators.length);
  }

  /** Appends a sealed block on the head; false when it does not fit or its seals fail. */
  import(block: QbftBlock, seals: readonly Uint8Array[]): boolean {
    const fake = fakeQbftBlockCodec.decode(block.encoded);
    if (fake === undefined || !this.#isValid(fake) || !this.#sealsValid(fake, seals)) return false;
    this.blocks.push(fake);
    this.seals.set(fake.height, seals);
    return true;
  }

  async #timed<T>(
    owner: string,
    ms: number,
    signal: AbortSignal | undefined,
    work: () => T,
  ): Promise<T> {
    this.inFlight++;
    try {
      await this.#settings.clock.sleep(owner, ms, signal);
      return work();
    } finally {
      this.inFlight--;
    }
  }

  /** The chain port of the driver instance `owner`, whose validator is `proposer`. */
  port(owner: string, proposer: Uint8Array): ConsensusChain {
    const { clock, periodSeconds } = this.#settings;
    return {
      head: async () => this.head(),
      buildBlock: (height, round, parentHash, signal) => {
        this.builds.push({ height, round, at: clock.now() });
        const ms = this.workMs(height, "build") + this.extraBuildMs;
        return this.#timed(owner, ms, signal, () => {
          // Like a real adapter, build on the parent asked for, even if the head moved on.
          const parent = this.blocks.find((block) => same(block.hash, parentHash));
          if (parent === undefined || parent.height + 1n !== height) {
            throw new Error("build on an unknown parent");
          }
          this.built.push({ height, round, at: clock.now() });
          const now = BigInt(Math.floor(clock.now() / 1000));
          const due = parent.timestamp + BigInt(periodSeconds);
          const timestamp = now > due ? now : due;
          const good = FakeChain.stateRoot(parentHash, height, timestamp, proposer);
          const stateRoot = this.buildsBadBlocks ? fakeHash(good) : good;
          return fakeQbftBlock({ height, round, proposer, parentHash, timestamp, stateRoot });
        });
      },
      validateBlock: (block, signal) =>
        this.#timed(owner, this.workMs(block.height, "validate"), signal, () =>
          this.#isValid(block),
        ),
      commitBlock: async (block, seals) => {
        this.committing++;
        try {
          return await this.#timed(owner, this.#settings.commitMs, undefined, () => {
            if (this.failingCommits > 0) {
              this.failingCommits--;
              throw new Error("disk full (test)");
            }
            if (block.height <= this.headBlock.height) return this.head();
            if (!this.import(block, seals)) throw new Error("commit refused");
            return this.head();
          });
        } finally {
          this.committing--;
        }
      },
    };
  }

  /** The sync port of the driver instance `owner`: copies sealed blocks from `peers`. */
  syncPort(owner: string, peers: () => readonly FakeChain[]): ConsensusSync {
    return {
      syncTo: (height, signal) => {
        this.syncTargets.push(height);
        return this.#timed(owner, this.#settings.syncMs, signal, () => {
          if (this.syncOutcome === "fail") throw new Error("no peer answered (test)");
          while (this.syncOutcome === "serve" && this.headBlock.height < height) {
            const next = this.headBlock.height + 1n;
            const source = peers().find((peer) => peer.blocks[Number(next)] !== undefined);
            const block = source?.blocks[Number(next)];
            const seals = source?.seals.get(next);
            if (block === undefined || seals === undefined || !this.import(block, seals)) return;
            this.synced++;
          }
        });
      },
    };
  }
}
