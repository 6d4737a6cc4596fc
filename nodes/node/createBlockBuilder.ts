import type { Block } from "@ethereumjs/block";
import { buildQbftBlock } from "../chain/index.ts";
import type { BuiltBlock, ExecutionEngine } from "../execution/index.ts";
import type { Logger } from "../log/index.ts";
import type { TxPool } from "../txpool/index.ts";
import type { Clock } from "./Clock.ts";
import type { Membership } from "./createMembership.ts";

/** Options of {@link createBlockBuilder}. */
export interface BlockBuilderOptions {
  /** Seconds between block timestamps (the chain's block period). */
  readonly periodSeconds: number;
  /** Gas limit written in every header (the chain's block gas limit). */
  readonly gasLimit: bigint;
  /** Share of the period a block's execution may take (see {@link defaultBlockBuilderOptions}). */
  readonly buildShare?: number;
  /** Gas the first block may use before the node has measured its own speed. */
  readonly initialGasBudget?: bigint;
  /** Most transactions in one block. */
  readonly maxTxsPerBlock?: number;
}

/** Defaults of {@link BlockBuilderOptions}. */
export const defaultBlockBuilderOptions = {
  /**
   * Fill a block with what the node executes in 3/4 of a period, so a full pool never
   * stretches the block interval (the rest is the commit and the RPC work between blocks).
   */
  buildShare: 0.75,
  /** ~470 grant calls: a safe first block on a slow machine. */
  initialGasBudget: 30_000_000n,
  maxTxsPerBlock: 20_000,
} as const;

/** What the builder works with. */
export interface BlockBuilderPorts {
  readonly engine: Pick<ExecutionEngine, "buildBlock">;
  readonly pool: Pick<TxPool, "selectForBlock" | "drop">;
  readonly membership: Pick<Membership, "isMember">;
  readonly clock: Clock;
  readonly logger: Pick<Logger, "warn">;
}

/** The consensus fields of the block to build. */
export interface BlockBuildRequest {
  /** The height's validator set (written, sorted, into extraData). */
  readonly validators: readonly Uint8Array[];
  /** The QBFT round the block is proposed at. */
  readonly round: number;
  /** The proposing validator: the coinbase. */
  readonly coinbase: Uint8Array;
}

/** Builds unsealed QBFT blocks from the pool, sized to what this node executes in a period. */
export interface BlockBuilder {
  /**
   * Takes the best pending transactions (senders re-checked for membership), builds and
   * executes a QBFT block on `parent` with timestamp `max(parent + period, now)`, and drops
   * the transactions execution found invalid from the pool. The block carries no seals.
   */
  build(parent: Block, request: BlockBuildRequest): Promise<BuiltBlock>;
  /** Feeds the measured execution speed of a committed block into the gas budget. */
  learn(gasUsed: bigint, seconds: number): void;
}

// Blocks lighter than this say little about the node's speed.
const MIN_MEASURED_GAS = 1_000_000n;
// Weight of the newest block in the moving gas-rate estimate.
const RATE_WEIGHT = 0.3;

/**
 * The block builder shared by the solo producer and a QBFT proposer. The gas a block may use
 * adapts to the node's measured execution speed (a moving average of gas per second × period
 * × `buildShare`, never above the header gas limit), so blocks keep their period under load
 * instead of growing until each takes many periods to execute — on a network every validator
 * must re-execute the proposal before the round times out. The pool's best transaction is
 * always admitted whatever gas it declares, so no transaction waits for ever behind the
 * budget (one transaction declares at most `MAX_TX_GAS`, 2^24). Transactions that did not
 * fit stay in the pool for the next block.
 *
 * @example
 * ```ts
 * const builder = createBlockBuilder({ periodSeconds: 1, gasLimit }, { engine, pool, membership, clock, logger });
 * const built = await builder.build(parent, { validators, round: 0, coinbase });
 * ```
 */
export function createBlockBuilder(
  options: BlockBuilderOptions,
  ports: BlockBuilderPorts,
): BlockBuilder {
  const { engine, pool, membership, clock, logger } = ports;
  const period = BigInt(options.periodSeconds);
  const buildShare = options.buildShare ?? defaultBlockBuilderOptions.buildShare;
  const maxTxs = options.maxTxsPerBlock ?? defaultBlockBuilderOptions.maxTxsPerBlock;
  let gasBudget = min(
    options.initialGasBudget ?? defaultBlockBuilderOptions.initialGasBudget,
    options.gasLimit,
  );
  let gasPerSecond: number | undefined;

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

  return {
    async build(parent, request) {
      const nowSeconds = BigInt(Math.floor(clock.now() / 1000));
      const timestamp = max(parent.header.timestamp + period, nowSeconds);
      const txs = await selectTransactions(parent);
      const built = await buildQbftBlock(engine, parent, txs, {
        timestamp,
        coinbase: request.coinbase,
        gasLimit: options.gasLimit,
        validators: request.validators,
        round: request.round,
      });
      for (const rejected of built.rejected) {
        if (rejected.kind === "invalid") {
          logger.warn(
            { txHash: rejected.tx.hash(), reason: rejected.reason },
            "transaction dropped: invalid at execution",
          );
          pool.drop(rejected.tx.hash());
        }
      }
      return built;
    },
    learn(gasUsed, seconds) {
      if (gasUsed < MIN_MEASURED_GAS || seconds <= 0) return;
      const rate = Number(gasUsed) / seconds;
      gasPerSecond =
        gasPerSecond === undefined ? rate : RATE_WEIGHT * rate + (1 - RATE_WEIGHT) * gasPerSecond;
      const budget = BigInt(Math.floor(gasPerSecond * options.periodSeconds * buildShare));
      gasBudget = min(max(budget, MIN_MEASURED_GAS * 5n), options.gasLimit);
    },
  };
}

function min(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}

function max(a: bigint, b: bigint): bigint {
  return a > b ? a : b;
}
