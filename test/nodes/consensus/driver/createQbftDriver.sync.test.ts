import { describe, expect, it } from "vitest";
import { type ClusterNode, DriverCluster } from "./DriverCluster.ts";

describe("createQbftDriver: behind, sync and readiness", () => {
  it("syncs a validator that fell behind, is not ready meanwhile, then votes again", async () => {
    const cluster = new DriverCluster({ syncMs: 500 });
    await cluster.startAll();
    const lagging = cluster.node(3);
    const others = cluster.nodes.filter((node) => node !== lagging);
    expect(await cluster.clock.runUntil(() => cluster.minHeight() >= 2n, 30_000)).toBe(true);

    cluster.network.isolate(lagging.address);
    const cutAt = lagging.height;
    expect(
      await cluster.clock.runUntil(() => cluster.minHeight(others) >= cutAt + 5n, 120_000),
    ).toBe(true);
    expect(lagging.height).toBe(cutAt);
    expect(lagging.running.ready()).toBe(true);

    cluster.network.heal(lagging.address);
    expect(await cluster.clock.runUntil(() => lagging.running.status().syncing, 60_000, 10)).toBe(
      true,
    );
    expect(lagging.running.ready()).toBe(false);
    expect(lagging.chain.syncTargets.length).toBeGreaterThan(0);

    const healedAt = cluster.minHeight(others);
    expect(await cluster.clock.runUntil(() => cluster.minHeight() >= healedAt + 3n, 120_000)).toBe(
      true,
    );
    expect(lagging.running.status().syncing).toBe(false);
    expect(lagging.running.ready()).toBe(true);
    expect(lagging.chain.synced).toBeGreaterThanOrEqual(5);
    // It takes part again: it signed commits for heights decided after the sync.
    const lateCommits = cluster
      .sentBy(lagging)
      .filter((message) => message.type === "commit" && message.signed.payload.height > healedAt);
    expect(lateCommits.length).toBeGreaterThan(0);
    expect(lagging.running.status().blocksCommitted).toBeGreaterThan(Number(cutAt));
    expect(cluster.conflictingSignatures()).toEqual([]);
    expect(lagging.counters.get('consensus_syncs_total{"outcome":"reached"}')).toBeGreaterThan(0);
    await cluster.stopAll();
  });

  it("syncs on catchUp (a peer's announced head) only when the chain is below it", async () => {
    const cluster = new DriverCluster({ syncMs: 100 });
    await cluster.startAll();
    const node = cluster.node(3);
    expect(await cluster.clock.runUntil(() => cluster.minHeight() >= 2n, 30_000)).toBe(true);
    const before = node.chain.syncTargets.length;
    node.running.catchUp(node.height);
    await cluster.clock.advance(50);
    expect(node.chain.syncTargets.length).toBe(before);
    const target = node.height + 1n;
    node.running.catchUp(target);
    await cluster.clock.advance(50);
    expect(node.chain.syncTargets.slice(before)).toEqual([target]);
    expect(cluster.conflictingSignatures()).toEqual([]);
    await cluster.stopAll();
  });

  it("tries again after syncs that failed or ended short, until the chain gets there", async () => {
    const cluster = new DriverCluster({ syncMs: 100, retryMs: 700 });
    await cluster.startAll();
    const [lagging, stalled, ...rest] = cluster.nodes as [ClusterNode, ClusterNode, ClusterNode];
    expect(await cluster.clock.runUntil(() => cluster.minHeight() >= 1n, 30_000)).toBe(true);
    cluster.network.isolate(lagging.address);
    const others = [stalled, ...rest];
    expect(
      await cluster.clock.runUntil(() => cluster.minHeight(others) >= lagging.height + 4n, 120_000),
    ).toBe(true);
    // Two validators alone cannot commit: the height stays where it is, so the core says
    // `behind` once and only the driver's retries can bring the lagging node up.
    cluster.network.isolate(stalled.address);
    await cluster.clock.advance(3_000);
    const stuckAt = cluster.minHeight(rest);
    lagging.chain.syncOutcome = "fail";
    cluster.network.heal(lagging.address);
    expect(
      await cluster.clock.runUntil(() => lagging.chain.syncTargets.length >= 2, 60_000, 10),
    ).toBe(true);
    lagging.chain.syncOutcome = "nothing";
    const attempts = lagging.chain.syncTargets.length;
    expect(
      await cluster.clock.runUntil(() => lagging.chain.syncTargets.length > attempts, 60_000, 10),
    ).toBe(true);
    expect(lagging.running.ready()).toBe(false);
    expect(cluster.minHeight(rest)).toBe(stuckAt);
    lagging.chain.syncOutcome = "serve";
    // With the lagging node back, three validators commit again.
    expect(
      await cluster.clock.runUntil(
        () => cluster.minHeight([lagging, ...rest]) >= stuckAt + 2n,
        120_000,
      ),
    ).toBe(true);
    expect(lagging.running.ready()).toBe(true);
    expect(lagging.counters.get('consensus_syncs_total{"outcome":"failed"}')).toBeGreaterThan(0);
    expect(lagging.counters.get('consensus_syncs_total{"outcome":"short"}')).toBeGreaterThan(0);
    expect(lagging.counters.get('consensus_syncs_total{"outcome":"reached"}')).toBeGreaterThan(0);
    cluster.network.heal(stalled.address);
    expect(await cluster.clock.runUntil(() => cluster.minHeight() >= stuckAt + 4n, 120_000)).toBe(
      true,
    );
    expect(cluster.conflictingSignatures()).toEqual([]);
    await cluster.stopAll();
  });
});
