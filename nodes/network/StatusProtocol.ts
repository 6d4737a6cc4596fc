import type { Connection, Stream } from "@libp2p/interface";
import type { Address } from "./Address.ts";
import { addressOfPeerId } from "./addressOfPeerId.ts";
import type { Listeners } from "./Listeners.ts";
import type { NetworkContext } from "./NetworkContext.ts";
import type { PeerHeadHandler } from "./P2pNetwork.ts";
import { protocols } from "./protocols.ts";
import { readFrames } from "./readFrames.ts";
import { statusMismatch } from "./statusMismatch.ts";
import { encodeFrame } from "./wire/encodeFrame.ts";
import { FrameType } from "./wire/frameTypes.ts";
import { type ChainHead, decodeHead } from "./wire/headMessage.ts";
import {
  decodeStatus,
  encodeStatus,
  STATUS_BYTES,
  type StatusMessage,
} from "./wire/statusMessage.ts";
import { wireError } from "./wire/wireError.ts";

/** Called when a connection's handshake agreed; must add the session synchronously. */
export type AgreedHandler = (connection: Connection, stream: Stream, theirs: StatusMessage) => void;

/** Why a handshake did not complete: a label of `p2p_handshakes_total{result}`. */
export type HandshakeFailure =
  | "protocolVersion"
  | "chainId"
  | "genesisHash"
  | "timeout"
  | "malformed"
  | "failed";

/**
 * `/custos/status/1`: on every new connection the dialer opens one stream; each side sends
 * its status at once (protocol version, chain id, genesis hash, head, listen port) and checks
 * the other's. Agreement makes the session; a mismatch closes the connection with one log line
 * naming the field and both values, and is counted. The stream then stays open for head
 * announcements both ways (frames of at most {@link STATUS_BYTES} bytes: anything larger is
 * refused before it is buffered).
 *
 * @example
 * ```ts
 * const status = new StatusProtocol(context, heads, onAgreed, () => listenPort);
 * await host.handle(protocols.status, (stream, connection) => status.respond(stream, connection));
 * await status.initiate(connection); // for each outbound connection
 * ```
 */
export class StatusProtocol {
  readonly #context: NetworkContext;
  readonly #heads: Listeners<PeerHeadHandler>;
  readonly #agreed: AgreedHandler;
  readonly #listenPort: () => number;
  #head: ChainHead;

  constructor(
    context: NetworkContext,
    heads: Listeners<PeerHeadHandler>,
    agreed: AgreedHandler,
    listenPort: () => number,
  ) {
    this.#context = context;
    this.#heads = heads;
    this.#agreed = agreed;
    this.#listenPort = listenPort;
    this.#head = context.options.head;
  }

  get head(): ChainHead {
    return this.#head;
  }

  set head(head: ChainHead) {
    this.#head = head;
  }

  /** Our status as sent now. */
  ours(): StatusMessage {
    const { protocolVersion, chainId, genesisHash } = this.#context.options;
    return {
      protocolVersion,
      chainId,
      genesisHash,
      head: this.#head,
      listenPort: this.#listenPort(),
    };
  }

  /** Runs the dialer's side on a new outbound connection. */
  async initiate(connection: Connection): Promise<void> {
    let stream: Stream;
    try {
      stream = await connection.newStream(protocols.status, {
        signal: AbortSignal.timeout(this.#context.options.timeouts.handshakeMs),
      });
    } catch (error) {
      this.#fail(connection, "failed", error);
      return;
    }
    await this.#exchange(stream, connection);
  }

  /** Runs the responder's side on a status stream the remote opened. */
  async respond(stream: Stream, connection: Connection): Promise<void> {
    await this.#exchange(stream, connection);
  }

  /**
   * Sends our status, then reads the stream: the first frame must be a status, concluded on
   * the spot (so a head sent right behind it finds the session), later ones heads. A status
   * that does not arrive in time or does not decode fails the handshake.
   */
  async #exchange(stream: Stream, connection: Connection): Promise<void> {
    const { options, sessions } = this.#context;
    const peerId = connection.remotePeer.toString();
    const address = addressOfPeerId(connection.remotePeer) as Address;
    const failure = await new Promise<HandshakeFailure | undefined>((resolve) => {
      let first = true;
      const timer = setTimeout(() => resolve("timeout"), options.timeouts.handshakeMs);
      const settle = (outcome: HandshakeFailure | undefined) => {
        clearTimeout(timer);
        resolve(outcome);
      };
      stream.addEventListener("close", () => settle("failed"));
      readFrames(stream, STATUS_BYTES, new Set([FrameType.status, FrameType.head]), {
        frame: (frame) => {
          if (first) {
            first = false;
            if (frame.type !== FrameType.status) {
              throw wireError("unexpected-type", { type: frame.type });
            }
            this.#conclude(connection, stream, decodeStatus(frame.payload));
            settle(undefined);
            return;
          }
          if (frame.type !== FrameType.head)
            throw wireError("unexpected-type", { type: frame.type });
          const head = decodeHead(frame.payload);
          const session = sessions.byConnection(connection.id);
          if (session === undefined) return;
          session.head = head;
          this.#heads.emit(head, { peerId, address });
        },
        fault: (error) => {
          this.#context.fault(peerId, "status", error);
          settle("malformed");
        },
        internal: (error) => {
          options.logger.error({ peerId, err: error }, "status handler failed");
        },
      });
      try {
        stream.send(encodeFrame(FrameType.status, encodeStatus(this.ours())));
      } catch {
        settle("failed");
      }
    });
    if (failure !== undefined) this.#fail(connection, failure);
  }

  /** Agrees, or refuses a mismatch with one log line naming the field and both values. */
  #conclude(connection: Connection, stream: Stream, theirs: StatusMessage): void {
    const mismatch = statusMismatch(this.ours(), theirs);
    if (mismatch === undefined) {
      if (connection.status === "open") this.#agreed(connection, stream, theirs);
      return;
    }
    this.#context.options.logger.warn(
      {
        peerId: connection.remotePeer.toString(),
        address: addressOfPeerId(connection.remotePeer) ?? null,
        ...mismatch,
      },
      "peer refused: status mismatch",
    );
    this.#fail(connection, mismatch.field);
  }

  #fail(connection: Connection, result: HandshakeFailure, cause?: unknown): void {
    const { logger, metrics } = this.#context.options;
    metrics.increment("p2p_handshakes_total", { result });
    if (result !== "protocolVersion" && result !== "chainId" && result !== "genesisHash") {
      logger.debug(
        { peerId: connection.remotePeer.toString(), result, err: cause ?? null },
        "status handshake failed",
      );
    }
    connection.close().catch(() => connection.abort(new Error("handshake failed")));
  }
}
