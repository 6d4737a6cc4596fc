import type { BlockHeader } from "@ethereumjs/block";
import { bytesToHex } from "@ethereumjs/util";
import { qbftQuorum } from "../../consensus/core/index.ts";
import { decodeQbftExtraData } from "./decodeQbftExtraData.ts";
import type { QbftVote } from "./QbftExtraData.ts";
import { qbftCommitSealHash } from "./qbftCommitSealHash.ts";
import { qbftOnchainHash } from "./qbftOnchainHash.ts";
import { recoverSigner } from "./secp256k1Signatures.ts";

/** One commit seal of an inspected header and who made it. */
export interface InspectedSeal {
  readonly seal: Uint8Array;
  /** The signer recovered against the commit-seal hash, or undefined when none. */
  readonly committer: Uint8Array | undefined;
  /** The committer is in the header's own validator list. */
  readonly validator: boolean;
  /** An earlier seal has the same committer. */
  readonly duplicate: boolean;
}

/** What a QBFT header says about itself, and whether its own seals carry it. */
export interface QbftHeaderInspection {
  readonly number: bigint;
  /** Besu's block hash: extraData with round 0 and no seals. */
  readonly onchainHash: Uint8Array;
  /** What the seals sign: extraData with the real round and no seals. */
  readonly commitSealHash: Uint8Array;
  /** The coinbase. */
  readonly proposer: Uint8Array;
  readonly proposerIsValidator: boolean;
  readonly validators: readonly Uint8Array[];
  readonly vote: QbftVote | undefined;
  readonly round: number;
  readonly seals: readonly InspectedSeal[];
  /** Distinct committers in the header's validator list. */
  readonly committers: number;
  /** Seals needed from the header's validator list: ⌈2n/3⌉. */
  readonly quorum: number;
  /** `committers` reaches `quorum`. */
  readonly quorate: boolean;
}

/**
 * Inspects a QBFT header against itself: its two hashes, proposer, validators, vote, round,
 * each seal's committer, and whether the distinct committers from its own validator list
 * make a quorum of that list. Unlike `verifySealedHeader` nothing is refused: a seal that
 * recovers to no key has no committer. (The header's own list is only what the proposer
 * wrote; a verifier checks against the set after the parent.)
 *
 * @throws CustosError `QBFT_EXTRA_DATA_INVALID` when the header's extraData does not decode.
 * @example
 * ```ts
 * const { onchainHash, quorate } = inspectQbftHeader(decodeBlockHeader(rlp));
 * ```
 */
export function inspectQbftHeader(header: BlockHeader): QbftHeaderInspection {
  const extraData = decodeQbftExtraData(header.extraData);
  const commitSealHash = qbftCommitSealHash(header, extraData);
  const members = new Set(extraData.validators.map(bytesToHex));
  const seen = new Set<string>();
  const seals = extraData.seals.map((seal): InspectedSeal => {
    const committer = recoverSigner(commitSealHash, seal);
    const hex = committer === undefined ? undefined : bytesToHex(committer);
    const duplicate = hex !== undefined && seen.has(hex);
    if (hex !== undefined) seen.add(hex);
    return { seal, committer, validator: hex !== undefined && members.has(hex), duplicate };
  });
  const committers = seals.filter((s) => s.validator && !s.duplicate).length;
  const quorum = qbftQuorum(extraData.validators.length);
  const proposer = header.coinbase.bytes;
  return {
    number: header.number,
    onchainHash: qbftOnchainHash(header, extraData),
    commitSealHash,
    proposer,
    proposerIsValidator: members.has(bytesToHex(proposer)),
    validators: extraData.validators,
    vote: extraData.vote,
    round: extraData.round,
    seals,
    committers,
    quorum,
    quorate: committers >= quorum,
  };
}
