/**
 * Offline proofs of chain events: a self-contained JSON document (schema `custos.proof/1`)
 * that shows a log is in a block sealed by a quorum of the validator set in force, back to
 * a trust anchor (the genesis, or a trusted checkpoint), through every validator-set change.
 * `verifyChainProof`, `createProofVerifier` (which remembers what it verified, for many proofs
 * of one chain) and `trustAnchorFromGenesis` are pure and browser-safe (noble hashes and
 * curves only); `buildChainProof` reads a node's JSON-RPC; `decodeProvenEvents` names the
 * events with the contract ABIs (ethers). See docs/audit.md, "Offline proofs".
 *
 * @packageDocumentation
 */
export {
  type BuildChainProofOptions,
  buildChainProof,
} from "./buildChainProof.ts";
export { checkTrustAnchor } from "./checkTrustAnchor.ts";
export {
  createProofVerifier,
  type ProofVerifier,
  type ProofVerifierOptions,
} from "./createProofVerifier.ts";
export {
  decodeProvenEvents,
  type ProvenEvent,
  type ProvenEventValue,
} from "./decodeProvenEvents.ts";
export { VALIDATOR_SET_SCHEDULED_TOPIC } from "./decodeValidatorSetScheduled.ts";
export type { Keccak256 } from "./Keccak256.ts";
export {
  PROOF_SCHEMA,
  type ProofBlock,
  type ProofDocument,
  type ProofLink,
  type ProofLog,
  proofLinks,
} from "./ProofDocument.ts";
export type { ProofRpc, ProofTarget } from "./ProofRpc.ts";
export { parseProofDocument } from "./parseProofDocument.ts";
export { qbftQuorumOf } from "./qbftQuorumOf.ts";
export { recoverSealSigner, type SealSignerRecovery } from "./recoverSealSigner.ts";
export type { ChainContracts, TrustAnchor, TrustedCheckpoint } from "./TrustAnchor.ts";
export { trustAnchorFromGenesis } from "./trustAnchorFromGenesis.ts";
export type { VerifiedLog } from "./VerifiedLog.ts";
export { type VerifyChainProofOptions, verifyChainProof } from "./verifyChainProof.ts";
