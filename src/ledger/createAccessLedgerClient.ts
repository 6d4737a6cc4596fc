import { AbiCoder, keccak256 } from "ethers";
import type { Bytes32 } from "../consent/index.ts";
import { CustosError } from "../errors/index.ts";
import type { Hex } from "./abiValues.ts";
import type { AccessLedgerEvent } from "./LedgerEvent.ts";
import { ledgerContracts } from "./ledgerContracts.ts";
import { bindLedgerContract, type LedgerClientOptions } from "./ledgerHandle.ts";
import {
  callLedgerView,
  sendLedgerTransaction,
  type TransactionOptions,
  type TransactionResult,
} from "./ledgerTransaction.ts";
import { type IdPageOptions, readIdPages } from "./readIdPages.ts";
import { type EventPageOptions, readLedgerEvents } from "./readLedgerEvents.ts";

/** Options of {@link createAccessLedgerClient}. */
export type AccessLedgerClientOptions = LedgerClientOptions;

/** A query id (uint64 on chain). */
export type QueryId = bigint | number;

/** What a researcher submits. */
export interface QuerySubmission {
  /** keccak-256 of the RFC 8785 canonical query spec. */
  readonly specHash: Bytes32;
  /** Exactly one DUO permission bit plus the attested condition bits. */
  readonly use: number;
  /** Data category bits read. */
  readonly categories: number;
  /** Target hospital organisation ids (1 to 64, distinct). */
  readonly targets: readonly number[];
  /** Hash of the review board's approval document. */
  readonly approvalRef: Bytes32;
  /** Unix second from which the query accepts no approval or response. */
  readonly expiry: number;
}

/** What a hospital records for a query (AccessLedger's `Result`). */
export interface LedgerResult {
  readonly resultHash: Bytes32;
  /**
   * Block of the consent snapshot the hospital filtered on: at or after the query's
   * `submittedBlock` and before the block that records the result.
   */
  readonly consentBlock: bigint;
  /** Merkle root of the consenting subject set. */
  readonly consentRoot: Bytes32;
  /** Rounded subject count. */
  readonly subjectCount: number;
  readonly disclosureReportHash: Bytes32;
  /** ε spent, micro-units (1,000,000 = 1.0). */
  readonly epsilon: bigint;
}

/** A query's status. Expiry is read from `expiry`, not a status. */
export type LedgerQueryStatus = "submitted" | "approved" | "closed";

const queryStatusNames: readonly LedgerQueryStatus[] = ["submitted", "approved", "closed"];

/** A query as stored. */
export interface LedgerQuery {
  readonly id: bigint;
  readonly researcher: Hex;
  readonly researcherOrg: number;
  readonly expiry: number;
  readonly status: LedgerQueryStatus;
  readonly approvals: number;
  readonly targetCount: number;
  readonly use: number;
  readonly categories: number;
  readonly responseCount: number;
  /** Block of the submission: the earliest consent snapshot a result may use. */
  readonly submittedBlock: bigint;
  readonly specHash: Bytes32;
  readonly approvalRef: Bytes32;
}

/** A target hospital's answer. */
export type LedgerResponseStatus = "none" | "recorded" | "declined";

const responseStatusNames: readonly LedgerResponseStatus[] = ["none", "recorded", "declined"];

/** A target hospital's response as stored. */
export interface LedgerResponse {
  readonly status: LedgerResponseStatus;
  readonly reasonCode: number;
  readonly subjectCount: number;
  readonly consentBlock: bigint;
  readonly epsilon: bigint;
  /** Unix second of the answer (0 = none). */
  readonly respondedAt: number;
  /** keccak256(abi.encode(resultHash, consentRoot, disclosureReportHash)). */
  readonly resultDigest: Bytes32;
}

/** A researcher organisation's ε budget at one hospital (micro-units). */
export interface LedgerBudget {
  readonly limit: bigint;
  readonly spent: bigint;
  /** What is left: limit − spent, never negative. */
  readonly remaining: bigint;
}

/**
 * The latest anchor of a hospital's site trail (`AccessLedger.siteTrailHead`): the trail
 * entry `sequence` whose hash is `head`. Sequence 0 (head zero) before the first anchor.
 */
export interface LedgerSiteTrailHead {
  readonly sequence: bigint;
  /** Unix second of the anchoring block (0 = none). */
  readonly anchoredAt: number;
  readonly head: Bytes32;
}

/** One `SiteTrailAnchored` event: a hospital's recorder anchored its trail head. */
export interface LedgerSiteTrailAnchor {
  readonly hospitalId: number;
  readonly recorder: Hex;
  readonly sequence: bigint;
  readonly head: Bytes32;
  readonly blockNumber: number;
  readonly transactionHash: Hex;
  readonly logIndex: number;
}

/** Options of {@link AccessLedgerClient.siteTrailAnchors}. */
export interface SiteTrailAnchorOptions extends EventPageOptions {
  /** Only this hospital's anchors (default: every hospital's). */
  readonly hospitalId?: number;
}

/** Options of {@link AccessLedgerClient.queryEvents}. */
export interface QueryEventOptions extends EventPageOptions {
  /** Only this query's lifecycle events (submitted, approved, recorded, declined, closed). */
  readonly queryId?: QueryId;
}

/** Transaction result of an AccessLedger call. */
export type LedgerTransaction = TransactionResult<AccessLedgerEvent>;

/** Typed access to a deployed AccessLedger. */
export interface AccessLedgerClient {
  /** The contract's address. */
  readonly address: Hex;
  /** Submits a query; resolves with its id from the QuerySubmitted event. */
  submitQuery(
    submission: QuerySubmission,
    options?: TransactionOptions,
  ): Promise<LedgerTransaction & { readonly queryId: bigint }>;
  /**
   * Approves for the caller's review board (an admin account; never the query's own
   * organisation); the query is Approved at the threshold.
   */
  approveQuery(queryId: QueryId, options?: TransactionOptions): Promise<LedgerTransaction>;
  /**
   * Records a target hospital's result (by its recorder) and charges its ε to the budget;
   * `result.consentBlock` must lie in [query.submittedBlock, current block).
   */
  recordResult(
    queryId: QueryId,
    hospitalId: number,
    result: LedgerResult,
    options?: TransactionOptions,
  ): Promise<LedgerTransaction>;
  /** Records that a target hospital declines (by its recorder), with an off-chain reason code. */
  declineQuery(
    queryId: QueryId,
    hospitalId: number,
    reasonCode: number,
    options?: TransactionOptions,
  ): Promise<LedgerTransaction>;
  /** Closes: the researcher organisation at any time, anyone once answered or expired. */
  closeQuery(queryId: QueryId, options?: TransactionOptions): Promise<LedgerTransaction>;
  /**
   * Sets a researcher organisation's ε limit at the caller's hospital (micro-units); the
   * caller must be an admin account of the hospital, not a recorder.
   */
  setBudgetLimit(
    hospitalId: number,
    researcherOrg: number,
    limit: bigint,
    options?: TransactionOptions,
  ): Promise<LedgerTransaction>;
  /**
   * Anchors the head of a hospital's site trail (by its recorder): the hash of trail entry
   * `sequence`, which must be above the hospital's last anchored one (`LEDGER_CONFLICT`,
   * AccessLedgerStaleTrailSequence) with a non-zero head (`LEDGER_INVALID_INPUT`).
   */
  anchorSiteTrail(
    hospitalId: number,
    sequence: bigint | number,
    head: Bytes32,
    options?: TransactionOptions,
  ): Promise<LedgerTransaction>;
  /** A hospital's latest site-trail anchor (sequence 0 before the first). */
  siteTrailHead(hospitalId: number): Promise<LedgerSiteTrailHead>;
  /** Site-trail anchors over a block range, paged, in chain order (sequences ascending per hospital). */
  siteTrailAnchors(options?: SiteTrailAnchorOptions): AsyncGenerator<LedgerSiteTrailAnchor, void>;
  /** A researcher organisation's ε limit, spend and remainder at a hospital. */
  budget(researcherOrg: number, hospitalId: number): Promise<LedgerBudget>;
  /** Query `queryId`. */
  query(queryId: QueryId): Promise<LedgerQuery>;
  /** Target hospital ids, in submission order. */
  targetsOf(queryId: QueryId): Promise<number[]>;
  /** A target hospital's response (status "none" if it has not answered). */
  responseOf(queryId: QueryId, hospitalId: number): Promise<LedgerResponse>;
  /** Whether a review-board organisation approved the query. */
  hasApproved(queryId: QueryId, reviewBoardOrg: number): Promise<boolean>;
  /** Number of queries; also the latest id. */
  queryCount(): Promise<bigint>;
  /** Review-board approvals a query needs. */
  requiredApprovals(): Promise<number>;
  /** Whether `result` is exactly what the hospital recorded (checked by the contract). */
  matchesResult(queryId: QueryId, hospitalId: number, result: LedgerResult): Promise<boolean>;
  /** Queries fromId..queryCount, in id order, read a page at a time. */
  queries(options?: IdPageOptions): AsyncGenerator<LedgerQuery, void>;
  /** The ledger's events over a block range, paged, in chain order. */
  queryEvents(options?: QueryEventOptions): AsyncGenerator<AccessLedgerEvent, void>;
}

const allEventNames = [
  "QuerySubmitted",
  "QueryApproved",
  "ResultRecorded",
  "QueryDeclined",
  "QueryClosed",
  "BudgetLimitSet",
  "RequiredApprovalsChanged",
  "SiteTrailAnchored",
] as const satisfies readonly AccessLedgerEvent["name"][];
/** Events whose first indexed field is the query id. */
const queryEventNames = allEventNames.slice(0, 5);

/**
 * The digest AccessLedger stores for a result's three hashes, computed off chain.
 *
 * @example
 * ```ts
 * (await ledger.responseOf(id, hospital)).resultDigest === resultDigest(result);
 * ```
 */
export function resultDigest(result: LedgerResult): Bytes32 {
  return keccak256(
    AbiCoder.defaultAbiCoder().encode(
      ["bytes32", "bytes32", "bytes32"],
      [result.resultHash, result.consentRoot, result.disclosureReportHash],
    ),
  ) as Bytes32;
}

function statusName<T>(names: readonly T[], value: number, field: string): T {
  const name = names[value];
  if (name === undefined) {
    throw new CustosError("LEDGER_BAD_RESPONSE", `unknown ${field}`, {
      details: { field, value: String(value) },
    });
  }
  return name;
}

/**
 * A typed client over a deployed AccessLedger: the query lifecycle, the ε budget, reads,
 * result verification and paged event reading.
 *
 * Admin accounts act for their organisation (submit, approve, set ε limits); a hospital's
 * recorders answer (record results, decline). Approvals and answers need the researcher
 * organisation to still hold its role (`MEMBERSHIP_DENIED`, AccessLedgerResearcherNotActive),
 * a board never approves its own organisation's query (AccessLedgerSelfApproval), and a
 * result's consent snapshot must be current: `submittedBlock <= consentBlock < block.number`
 * (`LEDGER_INVALID_INPUT`, AccessLedgerInvalidConsentBlock).
 *
 * @throws CustosError `INVALID_ARGUMENT` for a malformed address or a runner without provider.
 * Methods throw `MEMBERSHIP_DENIED`, `LEDGER_BUDGET_EXCEEDED`, `LEDGER_QUERY_EXPIRED`,
 * `LEDGER_NOT_FOUND`, `LEDGER_CONFLICT`, `LEDGER_INVALID_INPUT`, `LEDGER_UNAVAILABLE`,
 * `LEDGER_ABORTED` and the other ledger codes.
 * @example
 * ```ts
 * const ledger = createAccessLedgerClient({ address, runner: researcherSigner });
 * const { queryId } = await ledger.submitQuery({ specHash, use, categories, targets: [1, 2], approvalRef, expiry });
 * const { submittedBlock } = await ledger.query(queryId); // earliest consent snapshot block
 * ```
 */
export function createAccessLedgerClient(options: AccessLedgerClientOptions): AccessLedgerClient {
  const bound = bindLedgerContract(ledgerContracts.AccessLedger, options);
  const fns = ledgerContracts.AccessLedger.functions;

  const query = async (queryId: QueryId): Promise<LedgerQuery> => {
    const q = await callLedgerView(bound, fns.query, [queryId]);
    return {
      id: BigInt(queryId),
      researcher: q.researcher,
      researcherOrg: q.researcherOrg,
      expiry: q.expiry,
      status: statusName(queryStatusNames, q.status, "query status"),
      approvals: q.approvals,
      targetCount: q.targetCount,
      use: q.use,
      categories: q.categories,
      responseCount: q.responseCount,
      submittedBlock: q.submittedBlock,
      specHash: q.specHash,
      approvalRef: q.approvalRef,
    };
  };
  const queryCount = (): Promise<bigint> => callLedgerView(bound, fns.queryCount, []);

  return {
    address: bound.address,
    submitQuery: async (submission, txOptions) => {
      const tx = await sendLedgerTransaction(
        bound,
        fns.submitQuery,
        [
          submission.specHash,
          submission.use,
          submission.categories,
          submission.targets,
          submission.approvalRef,
          submission.expiry,
        ],
        txOptions,
      );
      const submitted = tx.events.find((e) => e.name === "QuerySubmitted");
      if (submitted?.name !== "QuerySubmitted") {
        throw new CustosError("LEDGER_BAD_RESPONSE", "receipt lacks QuerySubmitted", {
          details: { hash: tx.hash },
        });
      }
      return { ...tx, queryId: submitted.args.queryId };
    },
    approveQuery: (queryId, txOptions) =>
      sendLedgerTransaction(bound, fns.approveQuery, [queryId], txOptions),
    recordResult: (queryId, hospitalId, result, txOptions) =>
      sendLedgerTransaction(bound, fns.recordResult, [queryId, hospitalId, result], txOptions),
    declineQuery: (queryId, hospitalId, reasonCode, txOptions) =>
      sendLedgerTransaction(bound, fns.declineQuery, [queryId, hospitalId, reasonCode], txOptions),
    closeQuery: (queryId, txOptions) =>
      sendLedgerTransaction(bound, fns.closeQuery, [queryId], txOptions),
    setBudgetLimit: (hospitalId, researcherOrg, limit, txOptions) =>
      sendLedgerTransaction(
        bound,
        fns.setBudgetLimit,
        [hospitalId, researcherOrg, limit],
        txOptions,
      ),
    anchorSiteTrail: (hospitalId, sequence, head, txOptions) =>
      sendLedgerTransaction(bound, fns.anchorSiteTrail, [hospitalId, sequence, head], txOptions),
    siteTrailHead: async (hospitalId) => {
      const t = await callLedgerView(bound, fns.siteTrailHead, [hospitalId]);
      return { sequence: t.sequence, anchoredAt: t.anchoredAt, head: t.head };
    },
    siteTrailAnchors: async function* (anchorOptions = {}) {
      const events = readLedgerEvents<AccessLedgerEvent>(
        {
          provider: bound.provider,
          address: bound.address,
          abi: bound.abi,
          eventNames: ["SiteTrailAnchored"],
          topics:
            anchorOptions.hospitalId === undefined
              ? []
              : [`0x${anchorOptions.hospitalId.toString(16).padStart(64, "0")}`],
        },
        anchorOptions,
      );
      for await (const event of events) {
        if (event.name !== "SiteTrailAnchored") continue;
        yield {
          hospitalId: event.args.hospitalId,
          recorder: event.args.recorder,
          sequence: event.args.sequence,
          head: event.args.head,
          blockNumber: event.blockNumber,
          transactionHash: event.transactionHash,
          logIndex: event.logIndex,
        };
      }
    },
    budget: async (researcherOrg, hospitalId) => {
      const { limit, spent } = await callLedgerView(bound, fns.budget, [researcherOrg, hospitalId]);
      return { limit, spent, remaining: limit > spent ? limit - spent : 0n };
    },
    query,
    targetsOf: async (queryId) => [...(await callLedgerView(bound, fns.targetsOf, [queryId]))],
    responseOf: async (queryId, hospitalId) => {
      const r = await callLedgerView(bound, fns.responseOf, [queryId, hospitalId]);
      return {
        status: statusName(responseStatusNames, r.status, "response status"),
        reasonCode: r.reasonCode,
        subjectCount: r.subjectCount,
        consentBlock: r.consentBlock,
        epsilon: r.epsilon,
        respondedAt: r.respondedAt,
        resultDigest: r.resultDigest,
      };
    },
    hasApproved: (queryId, reviewBoardOrg) =>
      callLedgerView(bound, fns.hasApproved, [queryId, reviewBoardOrg]),
    queryCount,
    requiredApprovals: () => callLedgerView(bound, fns.requiredApprovals, []),
    matchesResult: (queryId, hospitalId, result) =>
      callLedgerView(bound, fns.matchesResult, [queryId, hospitalId, result]),
    queries: (pageOptions = {}) => readIdPages(queryCount, query, pageOptions),
    queryEvents: (eventOptions = {}) =>
      readLedgerEvents<AccessLedgerEvent>(
        {
          provider: bound.provider,
          address: bound.address,
          abi: bound.abi,
          eventNames: eventOptions.queryId === undefined ? allEventNames : queryEventNames,
          topics:
            eventOptions.queryId === undefined
              ? []
              : [`0x${BigInt(eventOptions.queryId).toString(16).padStart(64, "0")}`],
        },
        eventOptions,
      ),
  };
}
