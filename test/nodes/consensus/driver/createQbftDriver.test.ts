import { describe, expect, it } from "vitest";
import { createQbftConfig } from "../../../../nodes/consensus/core/index.ts";
import {
  createQbftDriver,
  type QbftDriverPorts,
} from "../../../../nodes/consensus/driver/index.ts";
import { expectCustosError } from "../../../expectCustosError.ts";
import { type ClusterNode, DriverCluster } from "./DriverCluster.ts";
import { fakeQbftBlockCodec } from "./fakeQbftBlock.ts";
import { createFakeQbftCrypto } from "./fakeQbftCrypto.ts";

function hashes(node: ClusterNode, upTo: bigint): string[] {
  return node.chain.blocks
    .slice(0, Number(upTo) + 1)
    .map((block) => Buffer.from(block.hash).toString("hex"));
}

/** Messages `node` sent, decoded. */

describe("createQbftDriver: four validators on one manual clock", () => {
  it("commits height after height, one block per period, the same chain everywhere", async () => {
    const cluster = new DriverCluster();
    await cluster.startAll();
    expect(await cluster.clock.runUntil(() => cluster.minHeight() >= 10n, 60_000)).toBe(true);

    const reference = hashes(cluster.node(0), 10n);
    for (const node of cluster.nodes) expect(hashes(node, 10n)).toEqual(reference);
    const blocks = cluster.node(0).chain.blocks;
    for (let height = 2; height <= 10; height++) {
      const block = blocks[height];
      const parent = blocks[height - 1];
      expect(block?.round).toBe(0);
      expect(block?.timestamp).toBe((parent?.timestamp ?? 0n) + 1n);
    }
    for (const node of cluster.nodes) {
      const status = node.running.status();
      expect(status.roundChanges).toBe(0);
      expect(status.blocksCommitted).toBeGreaterThanOrEqual(10);
      expect(status.chainHeight).toBe(node.height);
      expect(status.height).toBe(node.height + 1n);
      expect(status.validators).toEqual(cluster.validators);
      expect(status.voting).toBe(true);
      expect(status.lastCommitLatencyMs).toBeGreaterThan(0);
      expect(status.lastCommitLatencyMs).toBeLessThan(1000);
      // Every other validator sent it a prepare and a commit per height.
      expect(status.messagesReceived.commit).toBeGreaterThanOrEqual(3 * 10);
      expect(status.messagesSent.commit).toBeGreaterThanOrEqual(3 * 10);
      expect(status.messagesReceived.unknown).toBe(0);
      expect(node.running.ready()).toBe(true);
      expect(node.counters.get("consensus_blocks_committed_total{}")).toBe(status.blocksCommitted);
    }
    expect(cluster.conflictingSignatures()).toEqual([]);
    await cluster.stopAll();
  });

  it("keeps the persist-before-send order when the store is slow", async () => {
    // A save takes 30× a network hop: any send that did not wait for its record shows.
    const cluster = new DriverCluster({ saveMs: 300, latencyMs: 10 });
    await cluster.startAll();
    expect(await cluster.clock.runUntil(() => cluster.minHeight() >= 5n, 120_000)).toBe(true);
    const saves = cluster.trace.entries.filter((entry) => entry.kind === "saved").length;
    expect(saves).toBeGreaterThan(5 * 4);
    expect(cluster.trace.sends).toBeGreaterThan(5 * 4 * 2);
    expect(cluster.sendsBeforeTheirRecord()).toEqual([]);
    expect(cluster.conflictingSignatures()).toEqual([]);
    await cluster.stopAll();
  });

  it("loses one round change to a dead proposer, each time its turn comes", async () => {
    const cluster = new DriverCluster();
    const dead = 2;
    await cluster.startAll([dead]);
    const live = cluster.nodes.filter((node) => node.index !== dead);
    expect(await cluster.clock.runUntil(() => cluster.minHeight(live) >= 12n, 120_000)).toBe(true);

    const observer = cluster.node(0);
    let deadTurns = 0;
    for (let height = 1n; height <= 12n; height++) {
      const block = observer.chain.blocks[Number(height)];
      const deadProposes = cluster.proposerIndex(height, 0, observer) === dead;
      if (deadProposes) deadTurns++;
      expect(block?.round).toBe(deadProposes ? 1 : 0);
    }
    expect(deadTurns).toBeGreaterThanOrEqual(2);
    for (const node of live) {
      const { roundChanges } = node.running.status();
      expect(roundChanges).toBeGreaterThanOrEqual(deadTurns);
      // At most the height being decided now adds one.
      expect(roundChanges).toBeLessThanOrEqual(deadTurns + 1);
    }
    await cluster.stopAll();
  });

  it("waits out the block period before round 0 and adds the wait to the round-0 timer", async () => {
    // Light and heavy blocks alternate: after a light block the period is mostly still to
    // run, and a heavy block then needs 2.3 s from the parent's import — more than the 2 s
    // base timeout, less than the period wait plus the timeout.
    const cluster = new DriverCluster({ periodSeconds: 1, roundTimeout: { baseMs: 2_000 } });
    for (const node of cluster.nodes)
      node.chain.workMs = (height) => (height % 2n === 0n ? 700 : 50);
    await cluster.startAll();
    expect(await cluster.clock.runUntil(() => cluster.minHeight() >= 12n, 120_000)).toBe(true);

    const blocks = cluster.node(0).chain.blocks;
    for (let height = 1; height <= 12; height++) expect(blocks[height]?.round).toBe(0);
    for (const node of cluster.nodes) {
      expect(node.running.status().roundChanges).toBe(0);
      for (const build of node.chain.builds) {
        const parent = blocks[Number(build.height) - 1];
        if (build.round !== 0 || parent === undefined || build.height === 1n) continue;
        expect(build.at).toBeGreaterThanOrEqual(Number(parent.timestamp + 1n) * 1000);
      }
    }
    await cluster.stopAll();
  });

  it("feeds a build that completes after its round was left, and the core ignores it", async () => {
    const cluster = new DriverCluster({ roundTimeout: { baseMs: 1_000 } });
    const slow = cluster.node(cluster.proposerIndex(1n, 0));
    slow.chain.extraBuildMs = 3_000;
    await cluster.startAll();
    await cluster.clock.runUntil(() => slow.chain.builds.length > 0, 5_000);
    slow.chain.extraBuildMs = 0;
    expect(await cluster.clock.runUntil(() => cluster.minHeight() >= 4n, 60_000)).toBe(true);

    const late = slow.chain.built.find((build) => build.height === 1n && build.round === 0);
    expect(late).toBeDefined();
    expect(cluster.node(0).chain.blocks[1]?.round).toBeGreaterThan(0);
    const proposals = cluster
      .sentBy(slow)
      .filter(
        (message) =>
          message.type === "proposal" &&
          message.signed.payload.height === 1n &&
          message.signed.payload.round === 0,
      );
    expect(proposals).toEqual([]);
    expect(slow.logs.filter((line) => line.level === "error")).toEqual([]);
    await cluster.stopAll();
  });

  it("stop() cancels every timer, aborts work in flight and sends nothing after", async () => {
    const cluster = new DriverCluster({ buildMs: 500, validateMs: 500 });
    await cluster.startAll();
    expect(await cluster.clock.runUntil(() => cluster.minHeight() >= 2n, 30_000)).toBe(true);
    // A build or validation in flight, and no commit or save (those are never aborted:
    // stop() would wait for them, which on a manual clock means for virtual time).
    const midWork = () =>
      cluster.nodes.some((node) => node.chain.inFlight > 0) &&
      cluster.nodes.every(
        (node) => node.chain.committing === 0 && node.store.pending === undefined,
      );
    expect(await cluster.clock.runUntil(midWork, 5_000, 5)).toBe(true);
    // No virtual time passes: stop() must not wait for a timer.
    await Promise.all(cluster.nodes.map((node) => node.running.stop()));
    const sends = cluster.trace.sends;
    for (const node of cluster.nodes) {
      expect(cluster.clock.live(node.owner)).toBe(0);
      expect(node.chain.inFlight).toBe(0);
      expect(node.running.status().running).toBe(false);
      expect(node.running.ready()).toBe(false);
      expect(node.running.status().queued).toBe(0);
    }
    await cluster.clock.advance(30_000);
    expect(cluster.trace.sends).toBe(sends);
    expect(cluster.clock.live()).toBe(0);
    // Idempotent.
    await Promise.all(cluster.nodes.map((node) => node.running.stop()));
  });

  it("finishes a save under way at stop() and sends nothing it names", async () => {
    const cluster = new DriverCluster({ saveMs: 400 });
    await cluster.startAll();
    const proposer = cluster.node(cluster.proposerIndex(1n, 0));
    // The proposer's first save (its proposal and prepare) is under way once its build is done.
    await cluster.clock.runUntil(() => proposer.chain.built.length > 0, 5_000, 1);
    const sendsBefore = cluster.trace.sends;
    const stopping = proposer.running.stop();
    await cluster.clock.advance(1_000);
    await stopping;
    expect(proposer.store.durable).toBeDefined();
    expect(cluster.sentBy(proposer)).toEqual([]);
    expect(cluster.trace.sends).toBe(sendsBefore);
    expect(cluster.clock.live(proposer.owner)).toBe(0);
    await cluster.stopAll();
  });

  it("refuses a damaged signing record at start", async () => {
    const cluster = new DriverCluster();
    const node = cluster.node(0);
    node.store.durable = new Uint8Array([0xc2, 0x01, 0x02]);
    await expectCustosError(node.start(), "CONSENSUS_RECORD_CORRUPT");
    expect(node.running.status().running).toBe(false);
    expect(node.running.ready()).toBe(false);
    await node.running.stop();
    expect(cluster.clock.live()).toBe(0);
  });

  it("gives up a start that stop() overtook", async () => {
    const cluster = new DriverCluster();
    const node = cluster.node(0);
    const starting = node.start();
    const stopping = node.running.stop();
    await expectCustosError(starting, "NODE_ABORTED");
    await stopping;
    expect(node.running.status().running).toBe(false);
    expect(cluster.clock.live()).toBe(0);
    expect(cluster.trace.entries).toEqual([]);
  });

  it("refuses settings that are not positive integers", () => {
    const ring = createFakeQbftCrypto();
    const config = createQbftConfig({ crypto: ring.crypto, codec: fakeQbftBlockCodec });
    const ports = {} as QbftDriverPorts;
    for (const options of [
      { blockPeriodSeconds: 0 },
      { blockPeriodSeconds: 1.5 },
      { blockPeriodSeconds: 1, retryMs: -1 },
      { blockPeriodSeconds: 1, maxQueuedMessages: 0 },
      { blockPeriodSeconds: 1, sendersRemembered: Number.NaN },
    ]) {
      expectCustosError(
        () => createQbftDriver({ config, ...options }, ports),
        "CONSENSUS_INPUT_INVALID",
      );
    }
  });
});
