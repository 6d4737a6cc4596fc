import { describe, expect, it, vi } from "vitest";
import { bootnodeOf, peerIdsOf, type TestNode, useTestNodes } from "./networkFixture.ts";

const start = useTestNodes();

function portOf(node: TestNode): number {
  return Number(/\/tcp\/(\d+)\//.exec(bootnodeOf(node))?.[1]);
}

describe("reconnection", () => {
  it("re-dials a restarted peer that had dialled in, without anyone acting", async () => {
    const a = await start(1, [1, 2]);
    const b = await start(2, [1, 2], { bootnodes: [bootnodeOf(a)] });
    await vi.waitFor(() => expect(peerIdsOf(a)).toEqual([b.network.peerId]));
    const port = portOf(b);
    await b.network.stop();
    await vi.waitFor(() => expect(a.network.peers()).toEqual([]));
    // Back on the same port with no bootnodes: only A's re-dial can bring them together.
    const restarted = await start(2, [1, 2], { listen: { port } });
    await vi.waitFor(() => expect(peerIdsOf(restarted)).toEqual([a.network.peerId]), {
      timeout: 5_000,
    });
    expect(restarted.network.peers()[0]?.direction).toBe("inbound");
  });

  it("keeps dialling a bootnode that is down until it comes up", async () => {
    const first = await start(1, [1, 2]);
    const address = bootnodeOf(first);
    const port = portOf(first);
    await first.network.stop();
    const b = await start(2, [1, 2], { bootnodes: [address] });
    await vi.waitFor(() =>
      expect(b.logs.filter((record) => record.message === "dial failed").length).toBeGreaterThan(1),
    );
    const a = await start(1, [1, 2], { listen: { port } });
    await vi.waitFor(() => expect(peerIdsOf(b)).toEqual([a.network.peerId]), { timeout: 5_000 });
  });
});
