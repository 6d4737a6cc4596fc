import type { CustosError } from "../../src/errors/index.ts";
import type { NetworkContext } from "./NetworkContext.ts";
import type { PeerScores } from "./PeerScores.ts";
import type { ResolvedNetworkOptions } from "./resolveNetworkOptions.ts";
import { wireFaultOf } from "./wire/wireError.ts";

/**
 * The network's fault and penalty paths: a fault counts the dropped frame by protocol and
 * fault and penalises the peer (`oversized-message` for a frame over the limit,
 * `malformed-message` otherwise); a penalty is counted and logged, and a peer crossing the
 * threshold is counted as banned, logged at warn and handed to `ban` to be disconnected.
 *
 * @example
 * ```ts
 * const { fault, penalise } = createPenaliser(options, scores, (peerId) =>
 *   lifecycle.disconnect(peerId, "banned"));
 * ```
 */
export function createPenaliser(
  options: ResolvedNetworkOptions,
  scores: PeerScores,
  ban: (peerId: string) => void,
): Pick<NetworkContext, "fault" | "penalise"> {
  const { logger, metrics } = options;
  const penalise: NetworkContext["penalise"] = (peerId, reason) => {
    const outcome = scores.penalise(peerId, reason);
    metrics.increment("p2p_penalties_total", { reason });
    logger.debug({ peerId, reason, score: outcome.score }, "peer penalised");
    if (!outcome.banned) return;
    metrics.increment("p2p_bans_total");
    logger.warn(
      { peerId, reason, banMs: options.scoring.banMs },
      "peer banned: penalty threshold reached",
    );
    ban(peerId);
  };
  const fault = (peerId: string, protocol: string, error: CustosError) => {
    const kind = wireFaultOf(error) ?? "bad-field";
    metrics.increment("p2p_frames_dropped_total", { protocol, fault: kind });
    logger.debug({ peerId, protocol, fault: kind }, "frame dropped");
    penalise(peerId, kind === "oversized" ? "oversized-message" : "malformed-message");
  };
  return { fault, penalise };
}
