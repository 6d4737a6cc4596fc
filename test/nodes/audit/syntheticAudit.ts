/**
 * Synthetic audit entries and blocks, written straight into an audit index: for the index's
 * read tests (filters, paging, caps) and the read benchmark (bench/audit.ts), where a chain
 * of a million consent events would take hours to produce. Entries have the exact shape the
 * projection gives (the projection itself is tested against a dev node).
 */
import { createHash } from "node:crypto";
import type { AuditBlock } from "../../../nodes/audit/index.ts";
import type {
  AccountAddedEntry,
  AuditLocation,
  BudgetLimitSetEntry,
  ConsentGrantedEntry,
  ConsentRevokedEntry,
  ConsentUpdatedEntry,
  QueryApprovedEntry,
  QueryClosedEntry,
  QueryDeclinedEntry,
  QuerySubmittedEntry,
  ResultRecordedEntry,
} from "../../../src/audit/index.ts";
import { categoryNamesOf, purposeLabelOf, purposeLabelsOf } from "../../../src/audit/index.ts";
import { declineReasonName } from "../../../src/federation/index.ts";
import type { Hex } from "../../../src/ledger/index.ts";

/** A deterministic 32-byte hex value of a label (SHA-256: native, so a million are cheap). */
export const hash32 = (label: string): Hex =>
  `0x${createHash("sha256").update(label).digest("hex")}` as Hex;

/** A deterministic address of a label (EIP-55 is not needed: the index stores what it gets). */
export const address = (label: string): Hex => `0x${hash32(label).slice(26)}` as Hex;

/** Hands out the locations of one block's logs, one transaction per log. */
export interface BlockContext {
  readonly number: number;
  readonly timestamp: number;
  /** The next log's location. */
  at(): AuditLocation;
}

const ZERO_HASH = `0x${"0".repeat(64)}` as Hex;
const blockHash = (n: number): Hex => hash32(`block-${n}`);

/**
 * Block `number` at unix second `timestamp` with the entries `make` returns (their locations
 * taken from the context, in order).
 */
export function syntheticBlock(
  number: number,
  timestamp: number,
  make: (block: BlockContext) => AuditBlock["entries"] = () => [],
): AuditBlock {
  let log = 0;
  const context: BlockContext = {
    number,
    timestamp,
    at: () => {
      const i = log++;
      return {
        blockNumber: number,
        blockHash: blockHash(number),
        blockTimestamp: timestamp,
        txHash: hash32(`tx-${number}-${i}`),
        txIndex: i,
        logIndex: i,
      };
    },
  };
  return {
    number,
    hash: blockHash(number),
    parentHash: number === 0 ? ZERO_HASH : blockHash(number - 1),
    timestamp,
    entries: make(context),
  };
}

/** Entries of every kind the index files differently, with the projection's field shapes. */
export const synthetic = {
  submitted(
    at: AuditLocation,
    q: {
      queryId: number;
      researcher: Hex;
      researcherOrg: number;
      purpose: number;
      targets: number[];
      expiry: number;
    },
  ): QuerySubmittedEntry {
    const use = q.purpose | 1024;
    const categories = 4 | 8;
    return {
      event: "QuerySubmitted",
      contract: "AccessLedger",
      area: "query",
      at,
      actor: q.researcher,
      fields: {
        queryId: String(q.queryId),
        researcherOrg: q.researcherOrg,
        purpose: q.purpose,
        researcher: q.researcher,
        specHash: hash32(`spec-${q.queryId}`),
        use,
        categories,
        targets: q.targets,
        approvalRef: hash32(`approval-${q.queryId}`),
        expiry: q.expiry,
        purposeLabel: purposeLabelOf(q.purpose),
        useLabels: purposeLabelsOf(use),
        categoryNames: categoryNamesOf(categories),
      },
    };
  },
  approved(
    at: AuditLocation,
    a: {
      queryId: number;
      reviewBoardOrg: number;
      approver: Hex;
      approvals: number;
      approved: boolean;
    },
  ): QueryApprovedEntry {
    return {
      event: "QueryApproved",
      contract: "AccessLedger",
      area: "query",
      at,
      actor: a.approver,
      fields: { ...a, queryId: String(a.queryId) },
    };
  },
  result(
    at: AuditLocation,
    r: {
      queryId: number;
      hospitalId: number;
      researcherOrg: number;
      recorder: Hex;
      epsilon: bigint;
      subjectCount: number;
    },
  ): ResultRecordedEntry {
    return {
      event: "ResultRecorded",
      contract: "AccessLedger",
      area: "query",
      at,
      actor: r.recorder,
      fields: {
        queryId: String(r.queryId),
        hospitalId: r.hospitalId,
        researcherOrg: r.researcherOrg,
        recorder: r.recorder,
        result: {
          resultHash: hash32(`result-${r.queryId}-${r.hospitalId}`),
          consentBlock: String(Math.max(0, at.blockNumber - 1)),
          consentRoot: hash32(`root-${r.queryId}-${r.hospitalId}`),
          subjectCount: r.subjectCount,
          disclosureReportHash: hash32(`report-${r.queryId}-${r.hospitalId}`),
          epsilon: r.epsilon.toString(),
        },
      },
    };
  },
  declined(
    at: AuditLocation,
    d: {
      queryId: number;
      hospitalId: number;
      researcherOrg: number;
      recorder: Hex;
      reasonCode: number;
    },
  ): QueryDeclinedEntry {
    return {
      event: "QueryDeclined",
      contract: "AccessLedger",
      area: "query",
      at,
      actor: d.recorder,
      fields: { ...d, queryId: String(d.queryId), reason: declineReasonName(d.reasonCode) },
    };
  },
  closed(
    at: AuditLocation,
    c: { queryId: number; researcherOrg: number; closedBy: Hex; responseCount: number },
  ): QueryClosedEntry {
    return {
      event: "QueryClosed",
      contract: "AccessLedger",
      area: "query",
      at,
      actor: c.closedBy,
      fields: { ...c, queryId: String(c.queryId) },
    };
  },
  limitSet(
    at: AuditLocation,
    b: { researcherOrg: number; hospitalId: number; setter: Hex; limit: bigint; spent: bigint },
  ): BudgetLimitSetEntry {
    return {
      event: "BudgetLimitSet",
      contract: "AccessLedger",
      area: "budget",
      at,
      actor: b.setter,
      fields: {
        researcherOrg: b.researcherOrg,
        hospitalId: b.hospitalId,
        setter: b.setter,
        limit: b.limit.toString(),
        spent: b.spent.toString(),
      },
    };
  },
  granted(
    at: AuditLocation,
    g: { subject: Hex; custodian: number; actor: Hex; version: number },
  ): ConsentGrantedEntry {
    return {
      event: "ConsentGranted",
      contract: "ConsentRegistry",
      area: "consent",
      at,
      actor: g.actor,
      fields: {
        subject: g.subject,
        custodian: g.custodian,
        actor: g.actor,
        version: g.version,
        purposes: 4,
        categories: 5,
        validFrom: 0,
        validUntil: 0,
        documentHash: hash32(`doc-${g.subject}-${g.version}`),
        purposeLabels: ["HMB"],
        categoryNames: ["DEMOGRAPHICS", "CONDITIONS"],
      },
    };
  },
  updated(
    at: AuditLocation,
    u: { subject: Hex; custodian: number; actor: Hex; version: number },
  ): ConsentUpdatedEntry {
    return {
      event: "ConsentUpdated",
      contract: "ConsentRegistry",
      area: "consent",
      at,
      actor: u.actor,
      fields: {
        subject: u.subject,
        custodian: u.custodian,
        actor: u.actor,
        version: u.version,
        purposes: 2,
        categories: 1,
        validFrom: 0,
        validUntil: 0,
        documentHash: hash32(`doc-${u.subject}-${u.version}`),
        purposeLabels: ["GRU"],
        categoryNames: ["DEMOGRAPHICS"],
      },
    };
  },
  revoked(
    at: AuditLocation,
    r: { subject: Hex; custodian: number; actor: Hex; version: number },
  ): ConsentRevokedEntry {
    return {
      event: "ConsentRevoked",
      contract: "ConsentRegistry",
      area: "consent",
      at,
      actor: r.actor,
      fields: { ...r, documentHash: hash32(`doc-${r.subject}-${r.version}`) },
    };
  },
  accountAdded(at: AuditLocation, a: { orgId: number; account: Hex }): AccountAddedEntry {
    return {
      event: "AccountAdded",
      contract: "Consortium",
      area: "governance",
      at,
      actor: null,
      fields: a,
    };
  },
};
