import type { NetworkLogger } from "./NetworkLogger.ts";

/** How often and how soon peers that went away are dialled again. */
export interface ReconnectPolicy {
  /** Delay before the first re-dial; each failure doubles it. */
  readonly baseMs: number;
  /** The delay never grows past this, so a node that was down long rejoins within it. */
  readonly capMs: number;
}

/** Defaults of {@link ReconnectPolicy}. */
export const defaultReconnectPolicy: ReconnectPolicy = { baseMs: 500, capMs: 30_000 };

/** What the redialer asks of the network. */
export interface RedialerPorts {
  /** Whether to dial this peer now (not connected); admission is the gater's decision. */
  shouldDial(peerId: string): Promise<boolean>;
  /** Dials; resolving is not admission (the handshake is), rejecting is a failed attempt. */
  dial(peerId: string, multiaddr: string): Promise<void>;
  /** Uniform in [0, 1), to spread re-dials of peers that went away together. */
  random(): number;
}

interface Target {
  multiaddr: string;
  /** Failed attempts since the last completed handshake. */
  attempts: number;
  nextAt: number;
  connected: boolean;
  dialling: boolean;
}

/**
 * Re-dials bootnodes and peers seen before, with capped exponential back-off and jitter:
 * base × 2^attempts (at most `capMs`), ±20 %. A completed handshake resets a peer's attempts;
 * a failed or refused one does not, so a peer on the wrong chain is tried ever less often.
 * One timer, armed for the earliest due peer.
 *
 * @example
 * ```ts
 * const redialer = new Redialer(defaultReconnectPolicy, ports, log);
 * redialer.remember(peerId, "/ip4/10.0.0.2/tcp/30303/p2p/16Uiu2…");
 * redialer.start();
 * redialer.connected(peerId); // after its handshake
 * redialer.disconnected(peerId); // re-dialled from baseMs on
 * ```
 */
export class Redialer {
  readonly #policy: ReconnectPolicy;
  readonly #ports: RedialerPorts;
  readonly #log: NetworkLogger;
  readonly #targets = new Map<string, Target>();
  #timer: ReturnType<typeof setTimeout> | undefined;
  #timerAt = Number.POSITIVE_INFINITY;
  #running = false;

  constructor(policy: ReconnectPolicy, ports: RedialerPorts, log: NetworkLogger) {
    this.#policy = policy;
    this.#ports = ports;
    this.#log = log;
  }

  /** Remembers (or updates) where a peer listens; a new peer is due at once. */
  remember(peerId: string, multiaddr: string): void {
    const target = this.#targets.get(peerId);
    if (target !== undefined) {
      target.multiaddr = multiaddr;
      return;
    }
    this.#targets.set(peerId, {
      multiaddr,
      attempts: 0,
      nextAt: Date.now(),
      connected: false,
      dialling: false,
    });
    this.#arm();
  }

  /** The peer completed a handshake: no re-dial while it stays, and its back-off restarts. */
  connected(peerId: string): void {
    const target = this.#targets.get(peerId);
    if (target === undefined) return;
    target.connected = true;
    target.attempts = 0;
  }

  /** The peer's session ended: re-dial it after the back-off. */
  disconnected(peerId: string): void {
    const target = this.#targets.get(peerId);
    if (target === undefined) return;
    target.connected = false;
    target.nextAt = Date.now() + this.#delay(target.attempts);
    this.#arm();
  }

  /** The peers it would re-dial, with their addresses. */
  known(): ReadonlyMap<string, string> {
    return new Map([...this.#targets].map(([peerId, target]) => [peerId, target.multiaddr]));
  }

  start(): void {
    this.#running = true;
    this.#arm();
  }

  stop(): void {
    this.#running = false;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerAt = Number.POSITIVE_INFINITY;
  }

  #delay(attempts: number): number {
    const base = Math.min(this.#policy.capMs, this.#policy.baseMs * 2 ** Math.min(attempts, 30));
    return Math.round(base * (0.8 + 0.4 * this.#ports.random()));
  }

  #arm(): void {
    if (!this.#running) return;
    let earliest = Number.POSITIVE_INFINITY;
    for (const target of this.#targets.values()) {
      if (!target.connected && !target.dialling) earliest = Math.min(earliest, target.nextAt);
    }
    if (earliest === Number.POSITIVE_INFINITY || earliest >= this.#timerAt) return;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timerAt = earliest;
    this.#timer = setTimeout(() => this.#fire(), Math.max(0, earliest - Date.now()));
  }

  #fire(): void {
    this.#timer = undefined;
    this.#timerAt = Number.POSITIVE_INFINITY;
    const now = Date.now();
    for (const [peerId, target] of this.#targets) {
      if (target.connected || target.dialling || target.nextAt > now) continue;
      void this.#attempt(peerId, target);
    }
    this.#arm();
  }

  async #attempt(peerId: string, target: Target): Promise<void> {
    target.dialling = true;
    try {
      if (await this.#ports.shouldDial(peerId)) {
        this.#log.debug({ peerId, multiaddr: target.multiaddr, attempt: target.attempts }, "dial");
        await this.#ports.dial(peerId, target.multiaddr);
      }
    } catch (error) {
      this.#log.debug({ peerId, err: error, attempt: target.attempts }, "dial failed");
    } finally {
      target.dialling = false;
      if (!target.connected) {
        target.attempts++;
        target.nextAt = Date.now() + this.#delay(target.attempts);
      }
      this.#arm();
    }
  }
}
