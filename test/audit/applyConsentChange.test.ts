import { describe, expect, it } from "vitest";
import {
  applyConsentChange,
  type ConsentDayCounts,
  consentDayName,
  consentDayOf,
} from "../../src/audit/index.ts";
import { expectCustosError } from "../expectCustosError.ts";

describe("applyConsentChange", () => {
  it("counts grants, updates and revocations of one custodian's UTC day", () => {
    const noon = Date.UTC(2027, 2, 14, 12) / 1000;
    let counts: ConsentDayCounts | undefined;
    for (const change of ["grant", "grant", "update", "revocation", "grant"] as const) {
      counts = applyConsentChange(counts, { custodian: 3, change }, noon);
    }
    expect(counts).toEqual({
      day: "2027-03-14",
      custodian: 3,
      grants: 3,
      updates: 1,
      revocations: 1,
    });
    expectCustosError(
      () => applyConsentChange(counts, { custodian: 4, change: "grant" }, noon),
      "INVALID_ARGUMENT",
    );
    expectCustosError(
      () => applyConsentChange(counts, { custodian: 3, change: "grant" }, noon + 43_200),
      "INVALID_ARGUMENT",
    );
  });

  it("splits days at UTC midnight", () => {
    const midnight = Date.UTC(2027, 0, 1) / 1000;
    expect(consentDayName(consentDayOf(midnight - 1))).toBe("2026-12-31");
    expect(consentDayName(consentDayOf(midnight))).toBe("2027-01-01");
    expect(consentDayOf(0)).toBe(0);
    expect(consentDayName(0)).toBe("1970-01-01");
  });
});
