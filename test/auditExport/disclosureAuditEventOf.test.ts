import { beforeAll, describe, expect, it } from "vitest";
import { auditEventOf, disclosureAuditEventOf } from "../../src/auditExport/index.ts";
import type { Hex } from "../../src/ledger/index.ts";
import { expectCustosError } from "../expectCustosError.ts";
import { accounts, entryOf, fixtureContext, subjects } from "./auditExportFixtures.ts";
import { balpViolations } from "./balpConformance.ts";
import { type FhirValidators, fhirValidators, schemaErrors } from "./fhirSchema.ts";

let validators: FhirValidators;
beforeAll(() => {
  validators = fhirValidators();
});

describe("disclosureAuditEventOf", () => {
  const result = entryOf("ResultRecorded");
  const event = disclosureAuditEventOf(result, subjects.s1, fixtureContext);

  it("validates against the FHIR R4 JSON schema", () => {
    expect(schemaErrors(validators.auditEvent, event)).toEqual([]);
  });

  it("follows BALP PrivacyDisclosure.Source", () => {
    expect(balpViolations(event, "PrivacyDisclosure.Source")).toEqual([]);
  });

  it("names the subject by its pseudonym at the hospital that released the result", () => {
    expect(event.entity[0]).toEqual({
      what: {
        type: "Patient",
        identifier: {
          system: `urn:custos:subject:${result.fields.hospitalId}`,
          value: subjects.s1,
        },
      },
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
    });
  });

  it("names the hospital the custodian and the researcher the recipient", () => {
    expect(event.agent.map((a) => [a.type.coding?.[0]?.code, a.who.identifier?.value])).toEqual([
      ["110153", "node-1"],
      ["110152", accounts.researcher],
      ["159541003", "1"],
      ["IRCP", "6"],
    ]);
    expect(event.purposeOfEvent?.[0]?.text).toBe("HMB");
    expect(event.entity[1]?.detail).toContainEqual({
      type: "result.consentRoot",
      valueString: result.fields.result.consentRoot,
    });
  });

  it("gives each subject of a result its own id, apart from the result's own event", () => {
    const other = disclosureAuditEventOf(result, subjects.s2, fixtureContext);
    const upper = disclosureAuditEventOf(
      result,
      subjects.s1.toUpperCase().replace("0X", "0x") as Hex,
      fixtureContext,
    );
    expect(other.id).not.toBe(event.id);
    expect(event.id).not.toBe(auditEventOf(result, fixtureContext).id);
    expect(JSON.stringify(upper)).toBe(JSON.stringify(event));
  });

  it("refuses another entry, a malformed pseudonym and an unknown query", () => {
    expectCustosError(
      // @ts-expect-error: a consent entry is not a result
      () => disclosureAuditEventOf(entryOf("ConsentGranted"), subjects.s1, fixtureContext),
      "AUDIT_EXPORT_INPUT_INVALID",
    );
    expectCustosError(
      () => disclosureAuditEventOf(result, "0x1234" as Hex, fixtureContext),
      "AUDIT_EXPORT_INPUT_INVALID",
    );
    expectCustosError(
      () =>
        disclosureAuditEventOf(result, subjects.s1, {
          ...fixtureContext,
          querySummary: () => undefined,
        }),
      "AUDIT_EXPORT_QUERY_UNKNOWN",
    );
  });
});
