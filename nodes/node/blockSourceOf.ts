import type { P2pNetwork } from "../network/index.ts";
import type { BlockSource } from "../sync/index.ts";

/**
 * Block sync's source over the p2p network: the connected peers with the heads they
 * announced, their block ranges, and penalties for blocks that do not verify.
 *
 * @example
 * ```ts
 * const sync = createBlockSync({ source: blockSourceOf(p2p), importer });
 * ```
 */
export function blockSourceOf(
  network: Pick<P2pNetwork, "peers" | "requestBlocks" | "penalise">,
): BlockSource {
  return {
    peers: () => network.peers().map((peer) => ({ peerId: peer.peerId, head: peer.head.number })),
    requestBlocks: (peerId, fromNumber, count, signal) =>
      network.requestBlocks(peerId, fromNumber, count, { signal }),
    penalise(peerId, reason) {
      network.penalise(peerId, reason);
    },
  };
}
