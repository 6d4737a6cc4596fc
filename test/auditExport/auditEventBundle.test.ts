import { beforeAll, describe, expect, it } from "vitest";
import { auditEventBundle, auditEventOf } from "../../src/auditExport/index.ts";
import { expectCustosError } from "../expectCustosError.ts";
import { fixtureContext, fixtureEntries } from "./auditExportFixtures.ts";
import { type FhirValidators, fhirValidators, schemaErrors } from "./fhirSchema.ts";

let validators: FhirValidators;
beforeAll(() => {
  validators = fhirValidators();
});

describe("auditEventBundle", () => {
  const bundle = auditEventBundle(fixtureEntries, fixtureContext);

  it("validates against the FHIR R4 JSON schema", () => {
    expect(schemaErrors(validators.bundle, bundle)).toEqual([]);
  });

  it("is a collection of the entries' AuditEvents, in order, each at urn:uuid:<its id>", () => {
    expect(bundle.type).toBe("collection");
    expect(bundle.entry?.map((e) => e.resource)).toEqual(
      fixtureEntries.map((entry) => auditEventOf(entry, fixtureContext)),
    );
    for (const { fullUrl, resource } of bundle.entry ?? [])
      expect(fullUrl).toBe(`urn:uuid:${resource.id}`);
  });

  it("is the same bytes for the same entries, and another bundle for others", () => {
    const again = auditEventBundle(JSON.parse(JSON.stringify(fixtureEntries)), fixtureContext);
    expect(JSON.stringify(again)).toBe(JSON.stringify(bundle));
    const fewer = auditEventBundle(fixtureEntries.slice(1), fixtureContext);
    expect(fewer.id).not.toBe(bundle.id);
    expect(fewer.entry?.[0]).toEqual(bundle.entry?.[1]);
  });

  it("is a collection without entries for no entries (FHIR JSON has no empty arrays)", () => {
    const empty = auditEventBundle([], fixtureContext);
    expect(empty).not.toHaveProperty("entry");
    expect(schemaErrors(validators.bundle, empty)).toEqual([]);
  });

  it("refuses two entries of the same log", () => {
    const first = fixtureEntries[0];
    if (first === undefined) throw new Error("no entries");
    const error = expectCustosError(
      () => auditEventBundle([first, ...fixtureEntries.slice(1, 3), first], fixtureContext),
      "AUDIT_EXPORT_INPUT_INVALID",
    );
    expect(error.details.field).toBe("entries[3]");
  });
});
