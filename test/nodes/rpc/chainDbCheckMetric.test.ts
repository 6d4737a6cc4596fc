import { describe, expect, it } from "vitest";
import { createRpcMetrics } from "../../../nodes/rpc/createRpcMetrics.ts";
import { createFakeNodeApi } from "./fakeNodeApi.ts";

describe("custos_chain_db_check_failures_total", () => {
  it("counts the damage the chain database reports, never going down", async () => {
    const fake = createFakeNodeApi();
    let failures = 0;
    const api = { ...fake, metrics: () => ({ ...fake.metrics(), dbCheckFailures: failures }) };
    const metrics = createRpcMetrics({ api, prefix: "custos_", processMetrics: false });
    try {
      expect(await metrics.registry.metrics()).toMatch(/^custos_chain_db_check_failures_total 0$/m);
      failures = 2;
      expect(await metrics.registry.metrics()).toMatch(/^custos_chain_db_check_failures_total 2$/m);
      expect(await metrics.registry.metrics()).toMatch(/^custos_chain_db_check_failures_total 2$/m);
    } finally {
      metrics.close();
    }
  });
});
