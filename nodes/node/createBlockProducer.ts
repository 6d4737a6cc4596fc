import type { Block } from "@ethereumjs/block";
import { bytesToHex, type PrefixedHexString } from "@ethereumjs/util";
import { CustosError } from "../../src/errors/index.ts";
import {
  buildQbftBlock,
  createQbftSigner,
  qbftCommitSealHash,
  sealExecutedBlock,
} from "../chain/index.ts";
import { type QbftSigner, qbftQuorum } from "../consensus/core/index.ts";
import type { ChainDb } from "../db/index.ts";
import type { ExecutedBlock, ExecutionEngine } from "../execution/index.ts";
import type { Logger } from "../log/index.ts";
import type { TxPool } from "../txpool/index.ts";
import type { Clock } from "./Clock.ts";
import type { Membership } from "./createMembership.ts";

/** Options of {@link createBlockProducer}. */
export interface BlockProducerOptions {
  /** Seconds between block timestamps (the chain's block period). */
  readonly periodSeconds: number;
  /** Gas limit written in every header (the chain's block gas limit). */
  readonly gasLimit: bigint;
  /**
   * The validator keys this node seals with, its own first: every key in a height's
   * validator set signs a commit seal, and the first of them proposes (is the coinbase and
   * receives priority fees). A node of a real network holds its one key; a dev node holds
   * every dev validator's, so its blocks carry a quorum of seals as on a network.
   */
  readonly validatorKeys: readonly Uint8Array[];
  /** Share of the period a block's execution may take (see {@link defaultBlockProducerOptions}). */
  readonly buildShare?: number;
  /** Gas the first block may use before the node has measured its own speed. */
  readonly initialGasBudget?: bigint;
  /** Most transactions in one block. */
  readonly maxTxsPerBlock?: number;
}

/** Defaults of {@link BlockProducerOptions}. */
export const defaultBlockProducerOptions = {
  /**
   * Fill a block with what the node executes in 3/4 of a period, so a full pool never
   * stretches the block interval (the rest is the commit and the RPC work between blocks).
   */
  buildShare: 0.75,
  /** ~470 grant calls: a safe first block on a slow machine. */
  initialGasBudget: 30_000_000n,
  maxTxsPerBlock: 20_000,
} as const;

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

// Blocks lighter than this say little about the node's speed.
const MIN_MEASURED_GAS = 1_000_000n;
// Weight of the newest block in the moving gas-rate estimate.
const RATE_WEIGHT = 0.3;
// After a failed block, wait this long before trying again.
const RETRY_MS = 1000;

/** A validator's signer and its address as hex. */
interface Signer {
  readonly signer: QbftSigner;
  readonly hex: PrefixedHexString;
}

/**
 * The solo block producer of a chain whose quorum this node's keys make alone (dev mode, and
 * the stand-in until the QBFT driver takes over): every `periodSeconds` it takes the best
 * pending transactions from the pool, re-checks their senders' membership, builds a QBFT
 * block on the head (round 0, the height's validators in its extraData), seals it with a
 * commit seal of every key it holds in that set, commits it atomically and tells the pool,
 * the membership cache and the node. While its keys are fewer than a quorum of the height's
 * set (⌈2n/3⌉), or none of them is in it, it produces nothing and says why once.
 *
 * Timestamps are `max(parent + period, now)`, so they increase strictly and track the clock.
 * The gas a block may use adapts to the node's measured execution speed (a moving average of
 * gas per second × period × `buildShare`, never above the header gas limit), so blocks keep
 * their period under load instead of growing until each takes many periods to execute; the
 * pool's best transaction is always admitted whatever gas it declares, so no transaction
 * waits for ever behind the budget (one transaction declares at most `MAX_TX_GAS`, 2^24: the
 * pool refuses more and the engine leaves such a transaction out, so one member cannot hold
 * a block for longer than that much gas takes).
 * Invalid transactions found while building are dropped from the pool with their sender's
 * later nonces; transactions that did not fit stay for the next block.
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
  const buildShare = options.buildShare ?? defaultBlockProducerOptions.buildShare;
  const maxTxs = options.maxTxsPerBlock ?? defaultBlockProducerOptions.maxTxsPerBlock;
  let gasBudget = min(
    options.initialGasBudget ?? defaultBlockProducerOptions.initialGasBudget,
    options.gasLimit,
  );
  let gasPerSecond: number | undefined;
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

  async function selectTransactions(parent: Block) {
    const baseFee = parent.header.calcNextBaseFee();
    // Liveness: the pool's best transaction always fits, even when it declares more gas than
    // the learned budget (a large batch on a slow machine would otherwise wait for ever and
    // hold back its sender's later nonces).
    const [best] = pool.selectForBlock({ baseFee, gasLimit: options.gasLimit, maxTxs: 1 });
    const budget = best !== undefined && best.gasLimit > gasBudget ? best.gasLimit : gasBudget;
    const selected = pool.selectForBlock({ baseFee, gasLimit: budget, maxTxs });
    const txs = [];
    for (const tx of selected) {
      // Membership may have changed since admission (an account removed by governance).
      if (await membership.isMember(tx.getSenderAddress().bytes)) txs.push(tx);
      else pool.drop(tx.hash());
    }
    return txs;
  }

  function learnSpeed(gasUsed: bigint, seconds: number): void {
    if (gasUsed < MIN_MEASURED_GAS || seconds <= 0) return;
    const rate = Number(gasUsed) / seconds;
    gasPerSecond =
      gasPerSecond === undefined ? rate : RATE_WEIGHT * rate + (1 - RATE_WEIGHT) * gasPerSecond;
    const budget = BigInt(Math.floor(gasPerSecond * options.periodSeconds * buildShare));
    gasBudget = min(max(budget, MIN_MEASURED_GAS * 5n), options.gasLimit);
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
    const nowSeconds = BigInt(Math.floor(clock.now() / 1000));
    const timestamp = max(parent.header.timestamp + period, nowSeconds);
    const txs = await selectTransactions(parent);
    const started = clock.now();
    const unsealed = await buildQbftBlock(engine, parent, txs, {
      timestamp,
      coinbase: (sealers[0] as Signer).signer.address,
      gasLimit: options.gasLimit,
      validators,
      round: 0,
    });
    // Each key's commit seal, over the commit-seal hash, as Besu's validators sign COMMITs.
    const digest = qbftCommitSealHash(unsealed.block.header);
    const built = sealExecutedBlock(
      engine,
      unsealed,
      sealers.map((sealer) => sealer.signer.sign(digest)),
    );
    for (const rejected of built.rejected) {
      if (rejected.kind === "invalid") {
        logger.warn(
          { txHash: rejected.tx.hash(), reason: rejected.reason },
          "transaction dropped: invalid at execution",
        );
        pool.drop(rejected.tx.hash());
      }
    }
    await engine.commit(built);
    const seconds = (clock.now() - started) / 1000;
    learnSpeed(built.block.header.gasUsed, seconds);
    membership.onBlockCommitted(built.receipts);
    await pool.onBlockCommitted(built.block, (address) => engine.account(address, built.block));
    pool.evictExpired();
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

function min(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}

function max(a: bigint, b: bigint): bigint {
  return a > b ? a : b;
}
