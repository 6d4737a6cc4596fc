import type { StreamHandler } from "@libp2p/interface";
import type { NetworkContext } from "./NetworkContext.ts";
import type { PeerSession } from "./PeerSession.ts";
import type { ProtocolName } from "./protocols.ts";
import { allowWholeFrames, readFrames } from "./readFrames.ts";
import type { FrameType } from "./wire/frameTypes.ts";

/**
 * The stream handler of a one-way protocol (consensus, transactions): the remote's long-lived
 * outbound stream, read frame by frame and delivered with the sender's session. A stream on a
 * connection whose handshake has not completed waits for it (the remote may have finished its
 * side first), and is reset when it does not complete in time.
 *
 * @example
 * ```ts
 * await host.handle(protocols.consensus, inboundFrameHandler(context, "consensus",
 *   FrameType.consensus, (session, payload) => consensus.emit(payload, session.address)));
 * ```
 */
export function inboundFrameHandler(
  context: NetworkContext,
  protocol: ProtocolName,
  type: FrameType,
  deliver: (session: PeerSession, payload: Uint8Array) => void,
): StreamHandler {
  const { options, sessions } = context;
  return async (stream, connection) => {
    allowWholeFrames(stream, options.limits.maxMessageBytes);
    const session = await sessions.whenEstablished(connection.id, options.timeouts.handshakeMs);
    if (session === undefined || session.closed) {
      stream.abort(new Error("no session on this connection"));
      return;
    }
    // The remote closed its side (it replaced or dropped the stream): close ours too.
    stream.addEventListener("remoteCloseWrite", () => {
      void stream.close().catch(() => stream.abort(new Error("close failed")));
    });
    readFrames(stream, options.limits.maxMessageBytes, new Set([type]), {
      frame: ({ payload }) => {
        if (session.closed) return;
        options.metrics.increment("p2p_messages_received_total", { protocol });
        deliver(session, payload);
      },
      fault: (error) => context.fault(session.peerId, protocol, error),
      internal: (error) => {
        options.logger.error({ peerId: session.peerId, protocol, err: error }, "delivery failed");
      },
    });
  };
}
