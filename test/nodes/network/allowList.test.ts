import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it, vi } from "vitest";
import { addressOfKey, bootnodeOf, nodeKey, peerIdsOf, useTestNodes } from "./networkFixture.ts";

const start = useTestNodes();

describe("the allow-list", () => {
  it("keeps out a peer that is not allowed, in both directions, and counts each refusal", async () => {
    const a = await start(1, [1, 2]);
    // X allows A, but A does not allow X: X dialling A is refused inbound...
    const x = await start(9, [1, 9], { bootnodes: [bootnodeOf(a)] });
    await vi.waitFor(() =>
      expect(
        a.metrics.count("p2p_gater_decisions_total", {
          decision: "refuse",
          reason: "not-allowed",
          direction: "inbound",
        }),
      ).toBeGreaterThan(0),
    );
    // ...and A dialling X is refused before any socket opens.
    const a2 = await start(3, [3], { bootnodes: [bootnodeOf(x)] });
    await vi.waitFor(() =>
      expect(
        a2.metrics.count("p2p_gater_decisions_total", {
          decision: "refuse",
          reason: "not-allowed",
          direction: "outbound",
        }),
      ).toBeGreaterThan(0),
    );
    // Long enough for a handshake that slipped through to complete.
    await sleep(1_000);
    expect(a.network.peers()).toEqual([]);
    expect(x.network.peers()).toEqual([]);
    expect(a2.network.peers()).toEqual([]);
    expect(a.metrics.count("p2p_handshakes_total", { result: "ok" })).toBe(0);
    expect(x.metrics.count("p2p_handshakes_total", { result: "ok" })).toBe(0);
    const refusal = a.logs.find((record) => record.message === "peer refused by the allow-list");
    expect(refusal?.level).toBe("warn");
    expect(refusal?.fields).toMatchObject({
      peerId: x.network.peerId,
      address: addressOfKey(nodeKey(9)),
      reason: "not-allowed",
    });
  });

  it("disconnects a peer removed from the allow-list on refresh, and keeps it out", async () => {
    const a = await start(1, [1, 2]);
    const b = await start(2, [1, 2], { bootnodes: [bootnodeOf(a)] });
    await vi.waitFor(() => expect(peerIdsOf(a)).toEqual([b.network.peerId]));
    a.allowed.delete(addressOfKey(nodeKey(2)));
    await a.network.refreshAllowList();
    expect(a.network.peers()).toEqual([]);
    expect(
      a.metrics.count("p2p_gater_decisions_total", { decision: "refuse", direction: "existing" }),
    ).toBe(1);
    await vi.waitFor(() => expect(b.network.peers()).toEqual([]));
    // B keeps re-dialling its bootnode; A refuses each attempt.
    await vi.waitFor(() =>
      expect(
        a.metrics.count("p2p_gater_decisions_total", { decision: "refuse", direction: "inbound" }),
      ).toBeGreaterThan(0),
    );
    expect(a.network.peers()).toEqual([]);
    // Allowed again: B's next re-dial gets in without anyone acting.
    a.allowed.add(addressOfKey(nodeKey(2)));
    await vi.waitFor(() => expect(peerIdsOf(a)).toEqual([b.network.peerId]));
  });

  it("refuses peers beyond its peer limit", async () => {
    const a = await start(1, [1, 2, 3], { limits: { maxPeers: 1 } });
    const b = await start(2, [1, 2, 3], { bootnodes: [bootnodeOf(a)] });
    await vi.waitFor(() => expect(peerIdsOf(a)).toEqual([b.network.peerId]));
    await start(3, [1, 2, 3], { bootnodes: [bootnodeOf(a)] });
    await vi.waitFor(() =>
      expect(
        a.metrics.count("p2p_gater_decisions_total", { decision: "refuse", reason: "full" }),
      ).toBeGreaterThan(0),
    );
    expect(peerIdsOf(a)).toEqual([b.network.peerId]);
  });

  it("disconnects a peer penalised past the threshold and refuses it until the ban ends", async () => {
    const a = await start(1, [1, 2], { scoring: { banMs: 1_500 } });
    const b = await start(2, [1, 2], { bootnodes: [bootnodeOf(a)] });
    await vi.waitFor(() => expect(peerIdsOf(a)).toHaveLength(1));
    expect(a.network.penalise(b.network.address, "invalid-block")).toBe(true);
    expect(peerIdsOf(a)).toHaveLength(1);
    expect(a.network.penalise(b.network.peerId, "invalid-block")).toBe(true);
    await vi.waitFor(() => expect(a.network.peers()).toEqual([]));
    expect(a.metrics.count("p2p_bans_total")).toBe(1);
    await vi.waitFor(() =>
      expect(
        a.metrics.count("p2p_gater_decisions_total", { decision: "refuse", reason: "banned" }),
      ).toBeGreaterThan(0),
    );
    await vi.waitFor(() => expect(peerIdsOf(a)).toEqual([b.network.peerId]), { timeout: 5_000 });
    expect(a.network.penalise("0x0000000000000000000000000000000000000001", "invalid-block")).toBe(
      false,
    );
  });
});
