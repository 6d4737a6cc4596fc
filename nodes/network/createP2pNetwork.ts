import { multiaddr } from "@multiformats/multiaddr";
import { AllowListGater } from "./AllowListGater.ts";
import { createLibp2pHost } from "./createLibp2pHost.ts";
import { createPenaliser } from "./createPenaliser.ts";
import { Libp2pNetwork } from "./Libp2pNetwork.ts";
import { Listeners } from "./Listeners.ts";
import type { NetworkContext } from "./NetworkContext.ts";
import type {
  ConsensusHandler,
  P2pNetwork,
  PeerHeadHandler,
  TransactionsHandler,
} from "./P2pNetwork.ts";
import type { P2pNetworkOptions } from "./P2pNetworkOptions.ts";
import { PeerLifecycle } from "./PeerLifecycle.ts";
import { PeerScores } from "./PeerScores.ts";
import { Redialer } from "./Redialer.ts";
import { resolveNetworkOptions } from "./resolveNetworkOptions.ts";
import { SessionTable } from "./SessionTable.ts";
import { StatusProtocol } from "./StatusProtocol.ts";
import { SyncProtocol } from "./SyncProtocol.ts";
import { TransactionGossip } from "./TransactionGossip.ts";

/** The TCP port of the first address the host listens on (0 before it listens). */
function listenPortOf(multiaddrs: readonly string[]): number {
  const match = /\/tcp\/(\d+)/.exec(multiaddrs[0] ?? "");
  return match === null ? 0 : Number(match[1]);
}

/**
 * Creates and starts a node's p2p network: a libp2p host (TCP, noise, yamux) admitting only
 * allow-listed peers, the status handshake, consensus messages point to point, transaction
 * gossip, block sync, peer scoring and re-dialling of bootnodes and known peers. The network
 * carries opaque bytes; see {@link P2pNetwork} for the API and `protocols` and `wire/` for the
 * wire format.
 *
 * @throws CustosError `CONFIG_INVALID` for invalid options (see `resolveNetworkOptions`);
 *   `P2P_LISTEN_FAILED` when the host cannot listen.
 * @example
 * ```ts
 * const network = await createP2pNetwork({
 *   nodeKey, listen: { host: "0.0.0.0", port: 30303 }, bootnodes,
 *   chainId: 1337n, genesisHash, protocolVersion: 1,
 *   isAllowed: (address) => validators.has(address),
 *   logger: log.child({ component: "p2p" }),
 * });
 * network.onConsensusMessage((message, from) => driver.enqueue({ message, from }));
 * network.sendToValidators([...validators], encoded);
 * await network.stop();
 * ```
 */
export async function createP2pNetwork(options: P2pNetworkOptions): Promise<P2pNetwork> {
  const resolved = resolveNetworkOptions(options);
  const { logger, limits } = resolved;
  const sessions = new SessionTable();
  const scores = new PeerScores(resolved.scoring, Date.now);
  const gater = new AllowListGater(
    {
      isAllowed: resolved.isAllowed,
      isBanned: (peerId) => scores.isBanned(peerId),
      isFull: (peerId) => sessions.size >= limits.maxPeers && sessions.get(peerId) === undefined,
    },
    logger,
    resolved.metrics,
    resolved.peerId,
  );
  const host = await createLibp2pHost(resolved, gater.connectionGater());
  let lifecycle: PeerLifecycle | undefined;
  const context: NetworkContext = {
    options: resolved,
    sessions,
    ...createPenaliser(resolved, scores, (peerId) => {
      void lifecycle?.disconnect(peerId, "banned");
    }),
  };
  const heads = new Listeners<PeerHeadHandler>("peer head", logger);
  const transactions = new Listeners<TransactionsHandler>("transactions", logger);
  const redialer = new Redialer(
    resolved.reconnect,
    {
      // Admission (allow-list, ban, room) is the gater's, so every refusal is logged and counted.
      shouldDial: async (peerId) => host.status === "started" && sessions.get(peerId) === undefined,
      async dial(_peerId, address) {
        await host.dial(multiaddr(address), {
          signal: AbortSignal.timeout(resolved.timeouts.handshakeMs),
        });
      },
      random: Math.random,
    },
    logger,
  );
  lifecycle = new PeerLifecycle(context, host, redialer, heads);
  const network = new Libp2pNetwork({
    context,
    host,
    redialer,
    lifecycle,
    status: new StatusProtocol(
      context,
      heads,
      lifecycle.agreed,
      () => context.options.announcePort ?? listenPortOf(host.getMultiaddrs().map(String)),
    ),
    gossip: new TransactionGossip(context, transactions),
    sync: new SyncProtocol(context),
    heads,
    consensus: new Listeners<ConsensusHandler>("consensus message", logger),
    transactions,
  });
  await network.start();
  return network;
}
