import type { Address } from "./Address.ts";
import type { PeerSession } from "./PeerSession.ts";

interface Waiter {
  readonly resolve: (session: PeerSession | undefined) => void;
  readonly timer: ReturnType<typeof setTimeout>;
}

/**
 * The established sessions, by peer id, by address and by connection, with a way for a
 * stream that arrives before its connection's handshake completed (the remote finished first)
 * to wait for it.
 *
 * @example
 * ```ts
 * const sessions = new SessionTable();
 * sessions.add(session);
 * sessions.byAddress("0xabc…")?.sendConsensus(frame);
 * const session = await sessions.whenEstablished(connection.id, 5_000);
 * ```
 */
export class SessionTable {
  readonly #byPeer = new Map<string, PeerSession>();
  readonly #byAddress = new Map<Address, PeerSession>();
  readonly #byConnection = new Map<string, PeerSession>();
  readonly #waiters = new Map<string, Waiter[]>();

  get size(): number {
    return this.#byPeer.size;
  }

  get(peerId: string): PeerSession | undefined {
    return this.#byPeer.get(peerId);
  }

  byAddress(address: Address): PeerSession | undefined {
    return this.#byAddress.get(address);
  }

  byConnection(connectionId: string): PeerSession | undefined {
    return this.#byConnection.get(connectionId);
  }

  all(): PeerSession[] {
    return [...this.#byPeer.values()];
  }

  /** Adds a session; the caller has removed any earlier one of the same peer. */
  add(session: PeerSession): void {
    this.#byPeer.set(session.peerId, session);
    this.#byAddress.set(session.address, session);
    this.#byConnection.set(session.connection.id, session);
    for (const waiter of this.#waiters.get(session.connection.id) ?? []) {
      clearTimeout(waiter.timer);
      waiter.resolve(session);
    }
    this.#waiters.delete(session.connection.id);
  }

  /** Removes a session; false when it was not (or no longer) the peer's current one. */
  remove(session: PeerSession): boolean {
    if (this.#byPeer.get(session.peerId) !== session) return false;
    this.#byPeer.delete(session.peerId);
    this.#byAddress.delete(session.address);
    this.#byConnection.delete(session.connection.id);
    return true;
  }

  /** The connection's session, once its handshake completes; `undefined` after `timeoutMs`. */
  whenEstablished(connectionId: string, timeoutMs: number): Promise<PeerSession | undefined> {
    const session = this.#byConnection.get(connectionId);
    if (session !== undefined) return Promise.resolve(session);
    return new Promise((resolve) => {
      const waiters = this.#waiters.get(connectionId) ?? [];
      const timer = setTimeout(() => {
        const left = (this.#waiters.get(connectionId) ?? []).filter((w) => w.timer !== timer);
        if (left.length === 0) this.#waiters.delete(connectionId);
        else this.#waiters.set(connectionId, left);
        resolve(undefined);
      }, timeoutMs);
      waiters.push({ resolve, timer });
      this.#waiters.set(connectionId, waiters);
    });
  }

  /** Resolves every waiter with `undefined` (at stop). */
  releaseWaiters(): void {
    for (const waiters of this.#waiters.values()) {
      for (const waiter of waiters) {
        clearTimeout(waiter.timer);
        waiter.resolve(undefined);
      }
    }
    this.#waiters.clear();
  }
}
