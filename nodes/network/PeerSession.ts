import type { Connection, PeerId, Stream } from "@libp2p/interface";
import type { Address } from "./Address.ts";
import { FrameSender } from "./FrameSender.ts";
import type { PeerSummary } from "./P2pNetwork.ts";
import type { P2pLimits } from "./P2pNetworkOptions.ts";
import { type ProtocolName, protocols } from "./protocols.ts";
import { RecentSet } from "./RecentSet.ts";
import { encodeFrame } from "./wire/encodeFrame.ts";
import { FrameType } from "./wire/frameTypes.ts";
import { type ChainHead, encodeHead } from "./wire/headMessage.ts";

/** How many transaction keys a session remembers the peer to have. */
const KNOWN_TXS = 8192;

/** What a {@link PeerSession} is made of. */
export interface PeerSessionInit {
  readonly peer: PeerId;
  readonly address: Address;
  readonly connection: Connection;
  /** The stream the handshake ran on; it carries head announcements afterwards. */
  readonly statusStream: Stream;
  readonly head: ChainHead;
  readonly limits: P2pLimits;
  /** Told of frames dropped from a send queue. */
  readonly dropped: (protocol: ProtocolName, count: number, why: string) => void;
}

/**
 * One peer after a successful status handshake: its identity, head and connection, and our
 * outbound side of each protocol (a bounded {@link FrameSender} per long-lived stream).
 * Head announcements keep only the newest unsent head, since an older one is worthless.
 *
 * @example
 * ```ts
 * const session = new PeerSession({ peer, address, connection, statusStream, head, limits, dropped });
 * session.sendConsensus(frame);
 * session.close();
 * ```
 */
export class PeerSession {
  readonly peer: PeerId;
  readonly peerId: string;
  readonly address: Address;
  readonly connection: Connection;
  readonly connectedSince = Date.now();
  head: ChainHead;
  /** Keys of transactions the peer sent us or we sent it. */
  readonly knownTxs = new RecentSet<string>(KNOWN_TXS);
  readonly #statusStream: Stream;
  readonly #consensus: FrameSender;
  readonly #transactions: FrameSender;
  #pendingHead: Uint8Array | undefined;
  #closed = false;

  constructor(init: PeerSessionInit) {
    this.peer = init.peer;
    this.peerId = init.peer.toString();
    this.address = init.address;
    this.connection = init.connection;
    this.#statusStream = init.statusStream;
    this.head = init.head;
    const sender = (name: ProtocolName) =>
      new FrameSender({
        open: () => this.connection.newStream(protocols[name]),
        maxFrames: init.limits.sendQueueFrames,
        maxBytes: init.limits.sendQueueBytes,
        dropped: (count, why) => init.dropped(name, count, why),
      });
    this.#consensus = sender("consensus");
    this.#transactions = sender("transactions");
    this.#statusStream.addEventListener("drain", () => this.#flushHead());
  }

  get closed(): boolean {
    return this.#closed;
  }

  sendConsensus(frame: Uint8Array): void {
    this.#consensus.enqueue(frame);
  }

  sendTransactions(frame: Uint8Array): void {
    this.#transactions.enqueue(frame);
  }

  /** Announces our head on the status stream (replacing an announcement still unsent). */
  sendHead(head: ChainHead): void {
    if (this.#closed) return;
    this.#pendingHead = encodeFrame(FrameType.head, encodeHead(head));
    this.#flushHead();
  }

  summary(): PeerSummary {
    return {
      peerId: this.peerId,
      address: this.address,
      head: this.head,
      direction: this.connection.direction,
      connectedSince: this.connectedSince,
    };
  }

  /** Stops sending; the caller closes the connection if it should go too. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#pendingHead = undefined;
    this.#consensus.close();
    this.#transactions.close();
    if (this.#statusStream.status === "open") this.#statusStream.abort(new Error("session closed"));
  }

  #flushHead(): void {
    const frame = this.#pendingHead;
    if (frame === undefined || this.#statusStream.writableNeedsDrain) return;
    if (this.#statusStream.status !== "open" || this.#statusStream.writeStatus !== "writable")
      return;
    this.#pendingHead = undefined;
    try {
      this.#statusStream.send(frame);
    } catch {
      // The stream is going away with the connection; the session ends with it.
    }
  }
}
