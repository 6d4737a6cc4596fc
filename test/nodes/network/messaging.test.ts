import type { Connection } from "@libp2p/interface";
import { multiaddr } from "@multiformats/multiaddr";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createLibp2pHost } from "../../../nodes/network/createLibp2pHost.ts";
import { type Address, protocols } from "../../../nodes/network/index.ts";
import { resolveNetworkOptions } from "../../../nodes/network/resolveNetworkOptions.ts";
import { encodeFrame } from "../../../nodes/network/wire/encodeFrame.ts";
import { FrameType } from "../../../nodes/network/wire/frameTypes.ts";
import { encodeStatus } from "../../../nodes/network/wire/statusMessage.ts";
import {
  bootnodeOf,
  CHAIN_ID,
  GENESIS,
  nodeKey,
  PROTOCOL_VERSION,
  peerIdsOf,
  type TestNode,
  useTestNodes,
} from "./networkFixture.ts";

const start = useTestNodes();
const cleanups: (() => Promise<void>)[] = [];
// Registered after useTestNodes: vitest runs after-hooks in reverse, so these go first.
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
});

const text = (value: string) => new TextEncoder().encode(value);
const read = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

/** Three nodes, fully connected. */
async function mesh(): Promise<[TestNode, TestNode, TestNode]> {
  const a = await start(1, [1, 2, 3]);
  const b = await start(2, [1, 2, 3], { bootnodes: [bootnodeOf(a)] });
  const c = await start(3, [1, 2, 3], { bootnodes: [bootnodeOf(a), bootnodeOf(b)] });
  for (const node of [a, b, c]) await vi.waitFor(() => expect(peerIdsOf(node)).toHaveLength(2));
  return [a, b, c];
}

function inbox(node: TestNode): string[] {
  const received: string[] = [];
  node.network.onConsensusMessage((message, from) => received.push(`${read(message)}<${from}`));
  return received;
}

describe("consensus messages and transactions", () => {
  it("delivers consensus messages point to point, once each, to exactly the listed addresses", async () => {
    const [a, b, c] = await mesh();
    const [atA, atB, atC] = [inbox(a), inbox(b), inbox(c)];
    const stranger = "0x00000000000000000000000000000000000000aa";
    expect(a.network.sendToValidators([b.network.address], text("m1"))).toBe(1);
    const all = [a.network.address, b.network.address, c.network.address.toUpperCase(), stranger];
    expect(a.network.sendToValidators([...all, b.network.address], text("m2"))).toBe(2);
    // A marker sent after: once it is in, everything before it on the same stream is too.
    a.network.sendToValidators([b.network.address, c.network.address], text("end"));
    const from = a.network.address;
    await vi.waitFor(() => {
      expect(atB.at(-1)).toBe(`end<${from}`);
      expect(atC.at(-1)).toBe(`end<${from}`);
    });
    expect(atB).toEqual([`m1<${from}`, `m2<${from}`, `end<${from}`]);
    expect(atC).toEqual([`m2<${from}`, `end<${from}`]);
    expect(atA).toEqual([]);
    expect(b.metrics.count("p2p_messages_received_total", { protocol: "consensus" })).toBe(3);
  });

  it("gossips transactions to every peer once and never echoes them back", async () => {
    const [a, b, c] = await mesh();
    const got = new Map<TestNode, string[]>([
      [a, []],
      [b, []],
      [c, []],
    ]);
    for (const [node, list] of got) {
      node.network.onTransactions((txs, from: Address) => {
        for (const tx of txs) list.push(`${read(tx)}<${from}`);
      });
    }
    a.network.gossipTransactions([text("tx1"), text("tx2")]);
    await vi.waitFor(() => {
      expect(got.get(b)).toHaveLength(2);
      expect(got.get(c)).toHaveLength(2);
    });
    // B's pool admitted them and gossips them on: C has them already, A sent them.
    b.network.gossipTransactions([text("tx1"), text("tx2"), text("tx3")]);
    await vi.waitFor(() => {
      expect(got.get(a)).toEqual([`tx3<${b.network.address}`]);
      expect(got.get(c)).toContain(`tx3<${b.network.address}`);
    });
    expect(got.get(b)).toEqual([`tx1<${a.network.address}`, `tx2<${a.network.address}`]);
    expect(got.get(c)?.filter((entry) => entry.startsWith("tx1"))).toHaveLength(1);
  });

  it("drops a malformed frame without crashing, penalises the sender and bans it in the end", async () => {
    const a = await start(1, [1, 2, 7]);
    const b = await start(2, [1, 2], { bootnodes: [bootnodeOf(a)] });
    await vi.waitFor(() => expect(peerIdsOf(a)).toHaveLength(1));
    // An allow-listed peer that speaks the protocol by hand.
    const resolved = resolveNetworkOptions({
      nodeKey: nodeKey(7),
      chainId: CHAIN_ID,
      genesisHash: GENESIS,
      protocolVersion: PROTOCOL_VERSION,
      isAllowed: () => true,
    });
    const rogue = await createLibp2pHost(resolved, {});
    await rogue.start();
    cleanups.push(async () => {
      await rogue.stop();
    });
    const connection: Connection = await rogue.dial(multiaddr(bootnodeOf(a)));
    const status = await connection.newStream(protocols.status);
    status.send(
      encodeFrame(
        FrameType.status,
        encodeStatus({
          protocolVersion: PROTOCOL_VERSION,
          chainId: CHAIN_ID,
          genesisHash: GENESIS,
          head: { number: 0n, hash: GENESIS },
          listenPort: 0,
        }),
      ),
    );
    await vi.waitFor(() => expect(peerIdsOf(a)).toHaveLength(2));

    const send = async (bytes: Uint8Array) => {
      const stream = await connection.newStream(protocols.consensus);
      stream.send(bytes);
    };
    await send(encodeFrame(FrameType.transactions, text("wrong stream")));
    await vi.waitFor(() =>
      expect(
        a.metrics.count("p2p_frames_dropped_total", {
          protocol: "consensus",
          fault: "unexpected-type",
        }),
      ).toBe(1),
    );
    const oversized = new Uint8Array(5);
    new DataView(oversized.buffer).setUint32(0, 0x7fff_ffff);
    await send(oversized);
    await vi.waitFor(() =>
      expect(a.metrics.count("p2p_frames_dropped_total", { fault: "oversized" })).toBe(1),
    );
    expect(a.metrics.count("p2p_penalties_total", { reason: "malformed-message" })).toBe(1);
    expect(a.metrics.count("p2p_penalties_total", { reason: "oversized-message" })).toBe(1);
    expect(peerIdsOf(a)).toContain(rogue.peerId.toString());

    // A zero body length: an empty frame.
    await send(new Uint8Array(4));
    await vi.waitFor(() => expect(a.metrics.count("p2p_bans_total")).toBe(1));
    await vi.waitFor(() => expect(peerIdsOf(a)).toEqual([b.network.peerId]));

    // The receiver still works.
    const atB = inbox(b);
    a.network.sendToValidators([b.network.address], text("still here"));
    await vi.waitFor(() => expect(atB).toEqual([`still here<${a.network.address}`]));
  });
});
