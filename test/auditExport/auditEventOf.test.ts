import { getAddress } from "ethers";
import { beforeAll, describe, expect, it } from "vitest";
import type { AuditEntry, AuditEventName } from "../../src/audit/index.ts";
import { auditEventOf, type FhirAuditEvent } from "../../src/auditExport/index.ts";
import { nameBasedUuid } from "../../src/auditExport/nameBasedUuid.ts";
import { ledgerContracts } from "../../src/ledger/index.ts";
import { expectCustosError } from "../expectCustosError.ts";
import {
  accounts,
  CHAIN_ID,
  entryOf,
  fixtureContext,
  fixtureContracts,
  fixtureEntries,
  fixtureSummary,
  subjects,
} from "./auditExportFixtures.ts";
import { balpViolations } from "./balpConformance.ts";
import { expectedPattern, patterns } from "./expectedPatterns.ts";
import { type FhirValidators, fhirValidators, schemaErrors } from "./fhirSchema.ts";

/** The patient (custodian, pseudonym) each consent-record event names. */
const patients: Partial<Record<AuditEventName, readonly [number, string]>> = {
  ConsentGranted: [1, subjects.s1],
  ConsentUpdated: [1, subjects.s1],
  ConsentRevoked: [1, subjects.s1],
  PatientKeyChanged: [1, subjects.s1],
  DelegateAdded: [1, subjects.s1],
  DelegateRemoved: [1, subjects.s1],
  SignaturesInvalidated: [1, subjects.s1],
  SubjectTransferred: [2, subjects.s2],
  SubjectTransferSkipped: [2, subjects.s2],
};

const ACCOUNT_SYSTEM = "https://w3id.org/custos/fhir/NamingSystem/ethereum-address";

let validators: FhirValidators;
beforeAll(() => {
  validators = fhirValidators();
});

const eventOf = (entry: AuditEntry): FhirAuditEvent => auditEventOf(entry, fixtureContext);

/** Every object in a JSON value, depth first. */
function objectsIn(value: unknown): Record<string, unknown>[] {
  if (typeof value !== "object" || value === null) return [];
  const own = Array.isArray(value) ? [] : [value as Record<string, unknown>];
  return [...own, ...Object.values(value).flatMap(objectsIn)];
}

describe("auditEventOf", () => {
  it("has one fixture entry per event of the three contracts", () => {
    const all: string[] = [];
    for (const name of ["AccessLedger", "ConsentRegistry", "Consortium"] as const) {
      ledgerContracts[name].iface.forEachEvent((fragment) => {
        all.push(fragment.name);
      });
    }
    expect(fixtureEntries.map((e) => e.event).sort()).toEqual(all.sort());
    expect(Object.keys(patterns).sort()).toEqual(all.sort());
  });

  describe.each(fixtureEntries.map((entry) => [entry.event, entry] as const))("%s", (_, entry) => {
    const event = eventOf(entry);
    const [profile, failure] = expectedPattern(entry.event);

    it("validates against the FHIR R4 JSON schema", () => {
      expect(schemaErrors(validators.auditEvent, event)).toEqual([]);
    });

    it(`follows BALP ${profile}${failure ? " with a failure outcome" : ""}`, () => {
      expect(balpViolations(event, profile, failure)).toEqual([]);
    });

    it("names the patient by its pseudonym only, or no patient at all", () => {
      const patient = patients[entry.event];
      const patientEntities = event.entity.filter((e) => e.role?.code === "1");
      const patientRefs = objectsIn(event).filter((o) => o.type === "Patient");
      if (patient === undefined) {
        expect(patientEntities).toEqual([]);
        expect(patientRefs).toEqual([]);
        return;
      }
      const [custodian, subject] = patient;
      const pseudonymRef = {
        type: "Patient",
        identifier: { system: `urn:custos:subject:${custodian}`, value: subject },
      };
      expect(patientEntities).toEqual([
        {
          what: pseudonymRef,
          type: {
            system: "http://terminology.hl7.org/CodeSystem/audit-entity-type",
            code: "1",
            display: "Person",
          },
          role: {
            system: "http://terminology.hl7.org/CodeSystem/object-role",
            code: "1",
            display: "Patient",
          },
        },
      ]);
      expect(patientRefs).toEqual([pseudonymRef]);
    });

    it("is recorded at the block time by the observing node", () => {
      expect(Date.parse(event.recorded) / 1000).toBe(entry.at.blockTimestamp);
      expect(event.source).toEqual({
        site: `eip155:${CHAIN_ID}`,
        observer: { identifier: { system: `urn:custos:node:${CHAIN_ID}`, value: "node-1" } },
        type: [
          {
            system: "http://terminology.hl7.org/CodeSystem/security-source-type",
            code: "4",
            display: "Application Server",
          },
        ],
      });
    });

    it("carries the chain location for proofs", () => {
      const location = event.entity.find(
        (e) => e.what?.identifier?.system === "urn:custos:tx:4242",
      );
      expect(location?.what?.identifier?.value).toBe(entry.at.txHash);
      expect(location?.name).toBe(`${entry.contract}.${entry.event}`);
      expect(location?.detail).toEqual([
        { type: "blockNumber", valueString: String(entry.at.blockNumber) },
        { type: "blockHash", valueString: entry.at.blockHash },
        { type: "blockTimestamp", valueString: String(entry.at.blockTimestamp) },
        { type: "txHash", valueString: entry.at.txHash },
        { type: "txIndex", valueString: String(entry.at.txIndex) },
        { type: "logIndex", valueString: String(entry.at.logIndex) },
      ]);
    });

    it("has an agent for the acting account", () => {
      const ids = event.agent.map((a) => a.who.identifier);
      if (entry.actor !== null) {
        expect(ids).toContainEqual({ system: ACCOUNT_SYSTEM, value: entry.actor });
      } else if (entry.event.startsWith("SubjectTransfer")) {
        expect(ids).toContainEqual({
          system: ACCOUNT_SYSTEM,
          value: getAddress(fixtureContracts.consortium),
        });
      } else {
        expect(ids).toContainEqual({ system: "urn:custos:tx:4242", value: entry.at.txHash });
      }
    });

    it("is the same bytes every time, also from the entry's JSON", () => {
      const again = auditEventOf(JSON.parse(JSON.stringify(entry)), fixtureContext);
      expect(JSON.stringify(again)).toBe(JSON.stringify(event));
    });
  });

  it("gives every entry its own version 5 UUID", () => {
    const ids = fixtureEntries.map((e) => eventOf(e).id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) {
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    }
  });

  it("derives UUIDs as RFC 9562 version 5 does", () => {
    // The DNS-namespace example every v5 implementation reproduces (e.g. Python's uuid5).
    expect(nameBasedUuid("6ba7b810-9dad-11d1-80b4-00c04fd430c8", "www.example.com")).toBe(
      "2ed6657d-e927-568b-95e1-2665a8aea6a2",
    );
  });

  it("records a submission as a Create of the query by the researcher organisation", () => {
    const event = eventOf(entryOf("QuerySubmitted"));
    expect(event.recorded).toBe("2023-11-14T22:13:20.000Z");
    expect(event.entity[0]?.what).toEqual({
      identifier: { system: "urn:custos:query:4242", value: "11" },
    });
    expect(event.purposeOfEvent).toEqual([
      {
        coding: [
          {
            system: "http://purl.obolibrary.org/obo/duo",
            code: "DUO:0000006",
            display: "health or medical or biomedical research",
          },
        ],
        text: "HMB",
      },
    ]);
    expect(event.agent[2]).toMatchObject({
      type: { coding: [{ code: "AUT" }] },
      who: { type: "Organization", identifier: { system: "urn:custos:org:4242", value: "6" } },
      requestor: true,
    });
    expect(event.agent[0]).toMatchObject({
      who: { identifier: { value: accounts.researcher } },
      requestor: false,
      network: { address: `eip155:4242:${accounts.researcher}`, type: "5" },
    });
  });

  it("gives an approval the query's purpose when the context knows the query", () => {
    const approved = entryOf("QueryApproved");
    expect(eventOf(approved).purposeOfEvent?.[0]?.text).toBe("HMB");
    const { querySummary: _, ...blind } = fixtureContext;
    expect(auditEventOf(approved, blind).purposeOfEvent).toBeUndefined();
  });

  it("records a result as the researcher's query run by the hospital, released to the researcher organisation", () => {
    const entry = entryOf("ResultRecorded");
    const event = eventOf(entry);
    expect(event.subtype.map((c) => c.code)).toEqual(["search-system", "disclose"]);
    expect(event.agent.map((a) => [a.type.coding?.[0]?.code, a.who.identifier?.value])).toEqual([
      ["110153", accounts.researcher],
      ["110152", accounts.recorder1],
      ["IRCP", "6"],
      ["custodian", "1"],
    ]);
    const request = JSON.parse(atob(event.entity[0]?.query ?? ""));
    expect(request).toEqual({
      approvalRef: fixtureSummary.approvalRef,
      categories: 12,
      expiry: fixtureSummary.expiry,
      purpose: 4,
      queryId: "11",
      researcher: accounts.researcher,
      researcherOrg: 6,
      specHash: fixtureSummary.specHash,
      targets: [1, 2],
      use: 1028,
    });
    const record = event.entity[1];
    expect(record?.what?.identifier).toEqual({ system: "urn:custos:query:4242", value: "11" });
    expect(record?.detail).toEqual(
      expect.arrayContaining([
        { type: "result.resultHash", valueString: entry.fields.result.resultHash },
        { type: "result.consentRoot", valueString: entry.fields.result.consentRoot },
        { type: "result.consentBlock", valueString: "90" },
        { type: "result.epsilon", valueString: "250000" },
      ]),
    );
  });

  it("records a decline as a failed query with its reason", () => {
    const event = eventOf(entryOf("QueryDeclined"));
    expect(event.outcome).toBe("4");
    expect(event.outcomeDesc).toBe("declined by hospital 2: cohortTooSmall (code 7)");
    expect(event.meta).toBeUndefined();
    expect(event.subtype.map((c) => c.code)).toEqual(["search-system"]);
  });

  it("records a site-trail anchor as an Update of the hospital's trail by its recorder", () => {
    const entry = entryOf("SiteTrailAnchored");
    const event = eventOf(entry);
    expect([event.action, event.outcome, event.subtype.map((c) => c.code)]).toEqual([
      "U",
      "0",
      ["update"],
    ]);
    expect(event.entity[0]?.what).toEqual({
      identifier: { system: "urn:custos:site-trail:4242", value: "1" },
    });
    expect(event.entity[0]?.detail).toEqual([
      { type: "hospitalId", valueString: "1" },
      { type: "recorder", valueString: accounts.recorder1 },
      { type: "sequence", valueString: "42" },
      { type: "head", valueString: entry.fields.head },
    ]);
    expect(event.agent.map((a) => [a.type.coding?.[0]?.code, a.who.identifier?.value])).toEqual([
      ["110153", accounts.recorder1],
      ["110152", getAddress(fixtureContracts.accessLedger)],
      ["AUT", "1"],
    ]);
    expect(event.entity.at(-1)?.name).toBe("AccessLedger.SiteTrailAnchored");
  });

  it("records a skipped transfer as a failed update with the contract's reason", () => {
    const event = eventOf(entryOf("SubjectTransferSkipped"));
    expect(event.outcome).toBe("4");
    expect(event.outcomeDesc).toBe("transfer skipped: ConsentRegistryNotActive");
  });

  it("names the contracts by their checksummed addresses", () => {
    const event = eventOf(entryOf("ConsentRevoked"));
    expect(event.agent[1]?.who).toEqual({
      identifier: {
        system: "urn:custos:contract:4242",
        value: getAddress(fixtureContracts.consentRegistry),
      },
      display: "ConsentRegistry",
    });
  });
});

describe("auditEventOf refuses", () => {
  const entry = entryOf("ConsentGranted");

  it.each([
    ["a zero chain id", { chainId: 0 }],
    ["a fractional chain id", { chainId: 1.5 }],
    ["an empty observer", { observer: " " }],
    [
      "a contract address that is not one",
      { contracts: { ...fixtureContracts, consortium: "0x12" } },
    ],
    [
      "a contract address with a wrong checksum",
      {
        contracts: {
          ...fixtureContracts,
          accessLedger: "0xAAaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        },
      },
    ],
  ])("a context with %s", (_, change) => {
    const error = expectCustosError(
      () => auditEventOf(entry, { ...fixtureContext, ...change }),
      "AUDIT_EXPORT_INPUT_INVALID",
    );
    expect(error.details.field).toMatch(/^context\./);
  });

  it.each([
    ["an unknown event", { ...entry, event: "ConsentStolen" }],
    ["an event of another contract", { ...entry, contract: "AccessLedger" }],
    ["a block hash that is not one", { ...entry, at: { ...entry.at, blockHash: "0x1234" } }],
    ["a negative log index", { ...entry, at: { ...entry.at, logIndex: -1 } }],
    ["a time past year 9999", { ...entry, at: { ...entry.at, blockTimestamp: 1e15 } }],
  ])("an entry with %s", (_, bad) => {
    expectCustosError(
      () => auditEventOf(bad as AuditEntry, fixtureContext),
      "AUDIT_EXPORT_INPUT_INVALID",
    );
  });

  it("a result or decline whose query the context does not know", () => {
    for (const event of ["ResultRecorded", "QueryDeclined"] as const) {
      const error = expectCustosError(
        () => auditEventOf(entryOf(event), { ...fixtureContext, querySummary: () => undefined }),
        "AUDIT_EXPORT_QUERY_UNKNOWN",
      );
      expect(error.details).toEqual({ queryId: "11" });
    }
  });
});
