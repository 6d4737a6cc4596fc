import { type Bytes32, encodeCategories } from "../consent/index.ts";
import { type QuerySpec, querySpecCategories, querySpecHash } from "../query/index.ts";
import type { FederationLedger } from "./FederationPorts.ts";

/** What a researcher submits: the spec and the on-chain terms of the query. */
export interface FederatedQuerySubmission {
  readonly spec: QuerySpec;
  /** Target hospital organisation ids. */
  readonly targets: readonly number[];
  /** Exactly one DUO permission bit plus the attested condition bits. */
  readonly use: number;
  /** Data category bits (default: those the spec reads, `querySpecCategories`). */
  readonly categories?: number;
  /** Hash of the review board's approval document (non-zero). */
  readonly approvalRef: Bytes32;
  /** Unix second from which the query accepts no approval or answer. */
  readonly expiry: number;
}

/** A submitted query. */
export interface SubmittedQuery {
  readonly queryId: bigint;
  readonly specHash: `0x${string}`;
  readonly transactionHash: `0x${string}`;
}

/**
 * Submits a federated query on chain (`AccessLedger.submitQuery`) with the spec's canonical
 * hash (`querySpecHash`), so every hospital can check the spec it is given against it.
 *
 * @throws CustosError the ledger codes: `MEMBERSHIP_DENIED` (not a researcher account),
 * `LEDGER_INVALID_INPUT` (bad use, categories, targets, expiry or a zero approval reference),
 * `LEDGER_UNAVAILABLE`, …
 * @example
 * ```ts
 * const { queryId } = await submitFederatedQuery(ledger, {
 *   spec, targets: [1, 2], use: purposeCodes.HMB.bit, approvalRef, expiry: now + 86_400,
 * });
 * ```
 */
export async function submitFederatedQuery(
  ledger: Pick<FederationLedger, "submitQuery">,
  submission: FederatedQuerySubmission,
): Promise<SubmittedQuery> {
  const specHash = querySpecHash(submission.spec);
  const submitted = await ledger.submitQuery({
    specHash,
    use: submission.use,
    categories: submission.categories ?? encodeCategories(querySpecCategories(submission.spec)),
    targets: submission.targets,
    approvalRef: submission.approvalRef,
    expiry: submission.expiry,
  });
  return { queryId: submitted.queryId, specHash, transactionHash: submitted.hash };
}
