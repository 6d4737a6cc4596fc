import { describe, expect, it } from "vitest";
import {
  anonymise,
  checkPrivacyModel,
  createHierarchy,
  parseCsv,
  researchExtractDefaults,
  researchExtractProfile,
} from "../../src/anonymise/index.ts";
import { expectCustosError } from "../expectCustosError.ts";
import { loadAdult } from "./fixtures.ts";

const hierarchy = createHierarchy([
  ["a", "*"],
  ["b", "*"],
]);
const attributes = { q: { role: "quasi-identifier", hierarchy } } as const;

describe("researchExtractProfile", () => {
  it("defaults to k = 11, 5 % suppression and the optimal search", () => {
    expect(researchExtractDefaults).toEqual({ k: 11, suppressionLimit: 0.05, search: "optimal" });
    expect(researchExtractProfile({ attributes })).toEqual({
      attributes,
      models: [{ type: "k-anonymity", k: 11 }],
      suppressionLimit: 0.05,
      search: "optimal",
    });
  });

  it("raises weaker k-anonymity, keeps stronger k and other models", () => {
    const diversity = { type: "distinct-l-diversity", attribute: "s", l: 2 } as const;
    const raised = researchExtractProfile({
      attributes,
      models: [{ type: "k-anonymity", k: 5 }, diversity],
      suppressionLimit: 0,
    });
    expect(raised.models).toEqual([{ type: "k-anonymity", k: 11 }, diversity]);
    expect(raised.suppressionLimit).toBe(0.05);
    const kept = researchExtractProfile(
      { attributes, models: [{ type: "k-anonymity", k: 25 }] },
      { k: 20, suppressionLimit: 0.01, search: "mondrian" },
    );
    expect(kept).toMatchObject({
      models: [{ type: "k-anonymity", k: 25 }],
      suppressionLimit: 0.01,
      search: "mondrian",
    });
  });

  it("refuses k below 11", () => {
    for (const k of [10, 11.5, 0]) {
      const error = expectCustosError(
        () => researchExtractProfile({ attributes }, { k }),
        "ANONYMISE_CONFIG_INVALID",
      );
      expect(error.details).toMatchObject({ field: "k" });
    }
  });

  it("on Adult: the pinned k=11, 5 % optimum, verified by the independent checker", () => {
    const { table, attributes: adult } = loadAdult();
    const result = anonymise(table, researchExtractProfile({ attributes: adult }));
    expect(result.transformation).toEqual([0, 4, 0, 0, 2, 1, 1, 0]);
    expect(result.metrics.loss).toBeCloseTo(0.24259535238679208, 12);
    expect(
      checkPrivacyModel(result.output, result.quasiIdentifiers, result.suppressedRows, {
        type: "k-anonymity",
        k: 11,
      }),
    ).toEqual({ satisfied: true, violatingClasses: 0 });
  });

  it("suppresses within 5 % on a small table", () => {
    const rows = [...Array(12).fill("a"), "b"];
    const result = anonymise(
      parseCsv(`q\n${rows.join("\n")}`),
      researchExtractProfile({ attributes }, { suppressionLimit: 0.1 }),
    );
    expect(result.risk.suppressedRecords).toBe(1);
    expect(result.transformation).toEqual([0]);
  });
});
