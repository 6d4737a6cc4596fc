import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { canonicalHash } from "../../src/canonical/index.ts";
import {
  type ConsentRecord,
  consentFromFhir,
  consentStatuses,
  consentToFhir,
  type DataCategory,
  dataCategories,
  MAX_CONSENT_TIME,
  type PurposeLabel,
  purposeCodes,
  validateConsentRecord,
} from "../../src/consent/index.ts";
import { fixture, pseudonymiseSubject } from "./fhir/consentFixtures.ts";

const labels = Object.keys(purposeCodes) as PurposeLabel[];
const permissionLabels = labels.filter((l) => purposeCodes[l].kind === "permission");
const conditionLabels = labels.filter((l) => purposeCodes[l].kind === "condition");
const categoryNames = Object.keys(dataCategories) as DataCategory[];
const hex = (bytes: number) =>
  fc
    .uint8Array({ minLength: bytes, maxLength: bytes })
    .map((b) => `0x${Buffer.from(b).toString("hex")}`);
const time = fc.integer({ min: 0, max: MAX_CONSENT_TIME });
const refId = fc.stringMatching(/^[A-Za-z0-9\-.]{1,20}$/);

const recordArb: fc.Arbitrary<ConsentRecord> = fc
  .record(
    {
      subject: hex(32),
      status: fc.constantFrom(...consentStatuses),
      permissions: fc.subarray(permissionLabels, { minLength: 1 }),
      conditions: fc.subarray(conditionLabels),
      categories: fc.subarray(categoryNames, { minLength: 1 }),
      validFrom: time,
      validUntil: time,
      recordedAt: time,
      grantees: fc.uniqueArray(
        fc
          .tuple(fc.constantFrom("Organization", "Practitioner", "ResearchStudy"), refId)
          .map(([t, id]) => `${t}/${id}`),
        { maxLength: 3 },
      ),
      custodians: fc.uniqueArray(
        refId.map((id) => `Organization/${id}`),
        { maxLength: 2 },
      ),
      delegates: fc.uniqueArray(hex(20), { maxLength: 2 }),
      diseases: fc.uniqueArray(
        fc.record({
          system: fc.constantFrom(
            "http://purl.obolibrary.org/obo/mondo.owl",
            "http://hl7.org/fhir/sid/icd-10",
          ),
          code: fc.stringMatching(/^[A-Z0-9:.]{1,12}$/),
        }),
        { minLength: 1, maxLength: 3, selector: (d) => `${d.system} ${d.code}` },
      ),
      documentHash: hex(32),
    },
    {
      requiredKeys: [
        "subject",
        "status",
        "permissions",
        "conditions",
        "categories",
        "grantees",
        "custodians",
        "delegates",
        "diseases",
        "documentHash",
      ],
    },
  )
  .map(({ diseases, validFrom, validUntil, ...rest }) => {
    const [from, until] =
      validFrom !== undefined && validUntil !== undefined && validFrom > validUntil
        ? [validUntil, validFrom]
        : [validFrom, validUntil];
    return validateConsentRecord({
      ...rest,
      ...(from === undefined ? {} : { validFrom: from }),
      ...(until === undefined ? {} : { validUntil: until }),
      diseaseCodes: rest.permissions.includes("DS") ? diseases : [],
    });
  });

const noPseudonymiser = {
  pseudonymiseSubject: (): `0x${string}` => {
    throw new Error("the subject is already a pseudonym");
  },
};

describe("consentToFhir", () => {
  it("round-trips every record: record → FHIR → record is the identity (property)", () => {
    fc.assert(
      fc.property(recordArb, (record) => {
        const document = consentToFhir(record);
        const back = consentFromFhir(JSON.parse(JSON.stringify(document)), noPseudonymiser);
        expect(back).toEqual({ ...record, documentHash: canonicalHash(document) });
      }),
      { seed: 424242, numRuns: 400 },
    );
  });

  it("writes the subject only as a pseudonym identifier and purposes as DUO CURIEs", () => {
    const record = consentFromFhir(fixture("research-gru-nested-deny.json"), {
      pseudonymiseSubject,
    });
    const document = consentToFhir(record);
    expect(document.patient).toEqual({
      identifier: {
        system: "https://w3id.org/custos/fhir/NamingSystem/subject-pseudonym",
        value: record.subject,
      },
    });
    expect(JSON.stringify(document)).not.toContain("p-123");
    expect(
      (document.provision as { purpose: { code: string }[] }).purpose.map((p) => p.code),
    ).toEqual(["DUO:0000042", "DUO:0000046", "DUO:0000021", "DUO:0000044"]);
    const again = consentFromFhir(document, noPseudonymiser);
    expect({ ...again, documentHash: record.documentHash }).toEqual(record);
  });
});
