import { describe, expect, it } from "vitest";
import { NodeEvaluator } from "../../src/anonymise/NodeEvaluator.ts";
import { prepareData } from "../../src/anonymise/prepareData.ts";
import { createMetricModel, lossByAttribute } from "../../src/anonymise/utilityMetrics.ts";
import { validateAnonymiseConfig } from "../../src/anonymise/validateAnonymiseConfig.ts";
import { loadAdult } from "./fixtures.ts";

const { table, attributes } = loadAdult();

function evaluate(levels: number[], suppressionLimit: number) {
  const config = validateAnonymiseConfig(table, {
    attributes,
    models: [{ type: "k-anonymity", k: 5 }],
    suppressionLimit,
  });
  const prepared = prepareData(table, config);
  const evaluator = new NodeEvaluator(prepared, config, table.dictionaries, table.columns);
  return { prepared, evaluation: evaluator.evaluate(levels) };
}

describe("utility metrics", () => {
  it("reproduces ARX's per-attribute Loss, suppressed records costing 1", () => {
    // ARX TestUtilityMetricsLoss: k=5, suppression limit 100 %, transformation
    // [0,3,0,0,1,0,0,0]; ARX prints the per-attribute losses sorted descending.
    const levels = [0, 3, 0, 0, 1, 0, 0, 0];
    const { prepared, evaluation } = evaluate(levels, 1);
    const sorted = lossByAttribute(prepared, levels, evaluation).sort((a, b) => b - a);
    const arx = [0.297248193, 0.29678055, ...new Array<number>(6).fill(0.1297659306)];
    sorted.forEach((value, i) => {
      expect(value).toBeCloseTo(arx[i] as number, 9);
    });
  });

  it("keeps every metric's level-only bound below its value", () => {
    const levels = [0, 2, 0, 1, 1, 1, 0, 0];
    const { prepared, evaluation } = evaluate(levels, 0.3);
    expect(evaluation.anonymous).toBe(true);
    expect(evaluation.suppressedRecords).toBeGreaterThan(0);
    for (const metric of ["loss", "entropy", "discernibility", "precision"] as const) {
      const model = createMetricModel(prepared, metric);
      expect(model.bound(levels)).toBeLessThan(model.value(levels, evaluation));
    }
  });

  it("scores the untransformed data 0 and full generalisation 1 under Loss", () => {
    const bottom = evaluate([0, 0, 0, 0, 0, 0, 0, 0], 1);
    const top = [1, 4, 1, 2, 3, 2, 2, 1];
    const loss = createMetricModel(bottom.prepared, "loss");
    expect(loss.bound([0, 0, 0, 0, 0, 0, 0, 0])).toBe(0);
    expect(loss.bound(top)).toBeCloseTo(1, 12);
  });
});
