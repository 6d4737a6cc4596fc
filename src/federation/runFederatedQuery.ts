import { awaitQueryAnswers } from "./awaitQueryAnswers.ts";
import { collectFederatedResults } from "./collectFederatedResults.ts";
import type { FederatedQueryProgress, FederatedQueryReport } from "./FederatedQueryReport.ts";
import type { FederationPorts } from "./FederationPorts.ts";
import { type FederatedQuerySubmission, submitFederatedQuery } from "./submitFederatedQuery.ts";

/** Options of {@link runFederatedQuery}. */
export interface RunFederatedQueryOptions {
  /** Milliseconds to wait for the hospitals' answers after submitting. */
  readonly waitMs: number;
  /** Hospitals a pooled figure needs behind it. */
  readonly minimumSites: number;
  /** Milliseconds between polls (default 2,000). */
  readonly pollIntervalMs?: number;
  readonly onProgress?: (progress: FederatedQueryProgress) => void;
  readonly signal?: AbortSignal;
}

/**
 * Runs a federated query end to end: submits it on chain (`submitFederatedQuery`), delivers
 * the spec to every target's data service and waits for their answers until all have
 * recorded or declined, the query is closed or expired, or `waitMs` has passed
 * (`awaitQueryAnswers`, reporting "awaiting approval" while the review board has not approved
 * — approving is the board's separate step), then fetches, verifies and pools the results
 * (`collectFederatedResults`). A hospital that is down or silent ends up `unanswered` and the
 * report `partial`; nothing waits past the deadline by more than one poll.
 *
 * @throws CustosError the ledger codes from submitting or reading the chain.
 * @example
 * ```ts
 * const report = await runFederatedQuery(submission, ports, {
 *   waitMs: 600_000, minimumSites: 2, onProgress: (p) => console.error(p.type),
 * });
 * ```
 */
export async function runFederatedQuery(
  submission: FederatedQuerySubmission,
  ports: FederationPorts,
  options: RunFederatedQueryOptions,
): Promise<FederatedQueryReport> {
  const started = ports.clock();
  const { queryId, transactionHash } = await submitFederatedQuery(ports.ledger, submission);
  options.onProgress?.({ type: "submitted", queryId: queryId.toString(), transactionHash });
  const answers = await awaitQueryAnswers(queryId, ports, {
    deadline: started + options.waitMs,
    spec: submission.spec,
    ...(options.pollIntervalMs === undefined ? {} : { pollIntervalMs: options.pollIntervalMs }),
    ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  });
  return collectFederatedResults(queryId, submission.spec, ports, {
    minimumSites: options.minimumSites,
    status: answers.status,
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  });
}
