import { isCustosError } from "../errors/index.ts";
import type { QueryId } from "../ledger/index.ts";
import type { QuerySpec } from "../query/index.ts";
import type {
  FederatedQueryProgress,
  HospitalStatus,
  QueryStatus,
} from "./FederatedQueryReport.ts";
import type { FederationPorts } from "./FederationPorts.ts";
import { readQueryStatus } from "./readQueryStatus.ts";

/** Options of {@link awaitQueryAnswers}. */
export interface AwaitQueryAnswersOptions {
  /** Clock time (ms) after which waiting stops, whoever has not answered. */
  readonly deadline: number;
  /** The spec, delivered to data services that wait for it (see `readQueryStatus`). */
  readonly spec?: QuerySpec;
  /** Milliseconds between polls (default 2,000). */
  readonly pollIntervalMs?: number;
  readonly onProgress?: (progress: FederatedQueryProgress) => void;
  readonly signal?: AbortSignal;
}

/** Defaults of {@link AwaitQueryAnswersOptions}. */
export const defaultAwaitQueryAnswersOptions = Object.freeze({ pollIntervalMs: 2_000 });

/** How the wait ended. */
export interface QueryAnswers {
  /** The last status read, or null when the chain could never be read. */
  readonly status: QueryStatus | null;
  /** Every target answered on chain, the query closed, or it expired: waiting is over. */
  readonly settled: boolean;
}

/** Whether nothing more can change: all answered, closed, or expired. */
function isSettled(status: QueryStatus): boolean {
  return (
    status.status === "closed" ||
    status.expired ||
    status.hospitals.every((h) => h.chain !== "none")
  );
}

const hospitalKey = (h: HospitalStatus) =>
  JSON.stringify([h.chain, h.reasonCode, h.job?.state ?? null, h.issue?.code ?? null]);
const queryKey = (s: QueryStatus) => JSON.stringify([s.status, s.approvals, s.expired]);

/**
 * Waits for a query's target hospitals to answer on chain, polling `readQueryStatus` (which
 * also delivers the spec to data services waiting for it) until every target has recorded
 * or declined, the query is closed or expired, or the deadline passes. It never hangs on a
 * silent or dead hospital: each data service call has its own timeout, and the deadline is
 * checked after every poll, so the wait ends at most one poll after it. A chain that cannot
 * be read for a round is reported and polled again. Progress is reported on every change:
 * the query's status (`submitted` is "awaiting approval"), each hospital's answer and job
 * state, and the deadline.
 *
 * @throws CustosError the ledger codes other than `LEDGER_UNAVAILABLE` (e.g.
 * `LEDGER_NOT_FOUND`); whatever `ports.sleep` rejects with when `signal` aborts.
 * @example
 * ```ts
 * const { status, settled } = await awaitQueryAnswers(queryId, ports, {
 *   deadline: Date.now() + 600_000, spec, onProgress: print,
 * });
 * ```
 */
export async function awaitQueryAnswers(
  queryId: QueryId,
  ports: FederationPorts,
  options: AwaitQueryAnswersOptions,
): Promise<QueryAnswers> {
  const interval = options.pollIntervalMs ?? defaultAwaitQueryAnswersOptions.pollIntervalMs;
  const report = options.onProgress ?? (() => {});
  const seen = new Map<number, string>();
  let lastQuery: string | undefined;
  let status: QueryStatus | null = null;
  for (;;) {
    try {
      status = await readQueryStatus(queryId, ports, {
        ...(options.spec === undefined ? {} : { spec: options.spec }),
        ...(options.signal === undefined ? {} : { signal: options.signal }),
      });
    } catch (error) {
      if (!isCustosError(error, "LEDGER_UNAVAILABLE")) throw error;
      report({
        type: "chainUnavailable",
        issue: { code: error.code, message: error.shortMessage },
      });
    }
    if (status !== null) {
      const key = queryKey(status);
      if (key !== lastQuery) report({ type: "query", status });
      lastQuery = key;
      for (const hospital of status.hospitals) {
        const hospitalChange = hospitalKey(hospital);
        if (seen.get(hospital.hospitalId) !== hospitalChange)
          report({ type: "hospital", hospital });
        seen.set(hospital.hospitalId, hospitalChange);
      }
      if (isSettled(status)) return { status, settled: true };
    }
    const now = ports.clock();
    if (now >= options.deadline) {
      report({
        type: "deadline",
        unanswered: (status?.hospitals ?? [])
          .filter((h) => h.chain === "none")
          .map((h) => h.hospitalId),
      });
      return { status, settled: false };
    }
    await ports.sleep(Math.min(interval, options.deadline - now), options.signal);
  }
}
