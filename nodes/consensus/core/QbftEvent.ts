import type { QbftBlock } from "./QbftBlock.ts";

/** The chain head a height is decided on top of. */
export interface QbftHead {
  readonly height: bigint;
  /** On-chain hash, 32 bytes. */
  readonly hash: Uint8Array;
  /** Proposer (coinbase) of the head block, 20 bytes; the genesis block's coinbase at 0. */
  readonly proposer: Uint8Array;
}

/**
 * What the driver feeds the core, one at a time, in the order it happened. Every event is
 * plain data (blocks serialise as `block.encoded` through the codec), so a simulator can
 * record and replay a run.
 */
export type QbftEvent =
  /**
   * A block was committed or imported (own commit or sync). `validators` is the set for the
   * NEXT height, sorted ascending, as the driver reads it from chain state. The core starts
   * height `head.height + 1` at round 0; a head at or below the one it builds on is ignored.
   */
  | {
      readonly type: "newChainHead";
      readonly head: QbftHead;
      readonly validators: readonly Uint8Array[];
    }
  /** Raw bytes from a peer. */
  | { readonly type: "message"; readonly bytes: Uint8Array }
  /** The round timer the core last set fired. */
  | { readonly type: "roundTimeout"; readonly height: bigint; readonly round: number }
  /** The block the core asked for with `buildBlock`, built and executed by the driver. */
  | {
      readonly type: "blockBuilt";
      readonly height: bigint;
      readonly round: number;
      readonly block: QbftBlock;
    }
  /**
   * The driver re-executed a proposed block (`validateBlock`): `valid` when its state root
   * and receipts root match.
   */
  | {
      readonly type: "blockValidated";
      readonly height: bigint;
      readonly digest: Uint8Array;
      readonly valid: boolean;
    };
