import { describe, expect, it } from "vitest";
import { dataCategories, purposeCodes } from "../../src/consent/index.ts";
import { parseConsentTerms } from "../../src/consentImport/index.ts";
import { expectCustosError } from "../expectCustosError.ts";

describe("parseConsentTerms", () => {
  it("reads labels, lists and words, case-insensitively, from text or a value", () => {
    expect(parseConsentTerms('{"purposes":["hmb"," NCU"],"categories":"DRUGS"}')).toEqual({
      purposes: purposeCodes.HMB.bit | purposeCodes.NCU.bit,
      categories: dataCategories.DRUGS.bit,
      validFrom: 0,
      validUntil: 0,
    });
    expect(
      parseConsentTerms({ purposes: 2, categories: 12, validFrom: 1_700_000_000, validUntil: 0 }),
    ).toEqual({ purposes: 2, categories: 12, validFrom: 1_700_000_000, validUntil: 0 });
  });

  it("refuses an unknown label with CONSENT_TERMS_UNKNOWN_CODE naming it", () => {
    const error = expectCustosError(
      () => parseConsentTerms({ purposes: "GRU", categories: ["CONDITIONS", "TELEPATHY"] }),
      "CONSENT_TERMS_UNKNOWN_CODE",
    );
    expect(error.details).toMatchObject({ field: "terms.categories", code: "TELEPATHY" });
  });

  it.each([
    ["{", "terms"],
    ["[]", "terms"],
    ['{"purposes":true,"categories":1}', "terms.purposes"],
    ['{"purposes":1,"categories":-1}', "terms.categories"],
    ['{"purposes":1,"categories":[1]}', "terms.categories"],
    ['{"purposes":1,"categories":1,"validFrom":"now"}', "terms.validFrom"],
    ['{"purposes":1,"categories":1,"validUntil":1099511627776}', "terms.validUntil"],
  ])("refuses %s naming %s", (text, field) => {
    const error = expectCustosError(() => parseConsentTerms(text), "CONSENT_IMPORT_INVALID");
    expect(error.details.field).toBe(field);
  });
});
