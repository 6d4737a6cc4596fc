/**
 * Why a well-formed, validator-signed message breaks the QBFT rules (Besu's message
 * validators and the Dafny spec's justification predicates).
 */
export type QbftInvalidReason =
  /** A proposal signed by someone other than the round's proposer. */
  | "wrongProposer"
  /**
   * The carried block does not fit: wrong height, round or parent, or (when the block is
   * new) a proposer field that is not the message's author.
   */
  | "blockMismatch"
  /**
   * The round changes justifying a proposal: fewer than a quorum or more than the validators,
   * a duplicate or non-validator author, another height or round, a prepared round not below
   * the round, two digests claimed for one prepared round, or any at round 0.
   */
  | "badRoundChanges"
  /**
   * The prepares of a prepared certificate: fewer than a quorum or more than the validators,
   * a duplicate or non-validator author, another height, round or digest; or prepares where
   * no certificate is claimed.
   */
  | "badPrepares"
  /**
   * The block proposed again after a round change is not the highest prepared block: put back
   * to its prepared round, its digest is not the one the round changes claim.
   */
  | "preparedBlockMismatch"
  /**
   * A round change for round 0, or whose prepared round is not below its round, or whose
   * prepared block and prepared metadata are not both present or both absent.
   */
  | "badRoundChange";
