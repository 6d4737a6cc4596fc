import { createProofVerifier, type ProofVerifierOptions } from "./createProofVerifier.ts";
import type { TrustAnchor } from "./TrustAnchor.ts";
import type { VerifiedLog } from "./VerifiedLog.ts";

/** Options of {@link verifyChainProof}. */
export type VerifyChainProofOptions = Pick<ProofVerifierOptions, "recoverSigner" | "keccak256">;

/**
 * Verifies a proof document (see `ProofDocument`) against a trust anchor, offline: pure and
 * browser-safe (it imports only noble's hashes and curves). Each validator-set change is
 * verified in block order — its header sealed by a quorum of the set then in force, its
 * `ValidatorSetScheduled` logs proven in its receipts and scheduling the next set from its
 * block + 2 (the last log of a block wins, as in the contract) — and then every block of
 * `blocks`: its header lists exactly the set in force at its height (the last change with
 * `fromBlock` ≤ its number), carries commit seals of ⌈2n/3⌉ distinct members recovered
 * against its commit-seal hash (every seal is recovered, also beyond a quorum, as Besu
 * does: a surplus seal by a stranger or a repeated member fails), has a member as proposer;
 * each claimed log is found in the receipts proven against the receiptsRoot (receipts 0 … t,
 * which fix the block-wide log index) and its transaction in the transactions proven against
 * the transactionsRoot (whose keccak-256 is the transaction hash), and equals what the proof
 * claims. Every trie node given must be used. Each call checks everything afresh; to verify
 * many proofs of one chain, `createProofVerifier` remembers what it verified.
 *
 * The trust this rests on: the anchor, and that no quorum of a validator set signed a
 * conflicting block — also after the set was replaced (a checkpoint anchor narrows that).
 *
 * @returns the logs of `blocks`, in order, each with its proven place.
 * @throws CustosError `AUDIT_PROOF_INVALID` naming the first failing `link` (format, anchor,
 *   validatorSet, seals, header, receiptsRoot, transactionsRoot, receipt, log), the `item`
 *   list (validatorChanges, blocks), its `index`, its `block` and the reason;
 *   `INVALID_ARGUMENT` for a malformed anchor.
 * @example
 * ```ts
 * const anchor = trustAnchorFromGenesis(genesis);
 * for (const log of verifyChainProof(JSON.parse(text), anchor)) console.log(log.blockNumber);
 * ```
 */
export function verifyChainProof(
  proof: unknown,
  anchor: TrustAnchor,
  options: VerifyChainProofOptions = {},
): VerifiedLog[] {
  // A fresh verifier: nothing carries over from another call (see createProofVerifier).
  return createProofVerifier({ ...options, cacheSize: 0 }).verify(proof, anchor);
}
