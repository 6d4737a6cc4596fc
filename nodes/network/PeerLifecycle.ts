import type { Connection, Libp2p, Stream } from "@libp2p/interface";
import type { Address } from "./Address.ts";
import { addressOfPeerId } from "./addressOfPeerId.ts";
import type { Listeners } from "./Listeners.ts";
import type { NetworkContext } from "./NetworkContext.ts";
import type { PeerHeadHandler } from "./P2pNetwork.ts";
import { PeerSession } from "./PeerSession.ts";
import { prefersConnection } from "./prefersConnection.ts";
import type { Redialer } from "./Redialer.ts";
import type { StatusMessage } from "./wire/statusMessage.ts";

/** Why a session ended: a label of `p2p_disconnects_total{reason}`. */
export type DisconnectReason = "closed" | "banned" | "not-allowed" | "stopping";

/**
 * Where a peer can be dialled back: the address we dialled, or for an inbound connection the
 * remote's IP with the listen port from its status (its source port is ephemeral).
 */
function dialBackAddress(connection: Connection, listenPort: number): string | undefined {
  const peerId = connection.remotePeer.toString();
  const remote = connection.remoteAddr.toString().split("/p2p/")[0] as string;
  if (connection.direction === "outbound") return `${remote}/p2p/${peerId}`;
  if (listenPort === 0) return undefined;
  const match = /^\/(ip4|ip6)\/([^/]+)\/tcp\/\d+$/.exec(remote);
  if (match === null) return undefined;
  return `/${match[1]}/${match[2]}/tcp/${listenPort}/p2p/${peerId}`;
}

/**
 * Sessions from birth to end: made when a handshake agrees (one per peer; a duplicate
 * connection is resolved the same way at both ends), ended when their connection closes or
 * the peer is disconnected (banned, no longer allowed). Tells the redialer, logs at info and
 * counts `p2p_disconnects_total{reason}` and `p2p_handshakes_total{result="ok"}`.
 *
 * @example
 * ```ts
 * const lifecycle = new PeerLifecycle(context, host, redialer, heads);
 * const status = new StatusProtocol(context, heads, lifecycle.agreed, listenPort);
 * host.addEventListener("connection:close", (e) => lifecycle.connectionClosed(e.detail));
 * ```
 */
export class PeerLifecycle {
  readonly #context: NetworkContext;
  readonly #host: Libp2p;
  readonly #redialer: Redialer;
  readonly #heads: Listeners<PeerHeadHandler>;

  constructor(
    context: NetworkContext,
    host: Libp2p,
    redialer: Redialer,
    heads: Listeners<PeerHeadHandler>,
  ) {
    this.#context = context;
    this.#host = host;
    this.#redialer = redialer;
    this.#heads = heads;
  }

  /** The handshake on `connection` agreed: make (or keep) the peer's session. */
  readonly agreed = (connection: Connection, stream: Stream, theirs: StatusMessage): void => {
    const { options, sessions } = this.#context;
    const peerId = connection.remotePeer.toString();
    const address = addressOfPeerId(connection.remotePeer) as Address;
    const existing = sessions.get(peerId);
    if (existing?.connection === connection) {
      stream.abort(new Error("a second handshake on one connection"));
      return;
    }
    if (existing !== undefined && existing.connection.status === "open") {
      if (!prefersConnection(connection, existing.connection, options.peerId)) {
        options.metrics.increment("p2p_duplicate_connections_total");
        void connection.close().catch(() => connection.abort(new Error("duplicate")));
        return;
      }
      sessions.remove(existing);
      existing.close();
      void existing.connection.close().catch(() => existing.connection.abort(new Error("dup")));
    }
    const session = new PeerSession({
      peer: connection.remotePeer,
      address,
      connection,
      statusStream: stream,
      head: theirs.head,
      limits: options.limits,
      dropped: (protocol, count, why) =>
        options.metrics.increment("p2p_send_queue_dropped_total", { protocol, why }, count),
    });
    sessions.add(session);
    // The status stream is the session's lifeline: heads stop without it.
    stream.addEventListener("close", () => {
      if (sessions.get(peerId) !== session) return;
      this.#end(session, "closed");
      void connection.close().catch(() => connection.abort(new Error("status stream closed")));
    });
    const dialBack = dialBackAddress(connection, theirs.listenPort);
    if (dialBack !== undefined) this.#redialer.remember(peerId, dialBack);
    this.#redialer.connected(peerId);
    options.metrics.increment("p2p_handshakes_total", { result: "ok" });
    options.logger.info(
      {
        peerId,
        address,
        direction: connection.direction,
        headNumber: theirs.head.number.toString(),
      },
      "peer connected",
    );
    this.#heads.emit(theirs.head, { peerId, address });
  };

  /** A connection closed: end its session, if it carried one. */
  connectionClosed(connection: Connection): void {
    const session = this.#context.sessions.byConnection(connection.id);
    if (session !== undefined) this.#end(session, "closed");
  }

  /** Ends the peer's session and closes all its connections. */
  async disconnect(peerId: string, reason: DisconnectReason): Promise<void> {
    const session = this.#context.sessions.get(peerId);
    if (session !== undefined) this.#end(session, reason);
    const peer = this.#host.getConnections().find((c) => c.remotePeer.toString() === peerId);
    if (peer === undefined) return;
    await this.#host.hangUp(peer.remotePeer).catch((error: unknown) => {
      this.#context.options.logger.debug({ peerId, err: error }, "hang-up failed");
    });
  }

  /** Ends every session (at stop; nothing is re-dialled). */
  endAll(): void {
    for (const session of this.#context.sessions.all()) this.#end(session, "stopping");
  }

  #end(session: PeerSession, reason: DisconnectReason): void {
    const { options, sessions } = this.#context;
    if (!sessions.remove(session)) return;
    session.close();
    if (reason !== "stopping") this.#redialer.disconnected(session.peerId);
    options.metrics.increment("p2p_disconnects_total", { reason });
    options.logger.info(
      { peerId: session.peerId, address: session.address, reason },
      "peer disconnected",
    );
  }
}
