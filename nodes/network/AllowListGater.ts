import type { ConnectionGater, PeerId } from "@libp2p/interface";
import type { Address } from "./Address.ts";
import { addressOfPeerId } from "./addressOfPeerId.ts";
import type { NetworkLogger } from "./NetworkLogger.ts";
import type { NetworkMetrics } from "./NetworkMetrics.ts";

/** Why the gater refused a peer. */
export type RefusalReason =
  | "not-secp256k1"
  | "not-allowed"
  | "allow-list-error"
  | "banned"
  | "full"
  | "self";

/** What the gater consults. */
export interface GaterPorts {
  readonly isAllowed: (address: Address) => boolean | Promise<boolean>;
  /** Whether the peer is serving a ban for misbehaviour. */
  readonly isBanned: (peerId: string) => boolean;
  /** Whether admitting this peer would exceed the peer limit. */
  readonly isFull: (peerId: string) => boolean;
}

/**
 * The allow-list connection gater: a peer is admitted only when its peer id embeds a
 * secp256k1 key whose address `isAllowed` accepts (the Consortium's accounts), it is not
 * banned, and there is room. Checked before we dial (`denyDialPeer`) and once the remote's
 * identity is proven by noise (`deny*EncryptedConnection`), so neither side of a refused
 * pair ever gets a session. Every decision is logged (debug for admits, warn for refusals,
 * with peer id and address) and counted as `p2p_gater_decisions_total{decision, reason,
 * direction}`.
 *
 * @example
 * ```ts
 * const gater = new AllowListGater({ isAllowed, isBanned, isFull }, log, metrics, self);
 * createLibp2p({ connectionGater: gater.connectionGater(), ... });
 * ```
 */
export class AllowListGater {
  readonly #ports: GaterPorts;
  readonly #log: NetworkLogger;
  readonly #metrics: NetworkMetrics;
  readonly #self: string;

  constructor(ports: GaterPorts, log: NetworkLogger, metrics: NetworkMetrics, self: string) {
    this.#ports = ports;
    this.#log = log;
    this.#metrics = metrics;
    this.#self = self;
  }

  /** Decides on one peer; true admits. Logged and counted. */
  async admits(peer: PeerId, direction: "inbound" | "outbound"): Promise<boolean> {
    const peerId = peer.toString();
    const address = addressOfPeerId(peer);
    const reason = await this.#refusal(peerId, address);
    const fields = { peerId, address: address ?? null, direction };
    if (reason === undefined) {
      this.#metrics.increment("p2p_gater_decisions_total", {
        decision: "admit",
        reason: "allowed",
        direction,
      });
      this.#log.debug(fields, "peer admitted by the allow-list");
      return true;
    }
    this.#metrics.increment("p2p_gater_decisions_total", { decision: "refuse", reason, direction });
    this.#log.warn({ ...fields, reason }, "peer refused by the allow-list");
    return false;
  }

  /** The libp2p gater: each `deny*` is the negation of {@link admits}. */
  connectionGater(): ConnectionGater {
    return {
      denyDialPeer: async (peer) => !(await this.admits(peer, "outbound")),
      denyInboundEncryptedConnection: async (peer) => !(await this.admits(peer, "inbound")),
      denyOutboundEncryptedConnection: async (peer) => !(await this.admits(peer, "outbound")),
    };
  }

  async #refusal(peerId: string, address: Address | undefined): Promise<RefusalReason | undefined> {
    if (peerId === this.#self) return "self";
    if (address === undefined) return "not-secp256k1";
    if (this.#ports.isBanned(peerId)) return "banned";
    try {
      if ((await this.#ports.isAllowed(address)) !== true) return "not-allowed";
    } catch (error) {
      this.#log.error({ peerId, address, err: error }, "allow-list check failed");
      return "allow-list-error";
    }
    return this.#ports.isFull(peerId) ? "full" : undefined;
  }
}
