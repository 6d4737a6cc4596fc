import { parse } from "csv-parse/sync";
import { describe, expect, it } from "vitest";
import type { AuditEntry, AuditEventName } from "../../src/audit/index.ts";
import { auditCsv, auditJsonLines } from "../../src/auditExport/index.ts";
import { expectCustosError } from "../expectCustosError.ts";
import { fixtureContext, fixtureEntries, subjects } from "./auditExportFixtures.ts";

const COLUMNS = [
  "blockNumber",
  "blockTime",
  "blockHash",
  "txHash",
  "txIndex",
  "logIndex",
  "contract",
  "area",
  "event",
  "actor",
  "queryId",
  "hospital",
  "subject",
  "toHospital",
  "toSubject",
  "purpose",
  "fields",
];

interface Concerns {
  readonly queryId?: string;
  readonly hospital?: number;
  readonly subject?: string;
  readonly toHospital?: number;
  readonly toSubject?: string;
  /** Without query summaries, and with them. */
  readonly purpose?: readonly [string | undefined, string];
}

const s1 = { hospital: 1, subject: subjects.s1 };
const transfer = { hospital: 2, subject: subjects.s2, toHospital: 1, toSubject: subjects.t2 };
const query = { queryId: "11", purpose: [undefined, "HMB"] } as const;

/** What each fixture entry concerns, read off the fixture's logs. */
const concerns: Partial<Record<AuditEventName, Concerns>> = {
  QuerySubmitted: { queryId: "11", purpose: ["HMB", "HMB"] },
  QueryApproved: query,
  ResultRecorded: { ...query, hospital: 1 },
  QueryDeclined: { ...query, hospital: 2 },
  QueryClosed: query,
  BudgetLimitSet: { hospital: 1 },
  SiteTrailAnchored: { hospital: 1 },
  ConsentGranted: { ...s1, purpose: ["HMB NCU", "HMB NCU"] },
  ConsentUpdated: { ...s1, purpose: ["GRU", "GRU"] },
  ConsentRevoked: s1,
  PatientKeyChanged: s1,
  DelegateAdded: s1,
  DelegateRemoved: s1,
  SignaturesInvalidated: s1,
  SubjectTransferred: transfer,
  SubjectTransferSkipped: transfer,
  RecorderAdded: { hospital: 4 },
  RecorderRemoved: { hospital: 4 },
  ValidatorChanged: { hospital: 4 },
  ProposalCreated: { hospital: 1 },
  Voted: { hospital: 1 },
};

/** The row of `entry` as JSON values. */
function expectedRow(entry: AuditEntry, withSummaries: boolean) {
  const c = concerns[entry.event] ?? {};
  return {
    blockNumber: entry.at.blockNumber,
    blockTime: new Date(entry.at.blockTimestamp * 1000).toISOString(),
    blockHash: entry.at.blockHash,
    txHash: entry.at.txHash,
    txIndex: entry.at.txIndex,
    logIndex: entry.at.logIndex,
    contract: entry.contract,
    area: entry.area,
    event: entry.event,
    actor: entry.actor,
    queryId: c.queryId ?? null,
    hospital: c.hospital ?? null,
    subject: c.subject ?? null,
    toHospital: c.toHospital ?? null,
    toSubject: c.toSubject ?? null,
    purpose: c.purpose?.[withSummaries ? 1 : 0] ?? null,
    fields: entry.fields,
  };
}

/** The same row as CSV cells: strings, empty for none, fields as JSON. */
function expectedRecord(entry: AuditEntry, withSummaries: boolean): Record<string, string> {
  const row = expectedRow(entry, withSummaries);
  return Object.fromEntries(
    Object.entries(row).map(([key, value]) => [
      key,
      value === null ? "" : key === "fields" ? JSON.stringify(value) : String(value),
    ]),
  );
}

const summaries = { querySummary: fixtureContext.querySummary };

describe("auditCsv", () => {
  it.each([
    ["without query summaries", false],
    ["with query summaries", true],
  ])("round-trips through csv-parse to each entry's values, %s", (_, withSummaries) => {
    const csv = auditCsv(fixtureEntries, withSummaries ? summaries : {});
    const records = parse(csv, { columns: true }) as Record<string, string>[];
    expect(records).toEqual(fixtureEntries.map((e) => expectedRecord(e, withSummaries)));
    for (const [i, record] of records.entries()) {
      expect(JSON.parse(record.fields ?? "")).toEqual(fixtureEntries[i]?.fields);
    }
  });

  it("writes RFC 4180: a header of the columns, CRLF line ends, quotes where needed", () => {
    const csv = auditCsv(fixtureEntries);
    const lines = csv.split("\r\n");
    expect(lines[0]).toBe(COLUMNS.join(","));
    expect(lines).toHaveLength(fixtureEntries.length + 2);
    expect(lines.at(-1)).toBe("");
    expect(csv.replaceAll("\r\n", "")).not.toContain("\n");
    expect(lines[1]).toMatch(/,"\{""queryId"":""11"",/);
  });

  it("is the same bytes for the same entries", () => {
    expect(auditCsv(JSON.parse(JSON.stringify(fixtureEntries)))).toBe(auditCsv(fixtureEntries));
  });

  it("writes only the header for no entries, and pages without it on request", () => {
    expect(auditCsv([])).toBe(`${COLUMNS.join(",")}\r\n`);
    const pages =
      auditCsv(fixtureEntries.slice(0, 5)) + auditCsv(fixtureEntries.slice(5), { header: false });
    expect(pages).toBe(auditCsv(fixtureEntries));
  });

  it("refuses what is not an audit entry", () => {
    expectCustosError(
      () => auditCsv([{ ...fixtureEntries[0], event: "Nope" } as unknown as AuditEntry]),
      "AUDIT_EXPORT_INPUT_INVALID",
    );
  });
});

describe("auditJsonLines", () => {
  it("writes one row per line, each the entry's values, with a newline after each", () => {
    const text = auditJsonLines(fixtureEntries, summaries);
    expect(text.endsWith("\n")).toBe(true);
    const lines = text.slice(0, -1).split("\n");
    expect(lines.map((line) => JSON.parse(line))).toEqual(
      fixtureEntries.map((e) => expectedRow(e, true)),
    );
    expect(Object.keys(JSON.parse(lines[0] ?? ""))).toEqual(COLUMNS);
  });

  it("is the same bytes for the same entries, concatenates by pages, and is empty for none", () => {
    const all = auditJsonLines(fixtureEntries);
    expect(auditJsonLines(JSON.parse(JSON.stringify(fixtureEntries)))).toBe(all);
    expect(
      auditJsonLines(fixtureEntries.slice(0, 7)) + auditJsonLines(fixtureEntries.slice(7)),
    ).toBe(all);
    expect(auditJsonLines([])).toBe("");
  });
});
