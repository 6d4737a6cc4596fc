import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DriverCluster } from "./DriverCluster.ts";

/** A node's crash, and its restart `downMs` later. */
interface Crash {
  readonly node: number;
  readonly atMs: number;
  readonly downMs: number;
  /** A save under way when it died reached the disk (its promise never resolved). */
  readonly written: boolean;
}

type Step =
  | { readonly at: number; readonly kind: "crash"; readonly crash: Crash }
  | { readonly at: number; readonly kind: "restart"; readonly node: number };

function sameChains(cluster: DriverCluster, upTo: bigint): boolean {
  const reference = cluster.node(0).chain.blocks.slice(0, Number(upTo) + 1);
  return cluster.nodes.every((node) =>
    reference.every((block, height) =>
      Buffer.from(block.hash).equals(node.chain.blocks[height]?.hash ?? new Uint8Array()),
    ),
  );
}

async function play(cluster: DriverCluster, crashes: readonly Crash[]): Promise<void> {
  const steps: Step[] = crashes.flatMap((crash): Step[] => [
    { at: crash.atMs, kind: "crash", crash },
    { at: crash.atMs + crash.downMs, kind: "restart", node: crash.node },
  ]);
  steps.sort((a, b) => a.at - b.at);
  const started = cluster.clock.now();
  for (const step of steps) {
    await cluster.clock.advance(Math.max(0, started + step.at - cluster.clock.now()));
    if (step.kind === "crash") {
      cluster.node(step.crash.node).crash(step.crash.written);
    } else if (cluster.node(step.node).driver === undefined) {
      await cluster.node(step.node).start();
    }
  }
}

describe("createQbftDriver: crashes without stop() and restarts from the store", () => {
  it("never signs two different messages for one height, round and type", async () => {
    const crash = fc.record({
      node: fc.integer({ min: 0, max: 3 }),
      atMs: fc.integer({ min: 0, max: 20_000 }),
      downMs: fc.integer({ min: 0, max: 3_000 }),
      written: fc.boolean(),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.array(crash, { minLength: 1, maxLength: 6 }),
        fc.integer({ min: 1, max: 400 }),
        async (crashes, saveMs) => {
          const cluster = new DriverCluster({ saveMs });
          await cluster.startAll();
          await play(cluster, crashes);
          for (const node of cluster.nodes) if (node.driver === undefined) await node.start();
          const target = cluster.minHeight() + 4n;
          expect(await cluster.clock.runUntil(() => cluster.minHeight() >= target, 240_000)).toBe(
            true,
          );
          expect(cluster.conflictingSignatures()).toEqual([]);
          expect(cluster.sendsBeforeTheirRecord()).toEqual([]);
          expect(sameChains(cluster, target)).toBe(true);
          await cluster.stopAll();
        },
      ),
      { seed: 20261206, numRuns: 40 },
    );
  });

  it("resumes a validator crashed between persist and send: it sends what it recorded", async () => {
    const cluster = new DriverCluster({ saveMs: 300 });
    await cluster.startAll();
    const victim = cluster.node((cluster.proposerIndex(1n, 0) + 1) % 4);
    // The victim validated the proposal and is saving the record that names its prepare.
    expect(
      await cluster.clock.runUntil(() => victim.store.pending?.prepare !== undefined, 10_000, 1),
    ).toBe(true);
    const recorded = victim.store.pending?.prepare;
    victim.crash(true);
    const prepares = () =>
      cluster
        .sentBy(victim)
        .filter((message) => message.type === "prepare" && message.signed.payload.height === 1n);
    expect(prepares()).toEqual([]);
    await cluster.clock.advance(500);
    await victim.start();
    expect(await cluster.clock.runUntil(() => cluster.minHeight() >= 3n, 60_000)).toBe(true);
    const sent = prepares();
    expect(sent.length).toBeGreaterThan(0);
    for (const message of sent) {
      expect(message.type === "prepare" && Buffer.from(message.signed.payload.digest)).toEqual(
        Buffer.from(recorded ?? new Uint8Array()),
      );
    }
    expect(cluster.conflictingSignatures()).toEqual([]);
    expect(cluster.sendsBeforeTheirRecord()).toEqual([]);
    expect(sameChains(cluster, 3n)).toBe(true);
    await cluster.stopAll();
  });

  it("syncs before it votes when its record is ahead of its chain (storage lost)", async () => {
    const cluster = new DriverCluster();
    await cluster.startAll();
    expect(await cluster.clock.runUntil(() => cluster.minHeight() >= 5n, 30_000)).toBe(true);
    const victim = cluster.node(1);
    victim.crash(false);
    expect(victim.store.durable).toBeDefined();
    victim.wipeChain();
    expect(victim.height).toBe(0n);
    const driver = await victim.start();
    await cluster.clock.advance(0);
    // The record is at height ≥ 5: the core asked for sync to the height below it at once.
    expect(driver.status().syncing).toBe(true);
    expect(driver.ready()).toBe(false);
    expect(driver.status().voting).toBe(false);
    await cluster.clock.runUntil(() => victim.chain.syncTargets.length > 0, 1_000, 1);
    expect(victim.chain.syncTargets[0]).toBeGreaterThanOrEqual(4n);
    expect(await cluster.clock.runUntil(() => cluster.minHeight() >= 10n, 60_000)).toBe(true);
    expect(driver.ready()).toBe(true);
    expect(victim.chain.synced).toBeGreaterThanOrEqual(4);
    expect(cluster.conflictingSignatures()).toEqual([]);
    expect(sameChains(cluster, 10n)).toBe(true);
    await cluster.stopAll();
  });
});
