import type { CustosError } from "../../src/errors/index.ts";
import type { PenaltyReason } from "./PeerScores.ts";
import type { ProtocolName } from "./protocols.ts";
import type { ResolvedNetworkOptions } from "./resolveNetworkOptions.ts";
import type { SessionTable } from "./SessionTable.ts";

/** What the protocol modules share: options, sessions, and the peer-fault path. */
export interface NetworkContext {
  readonly options: ResolvedNetworkOptions;
  readonly sessions: SessionTable;
  /**
   * A peer sent bytes that do not decode on `protocol`: counted as a dropped frame
   * (`p2p_frames_dropped_total{protocol, fault}`) and penalised.
   */
  fault(peerId: string, protocol: ProtocolName, error: CustosError): void;
  /** Penalises a peer; past the threshold it is disconnected and banned. */
  penalise(peerId: string, reason: PenaltyReason): void;
}
