import { describe, expect, it } from "vitest";
import { validateConsentRecord } from "../../src/consent/index.ts";

const base = {
  subject: `0x${"AB".repeat(32)}`,
  status: "active",
  permissions: ["HMB", "GRU"],
  conditions: ["IRB", "NCU"],
  categories: ["DRUGS", "DEMOGRAPHICS"],
  validFrom: 100,
  validUntil: 200,
  grantees: ["Organization/b", "Organization/a"],
  custodians: [],
  delegates: [`0x${"CD".repeat(20)}`],
  diseaseCodes: [],
  documentHash: `0x${"01".repeat(32)}`,
};

function problem(change: Record<string, unknown>): unknown {
  try {
    validateConsentRecord({ ...base, ...change });
  } catch (error) {
    return (error as { code: string; details: unknown }).code === "CONSENT_RECORD_INVALID"
      ? (error as { details: unknown }).details
      : error;
  }
  return "valid";
}

describe("validateConsentRecord", () => {
  it("returns the canonical form: lower-case hex, labels by bit, strings sorted", () => {
    expect(validateConsentRecord(base)).toEqual({
      ...base,
      subject: `0x${"ab".repeat(32)}`,
      permissions: ["GRU", "HMB"],
      conditions: ["NCU", "IRB"],
      categories: ["DEMOGRAPHICS", "DRUGS"],
      grantees: ["Organization/a", "Organization/b"],
      delegates: [`0x${"cd".repeat(20)}`],
    });
  });

  it.each<[string, Record<string, unknown>, { field: string; problem: string }]>([
    [
      "a bad subject",
      { subject: "Patient/1" },
      { field: "subject", problem: "must be bytes32 hex" },
    ],
    [
      "an unknown status",
      { status: "draft" },
      { field: "status", problem: "must be one of active, inactive, rejected" },
    ],
    [
      "a condition as permission",
      { permissions: ["NCU"] },
      { field: "permissions[0]", problem: "is not a permission" },
    ],
    [
      "an unknown label",
      { conditions: ["XYZ"] },
      { field: "conditions[0]", problem: "is not a DUO label known to Custos" },
    ],
    [
      "no permission",
      { permissions: [] },
      { field: "permissions", problem: "must name at least one DUO permission" },
    ],
    [
      "duplicate categories",
      { categories: ["DRUGS", "DRUGS"] },
      { field: "categories", problem: "has duplicates" },
    ],
    [
      "no category",
      { categories: [] },
      { field: "categories", problem: "must name at least one data category" },
    ],
    [
      "DS without diseases",
      { permissions: ["DS"] },
      { field: "diseaseCodes", problem: "must be given exactly when DS is permitted" },
    ],
    [
      "diseases without DS",
      { diseaseCodes: [{ system: "s", code: "c" }] },
      { field: "diseaseCodes", problem: "must be given exactly when DS is permitted" },
    ],
    [
      "an inverted period",
      { validFrom: 300 },
      { field: "validUntil", problem: "is before validFrom" },
    ],
    [
      "a negative time",
      { recordedAt: -1 },
      { field: "recordedAt", problem: "must be unix seconds from 0 to 253402300799" },
    ],
    [
      "a patient as grantee",
      { grantees: ["Patient/1"] },
      { field: "grantees[0]", problem: "malformed" },
    ],
    [
      "an unknown field",
      { patientName: "x" },
      { field: "patientName", problem: "is not a consent record field" },
    ],
  ])("refuses %s, naming the field", (_what, change, details) => {
    expect(problem(change)).toEqual(details);
  });

  it("accepts DS with disease codes", () => {
    expect(
      problem({
        permissions: ["DS"],
        diseaseCodes: [
          { system: "http://purl.obolibrary.org/obo/mondo.owl", code: "MONDO:0005148" },
        ],
      }),
    ).toBe("valid");
  });
});
