import type { Connection, Libp2p } from "@libp2p/interface";
import { CustosError } from "../../src/errors/index.ts";
import { type Address, normaliseAddress } from "./Address.ts";
import { addressOfPeerId } from "./addressOfPeerId.ts";
import { inboundFrameHandler } from "./inboundFrameHandler.ts";
import type { Listeners } from "./Listeners.ts";
import type { NetworkContext } from "./NetworkContext.ts";
import type {
  ConsensusHandler,
  P2pNetwork,
  PeerHeadHandler,
  PeerSummary,
  SyncRequestOptions,
  SyncServer,
  TransactionsHandler,
} from "./P2pNetwork.ts";
import type { PeerLifecycle } from "./PeerLifecycle.ts";
import { type PenaltyReason, penaltyPoints } from "./PeerScores.ts";
import { protocols } from "./protocols.ts";
import type { Redialer } from "./Redialer.ts";
import type { StatusProtocol } from "./StatusProtocol.ts";
import type { SyncProtocol } from "./SyncProtocol.ts";
import type { TransactionGossip } from "./TransactionGossip.ts";
import { encodeFrame } from "./wire/encodeFrame.ts";
import { FrameType } from "./wire/frameTypes.ts";

/** The parts `createP2pNetwork` assembles. */
export interface NetworkParts {
  readonly context: NetworkContext;
  readonly host: Libp2p;
  readonly redialer: Redialer;
  readonly lifecycle: PeerLifecycle;
  readonly status: StatusProtocol;
  readonly gossip: TransactionGossip;
  readonly sync: SyncProtocol;
  readonly heads: Listeners<PeerHeadHandler>;
  readonly consensus: Listeners<ConsensusHandler>;
  readonly transactions: Listeners<TransactionsHandler>;
}

const U64_MAX = 2n ** 64n - 1n;
// stop() gives libp2p this long to close gracefully after every connection was aborted.
const STOP_GRACE_MS = 2_000;

/**
 * {@link P2pNetwork} over a libp2p host: the public API, the host's wiring (protocol
 * handlers, connection events) and start/stop. The protocols themselves live in their own
 * modules; see `createP2pNetwork`.
 *
 * @example
 * ```ts
 * const network = new Libp2pNetwork(parts);
 * await network.start();
 * ```
 */
export class Libp2pNetwork implements P2pNetwork {
  readonly peerId: string;
  readonly address: Address;
  readonly #parts: NetworkParts;
  readonly #handshakeTimers = new Set<ReturnType<typeof setTimeout>>();
  #stopped: Promise<void> | undefined;

  constructor(parts: NetworkParts) {
    this.#parts = parts;
    this.peerId = parts.context.options.peerId;
    this.address = parts.context.options.address;
  }

  /**
   * Registers the protocols, starts listening, and dials the bootnodes.
   *
   * @throws CustosError `P2P_LISTEN_FAILED` when the host cannot listen (address in use).
   */
  async start(): Promise<void> {
    const { context, host, status, gossip, sync, lifecycle, redialer, consensus } = this.#parts;
    const { options } = context;
    // One long-lived stream per direction, and room for a replacement while the old one closes.
    const streams = { maxInboundStreams: 4, maxOutboundStreams: 4 };
    await host.handle(protocols.status, (s, c) => status.respond(s, c), {
      maxInboundStreams: 1,
      maxOutboundStreams: 1,
    });
    await host.handle(
      protocols.consensus,
      inboundFrameHandler(context, "consensus", FrameType.consensus, (session, payload) =>
        consensus.emit(payload, session.address),
      ),
      streams,
    );
    await host.handle(
      protocols.transactions,
      inboundFrameHandler(context, "transactions", FrameType.transactions, (session, payload) =>
        gossip.receive(session, payload),
      ),
      streams,
    );
    await host.handle(protocols.sync, (s, c) => sync.respond(s, c), {
      maxInboundStreams: 8,
      maxOutboundStreams: 8,
    });
    host.addEventListener("connection:open", (event) => this.#opened(event.detail));
    host.addEventListener("connection:close", (event) => lifecycle.connectionClosed(event.detail));
    try {
      await host.start();
    } catch (error) {
      await Promise.resolve(host.stop()).catch(() => undefined);
      throw new CustosError("P2P_LISTEN_FAILED", "the p2p network could not listen", {
        details: { ...options.listen },
        cause: error,
      });
    }
    for (const bootnode of options.bootnodes)
      redialer.remember(bootnode.peerId, bootnode.multiaddr);
    redialer.start();
    options.logger.info(
      { peerId: this.peerId, address: this.address, multiaddrs: this.multiaddrs() },
      "p2p network started",
    );
  }

  multiaddrs(): string[] {
    return this.#parts.host.getMultiaddrs().map((address) => {
      const text = address.toString();
      return text.includes("/p2p/") ? text : `${text}/p2p/${this.peerId}`;
    });
  }

  peers(): PeerSummary[] {
    return this.#parts.context.sessions.all().map((session) => session.summary());
  }

  announceHead(number: bigint, hash: Uint8Array): void {
    if (typeof number !== "bigint" || number < 0n || number > U64_MAX) {
      throw invalidArgument("number", "must be a bigint from 0 to 2^64-1");
    }
    if (!(hash instanceof Uint8Array) || hash.length !== 32) {
      throw invalidArgument("hash", "must be 32 bytes");
    }
    const head = { number, hash: Uint8Array.from(hash) };
    this.#parts.status.head = head;
    for (const session of this.#parts.context.sessions.all()) session.sendHead(head);
  }

  onPeerHead(handler: PeerHeadHandler): () => void {
    return this.#parts.heads.add(handler);
  }

  sendToValidators(addresses: readonly string[], message: Uint8Array): number {
    const { options, sessions } = this.#parts.context;
    if (!(message instanceof Uint8Array) || message.length === 0) {
      throw invalidArgument("message", "must be non-empty bytes");
    }
    if (message.length > options.limits.maxMessageBytes) {
      throw invalidArgument("message", `must be at most ${options.limits.maxMessageBytes} bytes`);
    }
    const frame = encodeFrame(FrameType.consensus, message);
    const targets = new Set<Address>();
    for (const value of addresses) {
      const address = typeof value === "string" ? normaliseAddress(value) : undefined;
      if (address !== undefined && address !== this.address) targets.add(address);
    }
    let sent = 0;
    for (const address of targets) {
      const session = sessions.byAddress(address);
      if (session === undefined) continue;
      session.sendConsensus(frame);
      sent++;
    }
    options.metrics.increment("p2p_messages_sent_total", { protocol: "consensus" }, sent);
    return sent;
  }

  onConsensusMessage(handler: ConsensusHandler): () => void {
    return this.#parts.consensus.add(handler);
  }

  gossipTransactions(rawTxs: readonly Uint8Array[]): void {
    if (!Array.isArray(rawTxs) || !rawTxs.every((tx) => tx instanceof Uint8Array)) {
      throw invalidArgument("rawTxs", "must be an array of byte arrays");
    }
    this.#parts.gossip.gossip(rawTxs);
  }

  onTransactions(handler: TransactionsHandler): () => void {
    return this.#parts.transactions.add(handler);
  }

  requestBlocks(
    peerId: string,
    fromNumber: bigint,
    count: number,
    options: SyncRequestOptions = {},
  ): Promise<Uint8Array[]> {
    return this.#request("blocks", peerId, fromNumber, count, options);
  }

  requestHeaders(
    peerId: string,
    fromNumber: bigint,
    count: number,
    options: SyncRequestOptions = {},
  ): Promise<Uint8Array[]> {
    return this.#request("headers", peerId, fromNumber, count, options);
  }

  serveBlocks(handler: SyncServer): void {
    this.#parts.sync.serve("blocks", handler);
  }

  serveHeaders(handler: SyncServer): void {
    this.#parts.sync.serve("headers", handler);
  }

  penalise(peer: string, reason: PenaltyReason): boolean {
    if (!Object.hasOwn(penaltyPoints, reason)) {
      throw invalidArgument("reason", `must be one of ${Object.keys(penaltyPoints).join(", ")}`);
    }
    const peerId = this.#peerIdOf(peer);
    if (peerId === undefined) return false;
    this.#parts.context.penalise(peerId, reason);
    return true;
  }

  async refreshAllowList(): Promise<void> {
    const { context, lifecycle } = this.#parts;
    const { isAllowed, logger, metrics } = context.options;
    for (const session of context.sessions.all()) {
      let allowed: boolean;
      try {
        allowed = (await isAllowed(session.address)) === true;
      } catch (error) {
        logger.error({ peerId: session.peerId, err: error }, "allow-list check failed");
        allowed = false;
      }
      if (allowed) continue;
      metrics.increment("p2p_gater_decisions_total", {
        decision: "refuse",
        reason: "not-allowed",
        direction: "existing",
      });
      logger.warn(
        { peerId: session.peerId, address: session.address },
        "peer removed from the allow-list: disconnecting",
      );
      await lifecycle.disconnect(session.peerId, "not-allowed");
    }
  }

  stop(): Promise<void> {
    this.#stopped ??= this.#stop();
    return this.#stopped;
  }

  async #stop(): Promise<void> {
    const { context, host, redialer, sync, lifecycle } = this.#parts;
    redialer.stop();
    sync.stop();
    for (const timer of this.#handshakeTimers) clearTimeout(timer);
    this.#handshakeTimers.clear();
    context.sessions.releaseWaiters();
    lifecycle.endAll();
    for (const connection of host.getConnections()) connection.abort(new Error("network stopping"));
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      host.stop(),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, STOP_GRACE_MS);
      }),
    ]);
    clearTimeout(timer);
    context.options.logger.info({ peerId: this.peerId }, "p2p network stopped");
  }

  async #request(
    kind: "blocks" | "headers",
    peerId: string,
    fromNumber: bigint,
    count: number,
    options: SyncRequestOptions,
  ): Promise<Uint8Array[]> {
    if (this.#stopped !== undefined) {
      throw new CustosError("P2P_STOPPED", "the p2p network is stopped", { details: { peerId } });
    }
    return this.#parts.sync.request(kind, peerId, fromNumber, count, options);
  }

  /** A connection opened (the gater admitted it): start or await its handshake. */
  #opened(connection: Connection): void {
    const { context, status } = this.#parts;
    if (this.#stopped !== undefined) {
      connection.abort(new Error("network stopping"));
      return;
    }
    if (connection.direction === "outbound") {
      status.initiate(connection).catch((error: unknown) => {
        context.options.logger.error(
          { peerId: connection.remotePeer.toString(), err: error },
          "status handshake crashed",
        );
        connection.abort(error instanceof Error ? error : new Error("handshake crashed"));
      });
      return;
    }
    // The dialer opens the status stream; one that never does is dropped.
    const timer = setTimeout(() => {
      this.#handshakeTimers.delete(timer);
      if (connection.status !== "open" || context.sessions.byConnection(connection.id)) return;
      context.options.metrics.increment("p2p_handshakes_total", { result: "timeout" });
      connection.abort(new Error("no status handshake"));
    }, context.options.timeouts.handshakeMs + 500);
    this.#handshakeTimers.add(timer);
  }

  #peerIdOf(peer: string): string | undefined {
    const { sessions } = this.#parts.context;
    const address = typeof peer === "string" ? normaliseAddress(peer) : undefined;
    if (address !== undefined) return sessions.byAddress(address)?.peerId;
    if (typeof peer !== "string" || addressOfPeerId(peer) === undefined) return undefined;
    return peer;
  }
}

function invalidArgument(field: string, reason: string): CustosError {
  return new CustosError("INVALID_ARGUMENT", `${field} ${reason}`, { details: { field, reason } });
}
