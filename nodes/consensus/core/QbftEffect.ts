import type { QbftBlock } from "./QbftBlock.ts";
import type { QbftDropReason } from "./QbftDropReason.ts";
import type { QbftMessage, QbftMessageType } from "./QbftMessage.ts";
import type { QbftSigningRecord } from "./QbftSigningRecord.ts";

/**
 * What the core asks the driver to do, in order. Plain data like the events.
 *
 * Ordering guarantees: a `persist` precedes the `broadcast` of every message signed for the
 * first time in the same step (the driver makes it durable before going on); `commit` for a
 * block comes only after the driver reported it valid (or built it); at most one round timer
 * is live (a new `setRoundTimer` replaces the last).
 */
export type QbftEffect =
  /** Make `record` durable before executing the effects after it. */
  | { readonly type: "persist"; readonly record: QbftSigningRecord }
  /**
   * Send to every other current validator, point to point (the core has already applied its
   * own message to itself).
   */
  | { readonly type: "broadcast"; readonly bytes: Uint8Array; readonly message: QbftMessage }
  /** This node proposes (height, round): build and execute a block on `parentHash`. */
  | {
      readonly type: "buildBlock";
      readonly height: bigint;
      readonly round: number;
      readonly parentHash: Uint8Array;
    }
  /** Re-execute a proposed block; answer with `blockValidated`. */
  | { readonly type: "validateBlock"; readonly block: QbftBlock }
  /**
   * A quorum committed `block` (at its commit round): seal it with `seals` (sorted by
   * validator address), import it, then feed `newChainHead`.
   */
  | { readonly type: "commit"; readonly block: QbftBlock; readonly seals: readonly Uint8Array[] }
  /** Fire `roundTimeout` for (height, round) after `delayMs`, replacing the live timer. */
  | {
      readonly type: "setRoundTimer";
      readonly height: bigint;
      readonly round: number;
      readonly delayMs: number;
    }
  /** `validator` signed two different payloads for one (height, round, type): both encodings. */
  | {
      readonly type: "evidence";
      readonly validator: Uint8Array;
      readonly height: bigint;
      readonly round: number;
      readonly messageType: QbftMessageType;
      readonly first: Uint8Array;
      readonly second: Uint8Array;
    }
  /**
   * A message was dropped: count it, and score the peer down when `qbftDropIsFault[reason]`.
   * `hash` (keccak of the bytes) is absent only for an oversized message, which is not hashed;
   * `author` is absent until the signature was recovered.
   */
  | {
      readonly type: "dropped";
      readonly reason: QbftDropReason;
      readonly author: Uint8Array | undefined;
      readonly hash: Uint8Array | undefined;
    }
  /**
   * f + 1 validators (so at least one honest) sent messages for heights at or above `height`
   * while this node has not committed its current one: blocks up to `height − 1` exist, so
   * sync them. Raised again only for a higher height.
   */
  | { readonly type: "behind"; readonly height: bigint };
