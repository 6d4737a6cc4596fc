import { isIP } from "node:net";
import { noise } from "@chainsafe/libp2p-noise";
import type { ConnectionGater, Libp2p } from "@libp2p/interface";
import { tcp } from "@libp2p/tcp";
import { yamux } from "@libp2p/yamux";
import { createLibp2p } from "libp2p";
import type { ResolvedNetworkOptions } from "./resolveNetworkOptions.ts";

/**
 * The libp2p host, not started: TCP, noise (which proves each peer's id, hence its address),
 * yamux, the allow-list gater, and nothing else — no identify, discovery or DHT: peers come
 * from bootnodes and from the peers that dial us, and every protocol is ours.
 *
 * @example
 * ```ts
 * const host = await createLibp2pHost(resolved, gater.connectionGater());
 * await host.start();
 * ```
 */
export async function createLibp2pHost(
  options: ResolvedNetworkOptions,
  gater: ConnectionGater,
): Promise<Libp2p> {
  const { host, port } = options.listen;
  const family = isIP(host) === 6 ? "ip6" : "ip4";
  return createLibp2p({
    privateKey: options.privateKey,
    start: false,
    addresses: { listen: [`/${family}/${host}/tcp/${port}`] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionGater: gater,
    connectionManager: {
      // Room for a duplicate connection per peer while the handshake resolves it.
      maxConnections: options.limits.maxPeers * 2 + 2,
    },
  });
}
