import { bytesToHex } from "@ethereumjs/util";
import type { QbftDropReason } from "../consensus/core/index.ts";
import type { ConsensusNetwork } from "../consensus/driver/index.ts";
import type { P2pNetwork, PenaltyReason } from "../network/index.ts";

/** The network's penalty for a consensus message the core dropped as a fault. */
function penaltyFor(reason: QbftDropReason): PenaltyReason {
  switch (reason) {
    case "invalidBlock":
    case "badBlock":
      return "invalid-block";
    case "oversized":
      return "oversized-message";
    case "malformed":
    case "unknownCode":
    case "tooManyJustifications":
      return "malformed-message";
    default:
      return "invalid-consensus-message";
  }
}

/**
 * The consensus driver's network port over the p2p network: messages go point to point to
 * the listed validators, arrive named by their sender's address, and a sender whose message
 * the core dropped as a fault is penalised — an invalid block weighs most, a malformed or
 * oversized message next, any other invalid message least.
 *
 * @example
 * ```ts
 * const driver = createQbftDriver(options, { network: consensusNetworkOf(p2p), ... });
 * ```
 */
export function consensusNetworkOf(
  network: Pick<P2pNetwork, "sendToValidators" | "onConsensusMessage" | "penalise">,
): ConsensusNetwork {
  return {
    send(to, bytes) {
      network.sendToValidators(
        to.map((address) => bytesToHex(address)),
        bytes,
      );
    },
    onMessage: (handler) => network.onConsensusMessage(handler),
    penalise(from, reason) {
      network.penalise(from, penaltyFor(reason));
    },
  };
}
