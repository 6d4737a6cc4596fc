import { describe, expect, it, vi } from "vitest";
import { expectCustosError } from "../../expectCustosError.ts";
import { bootnodeOf, peerIdsOf, type TestNode, useTestNodes } from "./networkFixture.ts";

const start = useTestNodes();

/** A stand-in block RLP of `size` bytes that names its number. */
function block(number: bigint, size = 16): Uint8Array {
  const bytes = new Uint8Array(size).fill(0xab);
  new DataView(bytes.buffer).setBigUint64(0, number);
  return bytes;
}
const numberOf = (bytes: Uint8Array) =>
  new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0);

/** A server holding blocks 0..99, and a client connected to it. */
async function pair(serverLimits = {}) {
  const server = await start(1, [1, 2], { limits: serverLimits });
  const client = await start(2, [1, 2], { bootnodes: [bootnodeOf(server)] });
  await vi.waitFor(() => expect(peerIdsOf(client)).toHaveLength(1));
  return { server, client, serverId: server.network.peerId };
}

function serveRange(node: TestNode, size = 16, height = 99n) {
  const asked: [bigint, number][] = [];
  node.network.serveBlocks(async (from, count) => {
    asked.push([from, count]);
    const out: Uint8Array[] = [];
    for (let n = from; n < from + BigInt(count) && n <= height; n++) out.push(block(n, size));
    return out;
  });
  return asked;
}

describe("block sync", () => {
  it("serves blocks and headers by range, in order", async () => {
    const { server, client, serverId } = await pair();
    serveRange(server);
    server.network.serveHeaders(async (from, count) =>
      Array.from({ length: count }, (_, i) => block(from + BigInt(i), 8)),
    );
    const blocks = await client.network.requestBlocks(serverId, 10n, 5);
    expect(blocks.map(numberOf)).toEqual([10n, 11n, 12n, 13n, 14n]);
    const tail = await client.network.requestBlocks(serverId, 97n, 10);
    expect(tail.map(numberOf)).toEqual([97n, 98n, 99n]);
    expect(await client.network.requestBlocks(serverId, 500n, 3)).toEqual([]);
    const headers = await client.network.requestHeaders(serverId, 3n, 2);
    expect(headers.map((h) => [numberOf(h), h.length])).toEqual([
      [3n, 8],
      [4n, 8],
    ]);
  });

  it("caps each answer at the server's count and byte limits", async () => {
    const { server, client, serverId } = await pair({
      maxBlocksPerRequest: 4,
      maxMessageBytes: 4_096,
    });
    const asked = serveRange(server, 1_000);
    const capped = await client.network.requestBlocks(serverId, 0n, 10);
    // At most 4 asked of the server; 4 × (1,000 + 4) + 5 bytes fit in 4,096 bytes.
    expect(asked).toEqual([[0n, 4]]);
    expect(capped.map(numberOf)).toEqual([0n, 1n, 2n, 3n]);
    serveRange(server, 1_500);
    const trimmed = await client.network.requestBlocks(serverId, 20n, 4);
    expect(trimmed.map(numberOf)).toEqual([20n, 21n]);
    await expectCustosError(client.network.requestBlocks(serverId, 0n, 513), "INVALID_ARGUMENT");
    await expectCustosError(client.network.requestBlocks(serverId, -1n, 1), "INVALID_ARGUMENT");
  });

  it("fails typed: no server, a failing server, a silent one, an unknown peer, a cancelled request", async () => {
    const { server, client, serverId } = await pair();
    await expectCustosError(client.network.requestBlocks(serverId, 0n, 1), "P2P_SYNC_REFUSED");
    server.network.serveBlocks(async () => {
      throw new Error("disk on fire");
    });
    await expectCustosError(client.network.requestBlocks(serverId, 0n, 1), "P2P_SYNC_REFUSED");
    server.network.serveBlocks(
      (_from, _count, signal) =>
        new Promise((_resolve, reject) => {
          signal.addEventListener("abort", () => reject(signal.reason));
        }),
    );
    await expectCustosError(
      client.network.requestBlocks(serverId, 0n, 1, { timeoutMs: 300 }),
      "P2P_TIMEOUT",
    );
    expect(client.metrics.count("p2p_penalties_total", { reason: "sync-timeout" })).toBe(1);
    const controller = new AbortController();
    const cancelled = client.network.requestBlocks(serverId, 0n, 1, { signal: controller.signal });
    controller.abort();
    await expectCustosError(cancelled, "NODE_ABORTED");
    await expectCustosError(
      client.network.requestBlocks(client.network.peerId, 0n, 1),
      "P2P_PEER_UNAVAILABLE",
    );
    await client.network.stop();
    await expectCustosError(client.network.requestBlocks(serverId, 0n, 1), "P2P_STOPPED");
  });
});
