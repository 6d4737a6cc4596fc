import { setTimeout as sleep } from "node:timers/promises";
import { bytesToHex } from "@ethereumjs/util";
import { describe, expect, it, vi } from "vitest";
import type { ChainHead } from "../../../nodes/network/index.ts";
import { expectCustosError } from "../../expectCustosError.ts";
import {
  addressOfKey,
  bootnodeOf,
  GENESIS,
  nodeKey,
  peerIdsOf,
  startNode,
  useTestNodes,
} from "./networkFixture.ts";

const start = useTestNodes();

describe("status handshake", () => {
  it("connects allowed peers and keeps their heads up to date", async () => {
    const a = await start(1, [1, 2]);
    const seenByB: { head: ChainHead; peerId: string }[] = [];
    const b = await start(2, [1, 2], { bootnodes: [bootnodeOf(a)] });
    b.network.onPeerHead((head, peer) => seenByB.push({ head, peerId: peer.peerId }));
    await vi.waitFor(() => {
      expect(peerIdsOf(a)).toEqual([b.network.peerId]);
      expect(peerIdsOf(b)).toEqual([a.network.peerId]);
    });
    const [atB] = b.network.peers();
    expect(atB).toMatchObject({
      peerId: a.network.peerId,
      address: addressOfKey(nodeKey(1)),
      direction: "outbound",
      head: { number: 0n, hash: GENESIS },
    });
    expect(a.network.peers()[0]?.direction).toBe("inbound");
    expect(a.metrics.count("p2p_handshakes_total", { result: "ok" })).toBe(1);

    const hash = new Uint8Array(32).fill(7);
    a.network.announceHead(5n, hash);
    await vi.waitFor(() => expect(b.network.peers()[0]?.head.number).toBe(5n));
    expect(bytesToHex(b.network.peers()[0]?.head.hash ?? new Uint8Array())).toBe(bytesToHex(hash));
    expect(seenByB.at(-1)).toEqual({ head: { number: 5n, hash }, peerId: a.network.peerId });
  });

  it.each([
    ["genesisHash", { genesisHash: new Uint8Array(32).fill(9) }],
    ["protocolVersion", { protocolVersion: 2 }],
    ["chainId", { chainId: 1338n }],
  ] as const)("refuses a peer with another %s, naming both values", async (field, override) => {
    const a = await start(1, [1, 3]);
    const c = await start(3, [1, 3], { ...override, bootnodes: [bootnodeOf(a)] });
    await vi.waitFor(() => {
      expect(a.metrics.count("p2p_handshakes_total", { result: field })).toBeGreaterThan(0);
      expect(c.metrics.count("p2p_handshakes_total", { result: field })).toBeGreaterThan(0);
    });
    expect(a.network.peers()).toEqual([]);
    expect(c.network.peers()).toEqual([]);
    const line = a.logs.find((record) => record.message === "peer refused: status mismatch");
    expect(line?.level).toBe("warn");
    expect(line?.fields).toMatchObject({ peerId: c.network.peerId, field });
    expect(line?.fields.ours).not.toEqual(line?.fields.theirs);
  });

  it("settles on one stable session when two peers each dial the other", async () => {
    const first = await start(1, [1, 2]);
    const address = bootnodeOf(first);
    const port = Number(/\/tcp\/(\d+)\//.exec(address)?.[1]);
    await first.network.stop();
    // B dials A's address before A is back; A then dials B as its bootnode: both dial.
    const b = await start(2, [1, 2], { bootnodes: [address] });
    const a = await start(1, [1, 2], { listen: { port }, bootnodes: [bootnodeOf(b)] });
    await vi.waitFor(() => {
      expect(peerIdsOf(a)).toEqual([b.network.peerId]);
      expect(peerIdsOf(b)).toEqual([a.network.peerId]);
    });
    await sleep(500);
    const [atA] = a.network.peers();
    const [atB] = b.network.peers();
    expect(atA?.direction).not.toBe(atB?.direction);
    expect(a.network.sendToValidators([b.network.address], Uint8Array.of(1))).toBe(1);
    const ok = a.metrics.count("p2p_handshakes_total", { result: "ok" });
    await sleep(500);
    expect(a.metrics.count("p2p_handshakes_total", { result: "ok" })).toBe(ok);
    expect(peerIdsOf(a)).toEqual([b.network.peerId]);
  });

  it("fails typed when its port is taken", async () => {
    const a = await start(1, [1]);
    const port = Number(/\/tcp\/(\d+)\//.exec(bootnodeOf(a))?.[1]);
    await expectCustosError(startNode(2, [2], { listen: { port } }), "P2P_LISTEN_FAILED");
  });

  it("stops within a few seconds, closing every connection", async () => {
    const a = await start(1, [1, 2]);
    const b = await start(2, [1, 2], { bootnodes: [bootnodeOf(a)] });
    await vi.waitFor(() => expect(peerIdsOf(a)).toHaveLength(1));
    const started = Date.now();
    await a.network.stop();
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(a.network.peers()).toEqual([]);
    await vi.waitFor(() => expect(b.network.peers()).toEqual([]));
    await a.network.stop();
  });
});
