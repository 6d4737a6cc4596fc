import type { ErrorCode } from "../errors/index.ts";
import type { LedgerQueryStatus, LedgerResponseStatus } from "../ledger/index.ts";
import type { DataServiceJob, DataServiceJobState } from "./createDataServiceClient.ts";
import type { DeclineReason } from "./declineReasons.ts";
import type { PooledQueryResult } from "./PooledQueryResult.ts";
import type { ResultCheck } from "./verifyHospitalResult.ts";

/** A failure worth showing the researcher, as its code and message. */
export interface FederationIssue {
  readonly code: ErrorCode;
  readonly message: string;
}

/** One target hospital's state while a query runs: on chain and at its data service. */
export interface HospitalStatus {
  readonly hospitalId: number;
  /** Its answer on chain. */
  readonly chain: LedgerResponseStatus;
  /** The decline's on-chain reason code (0 unless declined) and its name. */
  readonly reasonCode: number;
  readonly reason: DeclineReason | "unknown" | null;
  /** Its data service's job, when the service answered. */
  readonly job: DataServiceJob | null;
  /** Why the data service gave no job (unreachable, unknown query, refused), or null. */
  readonly issue: FederationIssue | null;
}

/** A query's state on chain and at each target hospital. */
export interface QueryStatus {
  /** Decimal query id. */
  readonly queryId: string;
  readonly specHash: `0x${string}`;
  /** `submitted` is awaiting the review board's approval. */
  readonly status: LedgerQueryStatus;
  readonly approvals: number;
  readonly requiredApprovals: number;
  /** Unix second from which the query accepts no approval or answer. */
  readonly expiry: number;
  /** The expiry has passed by the researcher's clock. */
  readonly expired: boolean;
  readonly hospitals: readonly HospitalStatus[];
}

/** One target hospital's outcome in the report. */
export type HospitalOutcome =
  | {
      readonly hospitalId: number;
      /** Its result passed every check and is pooled. */
      readonly status: "verified";
      readonly resultHash: `0x${string}`;
      readonly consentBlock: number;
      readonly subjectCount: number;
      readonly epsilonMicro: number;
    }
  | {
      readonly hospitalId: number;
      readonly status: "declined";
      readonly reasonCode: number;
      readonly reason: DeclineReason | "unknown";
    }
  | {
      readonly hospitalId: number;
      /** No usable answer by the deadline: silent, down, or its result cannot be fetched. */
      readonly status: "unanswered";
      /** A result is recorded on chain but could not be fetched. */
      readonly recordedOnChain: boolean;
      /** Its job's last known state. */
      readonly jobState: DataServiceJobState | null;
      readonly issue: FederationIssue | null;
    }
  | {
      readonly hospitalId: number;
      /** Its result failed verification and is not pooled. */
      readonly status: "invalid";
      readonly check: ResultCheck;
      readonly reason: string;
    };

/** Why nothing was pooled. */
export interface NotPooled {
  readonly code: "FEDERATION_TOO_FEW_SITES";
  readonly verified: number;
  readonly minimum: number;
}

/** What a federated query came to: each hospital's outcome and the pooled statistics. */
export interface FederatedQueryReport {
  readonly schema: "custos.federated-query-report/1";
  /** Decimal query id. */
  readonly queryId: string;
  readonly specHash: `0x${string}`;
  /** The query's status on chain when the report was made. */
  readonly queryStatus: LedgerQueryStatus;
  /** Per target hospital, ascending by id. */
  readonly hospitals: readonly HospitalOutcome[];
  /** The pooled statistics, or null when fewer results than the minimum were verified. */
  readonly pooled: PooledQueryResult | null;
  readonly notPooled: NotPooled | null;
  /** Not every target hospital contributed a verified result. */
  readonly partial: boolean;
}

/** What a running federated query reports as it goes. */
export type FederatedQueryProgress =
  | { readonly type: "submitted"; readonly queryId: string; readonly transactionHash: string }
  /** The query's status changed (first report included). */
  | { readonly type: "query"; readonly status: QueryStatus }
  /** A hospital's chain answer, job state or issue changed (first report included). */
  | { readonly type: "hospital"; readonly hospital: HospitalStatus }
  /** The chain could not be read this round; the wait goes on. */
  | { readonly type: "chainUnavailable"; readonly issue: FederationIssue }
  /** The deadline passed with these hospitals unanswered. */
  | { readonly type: "deadline"; readonly unanswered: readonly number[] };
