import { describe, expect, it } from "vitest";
import { consentFromFhir, fhirSystems } from "../../src/consent/index.ts";
import type { ErrorCode } from "../../src/errors/index.ts";
import { expectCustosError } from "../expectCustosError.ts";
import { canonicalHash, fixture, pseudonymiseSubject } from "./fhir/consentFixtures.ts";

const options = { pseudonymiseSubject };

/** Where and why `document` is refused with `code`. */
function failure(
  document: unknown,
  code: ErrorCode = "CONSENT_FHIR_UNSUPPORTED",
): { path: unknown; reason: unknown } {
  const { details } = expectCustosError(() => consentFromFhir(document, options), code);
  return { path: details.path, reason: details.reason };
}

/**
 * A copy of a fixture with edits applied, for pinning the next refusal in line. Keys are
 * dotted paths ("provision.provision.0.data"); `undefined` deletes the member.
 */
function patched(name: string, edits: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const doc = structuredClone(fixture(name));
  for (const [path, value] of Object.entries(edits)) {
    const keys = path.split(".");
    const last = keys.pop() as string;
    let node = doc as Record<string, unknown>;
    for (const key of keys) node = node[key] as Record<string, unknown>;
    if (value === undefined) delete node[last];
    else node[last] = value;
  }
  return doc;
}

const research = { "scope.coding.0.code": "research" };

describe("consentFromFhir on the HL7 R4 examples (privacy consents: all refused)", () => {
  // Each is a patient-privacy consent: the scope is the first thing that cannot be registered.
  it.each([
    "Consent-consent-example-basic.json",
    "Consent-consent-example-grantor.json",
    "Consent-consent-example-notThem.json",
    "Consent-consent-example-notTime.json",
  ])("%s → CONSENT_FHIR_UNSUPPORTED at Consent.scope", (name) => {
    expect(failure(fixture(name))).toEqual({
      path: "Consent.scope",
      reason: "only research consents (consentscope#research) are registered",
    });
  });

  it("pins what else each example would hit if it were a research consent", () => {
    // basic and notTime: the root provision has no type (only a period).
    expect(failure(patched("Consent-consent-example-basic.json", research)).path).toBe(
      "Consent.provision.type",
    );
    expect(failure(patched("Consent-consent-example-notTime.json", research)).path).toBe(
      "Consent.provision.type",
    );
    // basic as a permit: its period starts in 1964, before on-chain unsigned time.
    expect(
      failure(
        patched("Consent-consent-example-basic.json", {
          ...research,
          "provision.type": "permit",
        }),
      ),
    ).toEqual({
      path: "Consent.provision.period.start",
      reason: "times before 1970 are not representable",
    });
    // grantor: an information-access category (v3 INFAO), then an opt-out policy.
    expect(failure(patched("Consent-consent-example-grantor.json", research)).path).toBe(
      "Consent.category[0]",
    );
    expect(
      failure(
        patched("Consent-consent-example-grantor.json", {
          ...research,
          category: [{ coding: [{ system: "http://loinc.org", code: "59284-0" }] }],
        }),
      ).path,
    ).toBe("Consent.policyRule");
    // notThem as a permit: its PRCP actor is a representable grantee, the "correct" action is not.
    expect(
      failure(
        patched("Consent-consent-example-notThem.json", {
          ...research,
          "provision.type": "permit",
        }),
      ),
    ).toEqual({
      path: "Consent.provision.action[1]",
      reason: "research use covers only the actions access, use and disclose",
    });
  });

  it("never puts the patient reference or name into an error", () => {
    let refusals = 0;
    for (const name of [
      "Consent-consent-example-basic.json",
      "Consent-consent-example-notThem.json",
    ]) {
      try {
        consentFromFhir(patched(name, { ...research, "provision.type": "permit" }), options);
      } catch (error) {
        refusals++;
        expect(JSON.stringify(error)).not.toMatch(/f001|Heuvel/);
        expect(String(error)).not.toMatch(/f001|Heuvel/);
      }
    }
    expect(refusals).toBe(2);
  });
});

const GRU = "research-gru-nested-deny.json";
const DS = "research-ds-omop.json";

describe("consentFromFhir on research consents", () => {
  it("folds nested denies into DUO words: deny POA under GRU → NPOA, deny Observation except measurements", () => {
    const doc = fixture(GRU);
    const record = consentFromFhir(doc, options);
    expect(record).toEqual({
      subject: pseudonymiseSubject({ reference: "Patient/p-123" }),
      status: "active",
      permissions: ["GRU"],
      conditions: ["NCU", "IRB", "NPOA"],
      categories: ["DEMOGRAPHICS", "CONDITIONS", "DRUGS", "MEASUREMENTS", "GENOMICS"],
      validFrom: Date.UTC(2024, 2, 1) / 1000,
      validUntil: Date.UTC(2034, 1, 28, 23, 59, 59) / 1000,
      recordedAt: Date.UTC(2024, 2, 1, 9) / 1000,
      grantees: ["Organization/university-research"],
      custodians: ["Organization/hospital-a"],
      delegates: [],
      diseaseCodes: [],
      documentHash: canonicalHash(doc),
    });
    expect(JSON.stringify(record)).not.toContain("p-123");
  });

  it("maps HL7 HRESCH, DS with diseases, whole OMOP categories and a delegate", () => {
    const doc = fixture(DS);
    const record = consentFromFhir(doc, options);
    expect(record).toMatchObject({
      permissions: ["DS"],
      conditions: [],
      categories: ["DEMOGRAPHICS", "CONDITIONS", "MEASUREMENTS"],
      validFrom: Date.UTC(2025, 6, 1) / 1000,
      recordedAt: Date.UTC(2025, 5, 30) / 1000,
      delegates: ["0x00000000000000000000000000000000000000aa"],
      diseaseCodes: [{ system: "http://purl.obolibrary.org/obo/mondo.owl", code: "MONDO:0005148" }],
      documentHash: canonicalHash(doc),
    });
    expect(record.validUntil).toBeUndefined();
    expect(record.subject).toBe(
      pseudonymiseSubject({
        identifier: { system: "urn:oid:2.16.840.1.113883.2.1.4.1", value: "9434765919" },
      }),
    );
  });

  it("treats a permit without purposes or classes as NRES over every category", () => {
    const record = consentFromFhir(
      patched(GRU, {
        "provision.purpose": undefined,
        "provision.class": undefined,
        "provision.provision": undefined,
      }),
      options,
    );
    expect(record.permissions).toEqual(["NRES"]);
    expect(record.categories).toHaveLength(14);
  });

  const duo = (code: string) => ({ system: fhirSystems.duo, code });
  const omop = (code: string) => ({ system: fhirSystems.omopTable, code });
  it.each<[string, string, Readonly<Record<string, unknown>>, ErrorCode, string]>([
    [
      "not a Consent",
      GRU,
      { resourceType: "Patient" },
      "CONSENT_FHIR_INVALID",
      "Consent.resourceType",
    ],
    ["draft status", GRU, { status: "draft" }, "CONSENT_FHIR_UNSUPPORTED", "Consent.status"],
    [
      "a modifier extension",
      GRU,
      { modifierExtension: [{}] },
      "CONSENT_FHIR_UNSUPPORTED",
      "Consent.modifierExtension",
    ],
    [
      "an external policy",
      GRU,
      { policy: [{ uri: "x" }] },
      "CONSENT_FHIR_UNSUPPORTED",
      "Consent.policy",
    ],
    ["no patient", GRU, { patient: undefined }, "CONSENT_FHIR_UNSUPPORTED", "Consent.patient"],
    [
      "a root deny",
      GRU,
      { "provision.type": "deny" },
      "CONSENT_FHIR_UNSUPPORTED",
      "Consent.provision.type",
    ],
    [
      "instance data in a deny",
      GRU,
      { "provision.provision.0.data": [{ meaning: "instance" }] },
      "CONSENT_FHIR_UNSUPPORTED",
      "Consent.provision.provision[0].data",
    ],
    [
      "a code-level rule",
      GRU,
      { "provision.code": [{ text: "x" }] },
      "CONSENT_FHIR_UNSUPPORTED",
      "Consent.provision.code",
    ],
    [
      "a security label",
      GRU,
      { "provision.securityLabel": [{ code: "R" }] },
      "CONSENT_FHIR_UNSUPPORTED",
      "Consent.provision.securityLabel",
    ],
    [
      "a data period",
      GRU,
      { "provision.dataPeriod": { start: "2020-01-01" } },
      "CONSENT_FHIR_UNSUPPORTED",
      "Consent.provision.dataPeriod",
    ],
    [
      "a period on a nested deny",
      GRU,
      { "provision.provision.0.period": { start: "2025-01-01" } },
      "CONSENT_FHIR_UNSUPPORTED",
      "Consent.provision.provision[0].period",
    ],
    [
      "a permit nested in the permit",
      GRU,
      { "provision.provision.0.type": "permit" },
      "CONSENT_FHIR_UNSUPPORTED",
      "Consent.provision.provision[0].type",
    ],
    [
      "a deny of purposes and classes at once",
      GRU,
      { "provision.provision.0.class": [omop("NOTE")] },
      "CONSENT_FHIR_UNSUPPORTED",
      "Consent.provision.provision[0]",
    ],
    [
      "HMB denied inside GRU",
      GRU,
      { "provision.provision.0.purpose": [duo("DUO:0000006")] },
      "CONSENT_FHIR_UNSUPPORTED",
      "Consent.provision.provision[0].purpose[0]",
    ],
    [
      "a denied modifier",
      GRU,
      { "provision.provision.0.purpose": [duo("DUO:0000046")] },
      "CONSENT_FHIR_UNSUPPORTED",
      "Consent.provision.provision[0].purpose[0]",
    ],
    [
      "a re-permit outside its deny",
      GRU,
      { "provision.provision.1.provision.0.class.0.code": "DRUGS" },
      "CONSENT_FHIR_UNSUPPORTED",
      "Consent.provision.provision[1].provision[0].class",
    ],
    [
      "a v3 purpose without DUO twin",
      GRU,
      { "provision.purpose.0": { system: fhirSystems.v3ActReason, code: "ETREAT" } },
      "CONSENT_FHIR_UNSUPPORTED",
      "Consent.provision.purpose[0]",
    ],
    [
      "a DUO term without a bit",
      GRU,
      { "provision.purpose.0.code": "DUO:0000018" },
      "CONSENT_FHIR_UNSUPPORTED",
      "Consent.provision.purpose[0]",
    ],
    [
      "an unknown class",
      GRU,
      { "provision.class.0.code": "Appointment" },
      "CONSENT_FHIR_UNSUPPORTED",
      "Consent.provision.class[0]",
    ],
    [
      "a custodian actor role",
      GRU,
      { "provision.actor.0.role.coding.0.code": "CST" },
      "CONSENT_FHIR_UNSUPPORTED",
      "Consent.provision.actor[0].role",
    ],
    [
      "a patient as grantee",
      GRU,
      { "provision.actor.0.reference.reference": "Patient/p-9" },
      "CONSENT_FHIR_UNSUPPORTED",
      "Consent.provision.actor[0].reference",
    ],
    [
      "fractional seconds",
      GRU,
      { dateTime: "2024-03-01T10:00:00.5Z" },
      "CONSENT_FHIR_UNSUPPORTED",
      "Consent.dateTime",
    ],
    [
      "a partial date",
      GRU,
      { "provision.period.end": "2034" },
      "CONSENT_FHIR_UNSUPPORTED",
      "Consent.provision.period.end",
    ],
    [
      "an impossible date",
      GRU,
      { "provision.period.end": "2034-02-30" },
      "CONSENT_FHIR_INVALID",
      "Consent.provision.period.end",
    ],
    [
      "a period ending before it starts",
      GRU,
      { "provision.period.end": "2020-01-01" },
      "CONSENT_FHIR_INVALID",
      "Consent.provision.period",
    ],
    [
      "a primitive extension",
      GRU,
      { _status: { extension: [] } },
      "CONSENT_FHIR_UNSUPPORTED",
      "Consent._status",
    ],
    [
      "contradictory scope codings",
      GRU,
      { "scope.coding.1": { system: fhirSystems.consentScope, code: "treatment" } },
      "CONSENT_FHIR_INVALID",
      "Consent.scope",
    ],
    [
      "a partial OMOP category",
      DS,
      { "provision.class.4": omop("MEASUREMENT") },
      "CONSENT_FHIR_UNSUPPORTED",
      "Consent.provision.class[3]",
    ],
    [
      "DS without disease",
      DS,
      { "provision.extension": undefined },
      "CONSENT_FHIR_UNSUPPORTED",
      "Consent.provision",
    ],
    [
      "an unknown extension",
      DS,
      { "provision.extension.0.url": "http://example.org/x" },
      "CONSENT_FHIR_UNSUPPORTED",
      "Consent.provision.extension[0]",
    ],
    [
      "a performer by literal reference",
      DS,
      { "performer.0": { reference: "RelatedPerson/r1" } },
      "CONSENT_FHIR_UNSUPPORTED",
      "Consent.performer[0]",
    ],
    [
      "a deny leaving no purpose",
      DS,
      { "provision.provision.0.purpose.1": duo("DUO:0000007") },
      "CONSENT_FHIR_UNSUPPORTED",
      "Consent.provision.provision",
    ],
    [
      "a malformed delegate address",
      DS,
      { "performer.0.identifier.value": "0x12" },
      "CONSENT_FHIR_UNSUPPORTED",
      "Consent.performer",
    ],
    ["an empty category array", DS, { category: [] }, "CONSENT_FHIR_INVALID", "Consent.category"],
  ])("refuses %s", (_what, name, edits, code, path) => {
    const refusal = failure(patched(name, edits), code);
    expect(refusal.path).toBe(path);
    expect(typeof refusal.reason).toBe("string");
  });

  it("accepts a self-performer and ignores narrative, ids, meta and source attachments", () => {
    const doc = patched(GRU, {
      performer: [{ reference: "Patient/p-123" }],
      identifier: [{ system: "urn:x", value: "doc-1" }],
      sourceAttachment: { title: "signed form" },
      meta: { versionId: "2" },
    });
    const record = consentFromFhir(doc, options);
    expect(record.delegates).toEqual([]);
    expect(record.documentHash).toBe(canonicalHash(doc));
    expect(record.documentHash).not.toBe(canonicalHash(fixture(GRU)));
  });
});
