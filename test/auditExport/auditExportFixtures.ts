/**
 * One audit entry of every event of the three Custos contracts, made the way the node makes
 * them: each log is ABI-encoded with the contract's interface and projected with
 * `projectAuditLog` (the dev-node suite does the same with logs a real chain emitted). The
 * query entries fold into real summaries with `foldQuerySummary`.
 */
import { AbiCoder, getAddress, keccak256, toUtf8Bytes } from "ethers";
import {
  type AuditContracts,
  type AuditEntry,
  type AuditLog,
  foldQuerySummary,
  isQueryEntry,
  projectAuditLog,
  type QuerySummary,
} from "../../src/audit/index.ts";
import type { AuditExportContext } from "../../src/auditExport/index.ts";
import { type Hex, type LedgerContractName, ledgerContracts } from "../../src/ledger/index.ts";

const hash = (label: string): Hex => keccak256(toUtf8Bytes(label)) as Hex;
const address = (label: string): Hex => getAddress(`0x${hash(label).slice(26)}`) as Hex;

/** Contract addresses of the fixture chain (lowercase, as a genesis file may hold them). */
export const fixtureContracts: AuditContracts = {
  consortium: address("consortium").toLowerCase(),
  consentRegistry: address("consentRegistry").toLowerCase(),
  accessLedger: address("accessLedger").toLowerCase(),
};

export const CHAIN_ID = 4242;
/** 2023-11-14T22:13:20Z. */
export const BASE_TIME = 1_700_000_000;

export const accounts = {
  researcher: address("researcher"),
  board: address("board"),
  recorder1: address("recorder-1"),
  recorder2: address("recorder-2"),
  admin1: address("admin-1"),
  patientKey: address("patient-key"),
  delegate: address("delegate"),
  newAccount: address("new-account"),
  validator: address("validator"),
  previousValidator: address("previous-validator"),
} as const;

export const subjects = {
  s1: hash("subject-1"),
  s2: hash("subject-2"),
  t2: hash("subject-2-at-hospital-1"),
} as const;

const ORG = { researcher: 6, board: 7 } as const;
const QUERY_ID = 11n;

interface LogSpec {
  readonly contract: LedgerContractName;
  readonly event: string;
  readonly args: readonly unknown[];
}

const addressOf: Record<LedgerContractName, string> = {
  AccessLedger: fixtureContracts.accessLedger,
  ConsentRegistry: fixtureContracts.consentRegistry,
  Consortium: fixtureContracts.consortium,
};

const coder = AbiCoder.defaultAbiCoder();
const result = [hash("result"), 90n, hash("consent-root"), 120, hash("report"), 250_000n];

/** Every event, in chain order; block n holds spec n. */
const specs: readonly LogSpec[] = [
  {
    contract: "AccessLedger",
    event: "QuerySubmitted",
    args: [
      QUERY_ID,
      ORG.researcher,
      4,
      accounts.researcher,
      hash("spec"),
      4 | 1024,
      4 | 8,
      [1, 2],
      hash("approval"),
      BASE_TIME + 86_400,
    ],
  },
  {
    contract: "AccessLedger",
    event: "QueryApproved",
    args: [QUERY_ID, ORG.board, accounts.board, 1, true],
  },
  {
    contract: "AccessLedger",
    event: "ResultRecorded",
    args: [QUERY_ID, 1, ORG.researcher, accounts.recorder1, result],
  },
  {
    contract: "AccessLedger",
    event: "QueryDeclined",
    args: [QUERY_ID, 2, ORG.researcher, accounts.recorder2, 7],
  },
  {
    contract: "AccessLedger",
    event: "QueryClosed",
    args: [QUERY_ID, ORG.researcher, accounts.researcher, 2],
  },
  {
    contract: "AccessLedger",
    event: "BudgetLimitSet",
    args: [ORG.researcher, 1, accounts.admin1, 5_000_000n, 250_000n],
  },
  { contract: "AccessLedger", event: "RequiredApprovalsChanged", args: [1, 2] },
  {
    contract: "AccessLedger",
    event: "SiteTrailAnchored",
    args: [1, accounts.recorder1, 42n, hash("site-trail-42")],
  },
  {
    contract: "ConsentRegistry",
    event: "ConsentGranted",
    args: [subjects.s1, 1, accounts.recorder1, 1, 4 | 256, 1 | 4, 0, 0, hash("doc-1")],
  },
  {
    contract: "ConsentRegistry",
    event: "ConsentUpdated",
    args: [subjects.s1, 1, accounts.patientKey, 2, 2, 8, 1000, 4_000_000_000, hash("doc-2")],
  },
  {
    contract: "ConsentRegistry",
    event: "ConsentRevoked",
    args: [subjects.s1, 1, accounts.delegate, 3, hash("doc-3")],
  },
  {
    contract: "ConsentRegistry",
    event: "PatientKeyChanged",
    args: [
      subjects.s1,
      1,
      accounts.patientKey,
      accounts.recorder1,
      getAddress(`0x${"0".repeat(40)}`),
    ],
  },
  {
    contract: "ConsentRegistry",
    event: "DelegateAdded",
    args: [subjects.s1, 1, accounts.delegate, accounts.recorder1],
  },
  {
    contract: "ConsentRegistry",
    event: "DelegateRemoved",
    args: [subjects.s1, 1, accounts.delegate, accounts.recorder1],
  },
  {
    contract: "ConsentRegistry",
    event: "SignaturesInvalidated",
    args: [subjects.s1, 1, accounts.recorder1, 4],
  },
  {
    contract: "ConsentRegistry",
    event: "SubjectTransferred",
    args: [subjects.s2, 2, 1, subjects.t2],
  },
  {
    contract: "ConsentRegistry",
    event: "SubjectTransferSkipped",
    args: [
      subjects.s2,
      2,
      1,
      subjects.t2,
      ledgerContracts.ConsentRegistry.iface.getError("ConsentRegistryNotActive")?.selector,
    ],
  },
  { contract: "ConsentRegistry", event: "EIP712DomainChanged", args: [] },
  { contract: "Consortium", event: "OrganisationAdded", args: [8, 3, hash("org-8")] },
  { contract: "Consortium", event: "OrganisationRemoved", args: [8] },
  { contract: "Consortium", event: "RoleChanged", args: [8, 3, 4] },
  { contract: "Consortium", event: "MetadataUpdated", args: [3, hash("renamed")] },
  { contract: "Consortium", event: "AccountAdded", args: [2, accounts.newAccount] },
  { contract: "Consortium", event: "AccountRemoved", args: [2, accounts.newAccount] },
  { contract: "Consortium", event: "RecorderAdded", args: [4, accounts.newAccount] },
  { contract: "Consortium", event: "RecorderRemoved", args: [4, accounts.newAccount] },
  {
    contract: "Consortium",
    event: "ValidatorChanged",
    args: [4, accounts.previousValidator, accounts.validator],
  },
  {
    contract: "Consortium",
    event: "ValidatorSetScheduled",
    args: [27n, [accounts.validator, accounts.previousValidator]],
  },
  {
    contract: "Consortium",
    event: "ProposalCreated",
    args: [3n, 1, accounts.admin1, 1, coder.encode(["uint32"], [5]), 40n, 140n],
  },
  { contract: "Consortium", event: "Voted", args: [3n, 1, accounts.admin1] },
  { contract: "Consortium", event: "ProposalExecuted", args: [3n, accounts.admin1] },
  { contract: "Consortium", event: "ProposalCancelled", args: [4n, accounts.admin1] },
  { contract: "Consortium", event: "GovernanceParametersChanged", args: [1n, 100n] },
];

/** The log of `spec` as eth_getLogs (plus the block time) gives it, in block `n`. */
function logOf(spec: LogSpec, n: number): AuditLog {
  const iface = ledgerContracts[spec.contract].iface;
  const fragment = iface.getEvent(spec.event);
  if (fragment === null) throw new Error(`no event ${spec.event}`);
  const { data, topics } = iface.encodeEventLog(fragment, [...spec.args]);
  return {
    address: addressOf[spec.contract],
    topics,
    data,
    blockNumber: 100 + n,
    blockHash: hash(`block-${100 + n}`),
    blockTimestamp: BASE_TIME + 12 * n,
    transactionHash: hash(`tx-${n}`),
    transactionIndex: n % 3,
    logIndex: n % 5,
  };
}

function project(spec: LogSpec, n: number): AuditEntry {
  const entry = projectAuditLog(logOf(spec, n), fixtureContracts);
  if (entry === null) throw new Error(`${spec.event} projected to null`);
  return entry;
}

/** One entry per event of the audit model, projected from encoded logs. */
export const fixtureEntries: readonly AuditEntry[] = specs.map(project);

/** The entry of `event`. */
export function entryOf<E extends AuditEntry["event"]>(
  event: E,
): Extract<AuditEntry, { event: E }> {
  const entry = fixtureEntries.find((e) => e.event === event);
  if (entry === undefined) throw new Error(`no fixture entry ${event}`);
  return entry as Extract<AuditEntry, { event: E }>;
}

/** The fixture query's summary, folded from its entries. */
export const fixtureSummary: QuerySummary = (() => {
  const summary = foldQuerySummary(fixtureEntries.filter(isQueryEntry));
  if (summary === undefined) throw new Error("no query summary");
  return summary;
})();

/** An export context of the fixture chain that knows the fixture query. */
export const fixtureContext: AuditExportContext = {
  chainId: CHAIN_ID,
  observer: "node-1",
  contracts: fixtureContracts,
  querySummary: (id) => (id === fixtureSummary.queryId ? fixtureSummary : undefined),
};
