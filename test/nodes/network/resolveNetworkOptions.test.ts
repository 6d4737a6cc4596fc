import { describe, expect, it } from "vitest";
import type { P2pNetworkOptions } from "../../../nodes/network/index.ts";
import { peerIdOfNodeKey } from "../../../nodes/network/index.ts";
import { resolveNetworkOptions } from "../../../nodes/network/resolveNetworkOptions.ts";
import { expectCustosError } from "../../expectCustosError.ts";
import { GENESIS, nodeKey } from "./networkFixture.ts";

const base: P2pNetworkOptions = {
  nodeKey: nodeKey(1),
  chainId: 1337n,
  genesisHash: GENESIS,
  protocolVersion: 1,
  isAllowed: () => true,
};

describe("resolveNetworkOptions", () => {
  it("fills the defaults and derives the identity", () => {
    const resolved = resolveNetworkOptions(base);
    expect(resolved.peerId).toBe(peerIdOfNodeKey(nodeKey(1)));
    expect(resolved.address).toMatch(/^0x[0-9a-f]{40}$/);
    expect(resolved.listen).toEqual({ host: "127.0.0.1", port: 0 });
    expect(resolved.head).toEqual({ number: 0n, hash: GENESIS });
    expect(resolved.limits.maxMessageBytes).toBe(10 * 1024 * 1024);
  });

  it("accepts a TCP bootnode with a secp256k1 peer id", () => {
    const bootnode = `/ip4/10.0.0.2/tcp/30303/p2p/${peerIdOfNodeKey(nodeKey(2))}`;
    expect(resolveNetworkOptions({ ...base, bootnodes: [bootnode] }).bootnodes).toEqual([
      { peerId: peerIdOfNodeKey(nodeKey(2)), multiaddr: bootnode },
    ]);
  });

  it.each([
    ["nodeKey", { nodeKey: new Uint8Array(32) }],
    ["listen.host", { listen: { host: "localhost" } }],
    ["listen.port", { listen: { port: 70_000 } }],
    ["bootnodes[0]", { bootnodes: ["/ip4/10.0.0.2/tcp/30303"] }],
    ["bootnodes[0]", { bootnodes: [`/ip4/10.0.0.2/udp/1/p2p/${peerIdOfNodeKey(nodeKey(2))}`] }],
    ["bootnodes[0]", { bootnodes: [`/ip4/10.0.0.2/tcp/1/p2p/${peerIdOfNodeKey(nodeKey(1))}`] }],
    [
      "bootnodes[0]",
      {
        bootnodes: ["/ip4/10.0.0.2/tcp/1/p2p/12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA"],
      },
    ],
    ["chainId", { chainId: 0n }],
    ["genesisHash", { genesisHash: new Uint8Array(31) }],
    ["protocolVersion", { protocolVersion: -1 }],
    ["head.hash", { head: { number: 1n, hash: new Uint8Array(1) } }],
    ["isAllowed", { isAllowed: undefined }],
    ["limits.maxMessageBytes", { limits: { maxMessageBytes: 10 } }],
    ["limits.maxPeers", { limits: { maxPeers: 0 } }],
    ["timeouts.requestMs", { timeouts: { requestMs: 0 } }],
    ["reconnect.capMs", { reconnect: { baseMs: 1_000, capMs: 10 } }],
    ["scoring.threshold", { scoring: { threshold: 0.5 } }],
  ])("refuses a bad %s", (field, override) => {
    const options = { ...base, ...override } as unknown as P2pNetworkOptions;
    const error = expectCustosError(() => resolveNetworkOptions(options), "CONFIG_INVALID");
    expect(error.details.field).toBe(field);
  });
});
