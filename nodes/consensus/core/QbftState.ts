import type { FutureMessages } from "./FutureMessages.ts";
import type { QbftBlock } from "./QbftBlock.ts";
import type { QbftConfig } from "./QbftConfig.ts";
import type { QbftHeightContext } from "./QbftHeightContext.ts";
import type {
  QbftCommitPayload,
  QbftPreparedMetadata,
  QbftPreparePayload,
  QbftRoundChangeMessage,
  QbftRoundChangePayload,
  QbftSigned,
} from "./QbftMessage.ts";
import type { QbftSigningRecord } from "./QbftSigningRecord.ts";
import type { SeenHashes } from "./SeenHashes.ts";

/** A proposal held for a round, with where its block's execution stands. */
export interface HeldProposal {
  readonly block: QbftBlock;
  /** The proposer. */
  readonly author: Uint8Array;
  /** Hash of the wire bytes (undefined for this node's own proposal). */
  readonly hash: Uint8Array | undefined;
  /** `valid` once the driver executed it (or built it), `invalid` if execution failed. */
  validity: "pending" | "valid" | "invalid";
}

/** A commit held for a round; its seal is checked once it matches the round's proposal. */
export interface HeldCommit {
  readonly signed: QbftSigned<QbftCommitPayload>;
  readonly author: Uint8Array;
  readonly hash: Uint8Array | undefined;
  sealValid: boolean | undefined;
}

/** The messages of one round of the current height. */
export interface RoundMessages {
  proposal: HeldProposal | undefined;
  /** By author key. */
  readonly prepares: Map<string, QbftSigned<QbftPreparePayload>>;
  /** By author key. */
  readonly commits: Map<string, HeldCommit>;
}

/** A validator's latest round change at this height (the highest round it asked for). */
export interface HeldRoundChange {
  readonly round: number;
  readonly message: QbftRoundChangeMessage;
  /** The wire bytes, for evidence and for re-sending this node's own. */
  readonly bytes: Uint8Array;
}

/** A first signed payload seen for (type, round, author): the reference for equivocation. */
export interface FirstSeen {
  readonly round: number;
  readonly signingHash: Uint8Array;
  readonly bytes: Uint8Array;
}

/** Quorum prepares for a block at a round: carried forward by round changes. */
export interface PreparedCertificate {
  readonly round: number;
  readonly block: QbftBlock;
  /** Sorted by author. */
  readonly prepares: readonly QbftSigned<QbftPreparePayload>[];
}

/** What this node signed at `round` of the current height (mirrors the signing record). */
export interface OwnRound {
  readonly round: number;
  proposal: Uint8Array | undefined;
  prepare: Uint8Array | undefined;
  commit: Uint8Array | undefined;
  roundChange: { readonly prepared: QbftPreparedMetadata | undefined } | undefined;
}

/** A block requested with `buildBlock`, and the round changes that will justify it. */
export interface PendingBuild {
  readonly round: number;
  readonly roundChanges: readonly QbftSigned<QbftRoundChangePayload>[];
}

/** Everything about the height being decided. */
export interface HeightState extends QbftHeightContext {
  round: number;
  /** A `commit` effect was emitted: the height waits for `newChainHead`. */
  committed: boolean;
  /** This node signs at this height (has a key, is in the set, is not barred by its record). */
  readonly voting: boolean;
  readonly rounds: Map<number, RoundMessages>;
  /** By author key. */
  readonly roundChanges: Map<string, HeldRoundChange>;
  /** By `type:round:author`, proposals, prepares and commits within the round window. */
  readonly firstSeen: Map<string, FirstSeen>;
  /** `type:round:author` already reported as evidence. */
  readonly evidenced: Set<string>;
  certificate: PreparedCertificate | undefined;
  own: OwnRound;
  pendingBuild: PendingBuild | undefined;
  /** Author keys this node re-sent its current round change to (reset each round). */
  readonly resentTo: Set<string>;
  /** The round's timer runs from when a quorum was known to be at the round (round > 0). */
  aligned: boolean;
}

/** A signing record with its certificate decoded, waiting for its height. */
export interface ResumePoint {
  readonly record: QbftSigningRecord;
  readonly certificate: PreparedCertificate | undefined;
}

/** The whole of one core's state. */
export interface QbftCore {
  readonly config: QbftConfig;
  readonly seen: SeenHashes;
  readonly future: FutureMessages;
  height: HeightState;
  /** No signing below this height: the height of a record ahead of the chain. */
  votingFrom: bigint;
  /** The signing record to resume from when the chain reaches its height. */
  pendingRecord: ResumePoint | undefined;
  /** Highest height announced with `behind`. */
  behindAnnounced: bigint;
  /** Keys of validators whose last turn as proposer timed out here without a proposal. */
  readonly absentProposers: Set<string>;
}

/**
 * A core's state: opaque, read through `qbftStatus`. `qbftStep` consumes it (it reuses and
 * changes what is inside, which keeps a step proportional to the event instead of to the
 * state) and returns the state to use next; stepping a consumed state throws.
 */
export interface QbftState {
  /** Undefined once the state has been consumed by a step. */
  core: QbftCore | undefined;
}
