import type { Block } from "@ethereumjs/block";
import { bytesToHex, type PrefixedHexString } from "@ethereumjs/util";
import { CustosError } from "../../src/errors/index.ts";
import { createQbftSigner, qbftCommitSealHash, sealExecutedBlock } from "../chain/index.ts";
import { type QbftSigner, qbftQuorum } from "../consensus/core/index.ts";
import type { ChainDb } from "../db/index.ts";
import type { ExecutedBlock, ExecutionEngine } from "../execution/index.ts";
import type { Logger } from "../log/index.ts";
import type { TxPool } from "../txpool/index.ts";
import type { Clock } from "./Clock.ts";
import {
  type BlockBuilderOptions,
  createBlockBuilder,
  defaultBlockBuilderOptions,
} from "./createBlockBuilder.ts";
import type { Membership } from "./createMembership.ts";
import { settleCommittedBlock } from "./settleCommittedBlock.ts";

/** Options of {@link createBlockProducer}. */
export interface BlockProducerOptions extends BlockBuilderOptions {
  /**
   * The validator keys this node seals with, its own first: every key in a height's
   * validator set signs a commit seal, and the first of them proposes (is the coinbase and
   * receives priority fees). A dev node holds every dev validator's key, so its blocks carry
   * a quorum of seals as on a network.
   */
  readonly validatorKeys: readonly Uint8Array[];
}

/** Defaults of {@link BlockProducerOptions}. */
export const defaultBlockProducerOptions = defaultBlockBuilderOptions;

/** What the producer works with. */
export interface BlockProducerPorts {
  readonly chainDb: Pick<ChainDb, "head">;
  readonly engine: Pick<ExecutionEngine, "buildBlock" | "commit" | "account" | "withBlock">;
  /**
   * The validator set of the block after `parent`: the Consortium's `validatorsAt(number)` on
   * the parent's state (`readValidatorsAt`), as every node checks it.
   */
  readonly validators: (parent: Block) => Promise<readonly Uint8Array[]>;
  readonly pool: Pick<TxPool, "selectForBlock" | "drop" | "onBlockCommitted" | "evictExpired">;
  readonly membership: Pick<Membership, "isMember" | "onBlockCommitted">;
  readonly clock: Clock;
  readonly logger: Pick<Logger, "info" | "warn" | "error" | "debug">;
  /** Called after each commit, before the next block starts. */
  readonly onCommitted: (executed: ExecutedBlock, seconds: number) => void;
}

/** A running solo block producer. */
export interface BlockProducer {
  /** Starts producing one block per period on top of the head. */
  start(): void;
  /** Stops after the block in progress (if any) is committed. */
  stop(): Promise<void>;
}

// After a failed block, wait this long before trying again.
const RETRY_MS = 1000;

/** A validator's signer and its address as hex. */
interface Signer {
  readonly signer: QbftSigner;
  readonly hex: PrefixedHexString;
}

/**
 * The solo block producer of a chain whose quorum this node's keys make alone (a dev chain;
 * a network's validators run QBFT instead): every `periodSeconds` it takes the best
 * pending transactions from the pool, re-checks their senders' membership, builds a QBFT
 * block on the head (round 0, the height's validators in its extraData), seals it with a
 * commit seal of every key it holds in that set, commits it atomically and tells the pool,
 * the membership cache and the node. While its keys are fewer than a quorum of the height's
 * set (⌈2n/3⌉), or none of them is in it, it produces nothing and says why once.
 *
 * Blocks come from {@link createBlockBuilder}: timestamps `max(parent + period, now)`, a gas
 * budget learned from the node's execution speed, invalid transactions dropped from the pool.
 *
 * @throws CustosError `INVALID_ARGUMENT` when a validator key is not a secp256k1 key.
 * @example
 * ```ts
 * const producer = createBlockProducer({ periodSeconds: 1, gasLimit, validatorKeys: [key] }, ports);
 * producer.start();
 * await producer.stop();
 * ```
 */
export function createBlockProducer(
  options: BlockProducerOptions,
  ports: BlockProducerPorts,
): BlockProducer {
  const { chainDb, engine, pool, membership, clock, logger } = ports;
  const period = BigInt(options.periodSeconds);
  const builder = createBlockBuilder(options, { engine, pool, membership, clock, logger });
  let controller: AbortController | undefined;
  let running: Promise<void> | undefined;
  const signers: readonly Signer[] = options.validatorKeys.map((key) => {
    const signer = createQbftSigner(key);
    return { signer, hex: bytesToHex(signer.address) };
  });
  /** The validator set this node last could not seal for (said once until it changes). */
  let idleFor: string | undefined;

  /** The held keys in the height's set, or undefined when they are fewer than a quorum. */
  function sealersOf(validators: readonly Uint8Array[]): readonly Signer[] | undefined {
    const set = new Set(validators.map(bytesToHex));
    const sealers = signers.filter((signer) => set.has(signer.hex));
    return sealers.length > 0 && sealers.length >= qbftQuorum(set.size) ? sealers : undefined;
  }

  /** Builds, seals and commits the next block; false when this node cannot seal it. */
  async function produce(parent: Block): Promise<boolean> {
    const validators = await ports.validators(parent);
    const sealers = sealersOf(validators);
    if (sealers === undefined) {
      const set = validators.map(bytesToHex);
      if (idleFor !== set.join()) {
        logger.warn(
          {
            number: parent.header.number + 1n,
            validators: set,
            quorum: qbftQuorum(set.length),
            held: signers.filter((signer) => set.includes(signer.hex)).length,
          },
          "solo producer idle: its validator keys are fewer than a quorum of the set",
        );
      }
      idleFor = set.join();
      return false;
    }
    idleFor = undefined;
    const started = clock.now();
    const unsealed = await builder.build(parent, {
      validators,
      round: 0,
      coinbase: (sealers[0] as Signer).signer.address,
    });
    // The budget is learned from building alone, as a QBFT proposer learns it: the commit
    // is what the period's other quarter is for, and every 64th one also persists the
    // state (seconds at 10 M consents), which would cut the next blocks' budgets for nothing.
    const buildSeconds = (clock.now() - started) / 1000;
    // Each key's commit seal, over the commit-seal hash, as Besu's validators sign COMMITs.
    const digest = qbftCommitSealHash(unsealed.block.header);
    const built = sealExecutedBlock(
      engine,
      unsealed,
      sealers.map((sealer) => sealer.signer.sign(digest)),
    );
    await engine.commit(built);
    const seconds = (clock.now() - started) / 1000;
    builder.learn(built.block.header.gasUsed, buildSeconds);
    await settleCommittedBlock({ engine, pool, membership }, built);
    logger.debug(
      {
        number: built.block.header.number,
        transactions: built.block.transactions.length,
        gasUsed: built.block.header.gasUsed,
        seconds,
      },
      "block committed",
    );
    ports.onCommitted(built, seconds);
    return true;
  }

  async function loop(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      const parent = chainDb.head();
      if (parent === undefined) {
        throw new CustosError("INTERNAL", "block producer started on an empty chain database");
      }
      const due = Number(parent.header.timestamp + period) * 1000;
      await clock.sleep(due - clock.now(), signal);
      if (signal.aborted) return;
      try {
        // A height this node cannot seal is tried again after a period.
        if (!(await produce(parent))) await clock.sleep(Number(period) * 1000, signal);
      } catch (error) {
        logger.error({ err: error, parent: parent.header.number }, "block production failed");
        await clock.sleep(RETRY_MS, signal);
      }
    }
  }

  return {
    start() {
      if (running !== undefined) return;
      controller = new AbortController();
      running = loop(controller.signal);
    },
    async stop() {
      controller?.abort();
      await running;
      running = undefined;
    },
  };
}
