import { describe, expect, it } from "vitest";
import { createSubscriptionRegistry } from "../../../nodes/rpc/SubscriptionRegistry.ts";
import { expectCustosError } from "../../expectCustosError.ts";
import { createFakeNodeApi, makeNextBlock } from "./fakeNodeApi.ts";

describe("createSubscriptionRegistry", () => {
  it("caps, counts and releases subscriptions", () => {
    const api = createFakeNodeApi();
    const counts: string[] = [];
    const sent: string[] = [];
    const registry = createSubscriptionRegistry({
      api,
      maxSubscriptions: 2,
      send: (message) => sent.push(message),
      onCountChange: (kind, delta) => counts.push(`${kind}${delta > 0 ? "+" : "-"}`),
    });
    const first = registry.subscribe({ kind: "newHeads" });
    registry.subscribe({ kind: "logs", addresses: [], topics: [] });
    const refused = expectCustosError(
      () => registry.subscribe({ kind: "newHeads" }),
      "RPC_LIMIT_EXCEEDED",
    );
    expect(refused.details).toEqual({ limit: "maxSubscriptionsPerConnection", max: 2 });
    expect(registry.unsubscribe(first)).toBe(true);
    expect(registry.unsubscribe(first)).toBe(false);
    registry.close();
    expect(registry.size).toBe(0);
    expect(counts).toEqual(["newHeads+", "logs+", "newHeads-", "logs-"]);
    const { block, receipts } = makeNextBlock(api);
    api.commit(block, receipts);
    expect(sent).toEqual([]);
  });

  it("keeps a failing connection's errors out of the node's emitter", () => {
    const api = createFakeNodeApi();
    const errors: unknown[] = [];
    const delivered: string[] = [];
    const broken = createSubscriptionRegistry({
      api,
      maxSubscriptions: 4,
      send: () => {
        throw new Error("socket gone");
      },
      onError: (cause) => errors.push(cause),
    });
    const healthy = createSubscriptionRegistry({
      api,
      maxSubscriptions: 4,
      send: (m) => delivered.push(m),
    });
    broken.subscribe({ kind: "newHeads" });
    healthy.subscribe({ kind: "newHeads" });
    const { block, receipts } = makeNextBlock(api);
    expect(() => api.commit(block, receipts)).not.toThrow();
    expect(errors).toHaveLength(1);
    expect(delivered).toHaveLength(1);
  });
});
