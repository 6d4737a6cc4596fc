import type { QbftBlock, QbftConfig, QbftHead, QbftState } from "../core/index.ts";
import type { SimByzantine } from "./SimByzantine.ts";

/**
 * How a simulated validator behaves: `honest`; `wiped`, honest but its storage is lost once
 * (it forgets what it signed, so it counts as faulty); `byzantine`.
 */
export type SimRole = "honest" | "wiped" | "byzantine";

/** A committed block as a node's chain database holds it. */
export interface SimStoredBlock {
  readonly block: QbftBlock;
  /** The commit seals that finalised it, sorted by validator address. */
  readonly seals: readonly Uint8Array[];
  /** Virtual time it was imported here (the block period counts from it). */
  readonly importedAt: number;
}

/**
 * The chain head every run starts from: height 0, a zero hash and a zero proposer (so the
 * first proposer is the lowest validator address, as Besu picks it after a genesis coinbase
 * that is not a validator).
 *
 * @example
 * ```ts
 * createQbftState(config, { head: SIM_GENESIS, validators });
 * ```
 */
export const SIM_GENESIS: QbftHead = Object.freeze({
  height: 0n,
  hash: new Uint8Array(32),
  proposer: new Uint8Array(20),
});

/**
 * One simulated validator: its core (undefined while it is down), and what its driver keeps
 * — durable storage (chain and encoded signing record), which survives a crash unless it is
 * wiped, and volatile driver state (live timer, pending sync, incarnation).
 *
 * @example
 * ```ts
 * const node = new SimNode(0, address, "honest", config);
 * node.head(); // SIM_GENESIS until it imports a block
 * ```
 */
export class SimNode {
  readonly index: number;
  readonly address: Uint8Array;
  readonly role: SimRole;
  readonly config: QbftConfig;
  /** Its misbehaviour, for a Byzantine validator. */
  byzantine: SimByzantine | undefined;
  /** Undefined while the node is down. */
  state: QbftState | undefined;
  /** Bumped at every (re)start: events meant for an earlier life are discarded. */
  incarnation = 0;
  /** Id of the live round timer (a newer `setRoundTimer` replaces it). */
  liveTimer = 0;
  /** Durable: committed blocks, height 1 first. */
  chain: SimStoredBlock[] = [];
  /** Durable: the last persisted signing record, encoded. */
  record: Uint8Array | undefined;
  /** A crash waiting for the node's next `persist`. */
  armedCrash: { readonly wipe: boolean } | undefined;
  /** The node asked for blocks below this height (`behind`). */
  syncTarget = 0n;
  /** A sync attempt is scheduled. */
  syncPending = false;
  /** Per peer, the head height last announced to it and when (volatile). */
  readonly announced = new Map<number, { readonly height: number; readonly at: number }>();
  /** Blocks built so far: each build differs, as a timestamp would make it. */
  builds = 0;

  constructor(index: number, address: Uint8Array, role: SimRole, config: QbftConfig) {
    this.index = index;
    this.address = address;
    this.role = role;
    this.config = config;
  }

  /** Whether the node is running. */
  get up(): boolean {
    return this.state !== undefined;
  }

  /** The head of its chain. */
  head(): QbftHead {
    const top = this.chain.at(-1);
    return top === undefined
      ? SIM_GENESIS
      : { height: top.block.height, hash: top.block.hash, proposer: top.block.proposer };
  }

  /** When its head was imported (0 for genesis). */
  headTime(): number {
    return this.chain.at(-1)?.importedAt ?? 0;
  }

  /** Loses the storage: chain and signing record. */
  wipe(): void {
    this.chain = [];
    this.record = undefined;
  }
}
