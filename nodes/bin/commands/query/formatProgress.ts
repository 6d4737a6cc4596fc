import type { FederatedQueryProgress, HospitalStatus } from "../../../../src/federation/index.ts";
import { hospitalLabel } from "./hospitalLabel.ts";

function hospitalLine(
  hospital: HospitalStatus,
  nameOf: (id: number) => string | undefined,
): string {
  const who = hospitalLabel(hospital.hospitalId, nameOf);
  if (hospital.chain === "recorded") return `${who}: result recorded on chain`;
  if (hospital.chain === "declined") {
    return `${who}: declined — ${hospital.reason} (reason code ${hospital.reasonCode})`;
  }
  if (hospital.issue !== null) {
    return `${who}: ${hospital.job === null ? "no answer" : `job ${hospital.job.state}`} — ${hospital.issue.code}: ${hospital.issue.message}`;
  }
  if (hospital.job === null) return `${who}: no answer yet`;
  const reason = hospital.job.reason === null ? "" : ` (${hospital.job.reason})`;
  return `${who}: job ${hospital.job.state}${reason}`;
}

/**
 * One line (with its newline) for a federated query's progress, as `query submit` and
 * `query show` print it on standard error: the query's status ("awaiting approval"), each
 * hospital's answer or job state and the deadline.
 *
 * @example
 * ```ts
 * formatProgress({ type: "deadline", unanswered: [3] }, nameOf); // "deadline passed; unanswered: hospital 3 (North)\n"
 * ```
 */
export function formatProgress(
  progress: FederatedQueryProgress,
  nameOf: (hospitalId: number) => string | undefined,
): string {
  switch (progress.type) {
    case "submitted":
      return `query ${progress.queryId} submitted (transaction ${progress.transactionHash})\n`;
    case "query": {
      const s = progress.status;
      const state =
        s.status === "submitted"
          ? `awaiting approval (${s.approvals} of ${s.requiredApprovals} review board approvals)`
          : s.status;
      return `query ${s.queryId}: ${state}${s.expired && s.status !== "closed" ? ", expired" : ""}\n`;
    }
    case "hospital":
      return `${hospitalLine(progress.hospital, nameOf)}\n`;
    case "chainUnavailable":
      return `chain unreachable (${progress.issue.code}: ${progress.issue.message}); retrying\n`;
    case "deadline":
      return progress.unanswered.length === 0
        ? "deadline passed\n"
        : `deadline passed; unanswered: ${progress.unanswered
            .map((id) => hospitalLabel(id, nameOf))
            .join(", ")}\n`;
  }
}
