import { describe, expect, it } from "vitest";
import {
  encodeQbftMessage,
  type QbftSigner,
  signQbftPayload,
} from "../../../../nodes/consensus/core/index.ts";
import { DriverCluster } from "./DriverCluster.ts";
import { fakeHash } from "./fakeQbftCrypto.ts";

function prepareBytes(cluster: DriverCluster, signer: QbftSigner, height: bigint, tag: string) {
  const digest = fakeHash(new TextEncoder().encode(tag));
  const signed = signQbftPayload(
    { type: "prepare", height, round: 0, digest },
    signer,
    cluster.ring.crypto,
  );
  return encodeQbftMessage({ type: "prepare", signed });
}

describe("createQbftDriver: bad input and failures", () => {
  it("counts garbage from a peer and penalises that peer, without crashing", async () => {
    const cluster = new DriverCluster();
    await cluster.startAll();
    const target = cluster.node(0);
    const peer = "0x00000000000000000000000000000000000000aa";
    cluster.network.inject(target.address, new Uint8Array([0x99, 1, 2, 3]), peer);
    cluster.network.inject(target.address, new Uint8Array([0x13, 0xc1, 0x80]), peer);
    cluster.network.inject(target.address, new Uint8Array(), peer);
    expect(await cluster.clock.runUntil(() => cluster.minHeight() >= 3n, 30_000)).toBe(true);
    const status = target.running.status();
    expect(status.messagesReceived.unknown).toBe(2);
    expect(status.drops.unknownCode).toBe(2);
    expect(status.drops.malformed).toBe(1);
    const penalties = cluster.network.penalties.filter((penalty) => penalty.peer === peer);
    expect(penalties.map((penalty) => penalty.reason).sort()).toEqual([
      "malformed",
      "unknownCode",
      "unknownCode",
    ]);
    expect(target.counters.get('consensus_messages_dropped_total{"reason":"unknownCode"}')).toBe(2);
    await cluster.stopAll();
  });

  it("penalises a proposer whose block fails re-execution, and the next round commits", async () => {
    const cluster = new DriverCluster();
    const bad = cluster.node(cluster.proposerIndex(1n, 0));
    bad.chain.buildsBadBlocks = true;
    await cluster.startAll();
    expect(await cluster.clock.runUntil(() => cluster.node(0).height >= 1n, 30_000)).toBe(true);
    bad.chain.buildsBadBlocks = false;
    expect(cluster.node(0).chain.blocks[1]?.round).toBe(1);
    for (const node of cluster.nodes.filter((node) => node !== bad)) {
      expect(node.running.status().drops.invalidBlock).toBe(1);
      expect(cluster.network.penalties).toContainEqual({
        by: node.address,
        peer: bad.address,
        reason: "invalidBlock",
      });
    }
    expect(await cluster.clock.runUntil(() => cluster.minHeight() >= 4n, 30_000)).toBe(true);
    await cluster.stopAll();
  });

  it("logs and counts an equivocation as evidence with both messages", async () => {
    const cluster = new DriverCluster();
    const byzantine = cluster.node(3);
    await cluster.startAll([byzantine.index]);
    const honest = cluster.node(0);
    const height = honest.running.status().height;
    const first = prepareBytes(cluster, byzantine.signer, height, "one block");
    const second = prepareBytes(cluster, byzantine.signer, height, "another block");
    cluster.network.inject(honest.address, first, byzantine.address);
    cluster.network.inject(honest.address, second, byzantine.address);
    await cluster.clock.advance(100);
    const status = honest.running.status();
    expect(status.evidence).toBe(1);
    expect(status.drops.equivocation).toBe(1);
    const line = honest.logs.find((entry) => entry.message === "equivocation evidence");
    expect(line?.level).toBe("warn");
    expect(line?.fields).toMatchObject({
      validator: byzantine.address,
      height,
      round: 0,
      messageType: "prepare",
      first: `0x${Buffer.from(first).toString("hex")}`,
      second: `0x${Buffer.from(second).toString("hex")}`,
    });
    expect(cluster.network.penalties).toContainEqual({
      by: honest.address,
      peer: byzantine.address,
      reason: "equivocation",
    });
    expect(honest.counters.get('consensus_evidence_total{"type":"prepare"}')).toBe(1);
    await cluster.stopAll();
  });

  it("drops messages beyond the queue bound and counts them", async () => {
    const cluster = new DriverCluster({ maxQueuedMessages: 5 });
    await cluster.startAll();
    const target = cluster.node(1);
    for (let index = 0; index < 20; index++) {
      cluster.network.deliverNow(target.address, new Uint8Array([0x99, index]), "0xflood");
    }
    expect(target.running.status().queued).toBe(5);
    expect(target.running.status().drops.queueFull).toBe(15);
    await cluster.clock.advance(10);
    expect(target.running.status().queued).toBe(0);
    expect(target.running.status().drops.unknownCode).toBe(5);
    expect(await cluster.clock.runUntil(() => cluster.minHeight() >= 2n, 30_000)).toBe(true);
    await cluster.stopAll();
  });

  it("halts a validator whose record cannot be saved: it sends nothing more", async () => {
    const cluster = new DriverCluster();
    await cluster.startAll();
    expect(await cluster.clock.runUntil(() => cluster.minHeight() >= 2n, 30_000)).toBe(true);
    const broken = cluster.node(2);
    broken.store.failing = true;
    expect(
      await cluster.clock.runUntil(() => broken.running.status().failure !== undefined, 30_000),
    ).toBe(true);
    const sent = cluster.sentBy(broken).length;
    const status = broken.running.status();
    expect(status.failure).toBe("CONSENSUS_RECORD_STORE_FAILED");
    expect(status.running).toBe(false);
    expect(broken.running.ready()).toBe(false);
    expect(broken.logs.some((line) => line.level === "error")).toBe(true);
    const others = cluster.nodes.filter((node) => node !== broken);
    const from = cluster.minHeight(others);
    expect(await cluster.clock.runUntil(() => cluster.minHeight(others) >= from + 3n, 60_000)).toBe(
      true,
    );
    expect(cluster.sentBy(broken).length).toBe(sent);
    expect(cluster.clock.live(broken.owner)).toBe(0);
    expect(cluster.sendsBeforeTheirRecord()).toEqual([]);
    await cluster.stopAll();
  });

  it("tries a failed commit again until the block is imported", async () => {
    const cluster = new DriverCluster({ retryMs: 300 });
    await cluster.startAll();
    const flaky = cluster.node(1);
    flaky.chain.failingCommits = 2;
    expect(await cluster.clock.runUntil(() => cluster.minHeight() >= 4n, 60_000)).toBe(true);
    expect(flaky.chain.failingCommits).toBe(0);
    expect(flaky.counters.get('consensus_failures_total{"operation":"commit"}')).toBe(2);
    expect(flaky.logs.filter((line) => line.message === "block commit failed")).toHaveLength(2);
    const reference = cluster
      .node(0)
      .chain.blocks.slice(0, 5)
      .map((block) => block.hash);
    expect(flaky.chain.blocks.slice(0, 5).map((block) => block.hash)).toEqual(reference);
    await cluster.stopAll();
  });
});
