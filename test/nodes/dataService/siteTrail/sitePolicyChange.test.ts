import { describe, expect, it } from "vitest";
import { resolveDataServiceConfig, sitePolicyChange } from "../../../../nodes/dataService/index.ts";

function policyOf(policy: Record<string, unknown>) {
  return resolveDataServiceConfig(
    {
      hospitalId: 1,
      rpcUrl: "http://127.0.0.1:1",
      recorderKeyFile: "key",
      contracts: { accessLedger: `0x${"aa".repeat(20)}`, consentRegistry: `0x${"bb".repeat(20)}` },
      omop: { engine: "duckdb", path: "omop" },
      pseudonymKeyFile: "key.json",
      dataDir: "state",
      policy,
    },
    "/tmp",
  ).policy;
}

describe("sitePolicyChange", () => {
  const base = policyOf({ purposes: ["HMB"], measures: ["count"] });

  it("records a trail's first policy whole, every field changed from nothing", () => {
    const first = sitePolicyChange(null, base);
    expect(first?.previousHash).toBeNull();
    expect(first?.hash).toMatch(/^0x[0-9a-f]{64}$/);
    expect(first?.policy).toEqual({
      purposes: ["HMB"],
      measures: ["count"],
      minCellSize: 11,
      roundingBase: 1,
      minStatisticN: 11,
      dominanceShare: 0.8,
      epsilonMicro: 0,
      manualRelease: false,
    });
    expect(first?.changed.map((c) => [c.field, c.from])).toEqual([
      ["purposes", null],
      ["measures", null],
      ["minCellSize", null],
      ["roundingBase", null],
      ["minStatisticN", null],
      ["dominanceShare", null],
      ["epsilonMicro", null],
      ["manualRelease", null],
    ]);
  });

  it("records nothing for the same policy, and only the changed fields of another", () => {
    const first = sitePolicyChange(null, base);
    if (first === null) throw new Error("no first policy");
    expect(
      sitePolicyChange(first, policyOf({ purposes: ["HMB"], measures: ["count"] })),
    ).toBeNull();
    const changed = sitePolicyChange(
      first,
      policyOf({
        purposes: ["HMB", "GRU"],
        measures: ["count"],
        minCellSize: 20,
        manualRelease: true,
      }),
    );
    expect(changed?.previousHash).toBe(first.hash);
    expect(changed?.hash).not.toBe(first.hash);
    expect(changed?.changed).toEqual([
      { field: "purposes", from: ["HMB"], to: ["HMB", "GRU"] },
      { field: "minCellSize", from: 11, to: 20 },
      { field: "manualRelease", from: false, to: true },
    ]);
  });
});
