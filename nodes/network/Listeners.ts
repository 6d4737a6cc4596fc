import type { NetworkLogger } from "./NetworkLogger.ts";

/**
 * The handlers of one network event. A handler that throws is logged and the others still
 * run: a caller's bug never breaks the stream that delivered the message.
 *
 * @example
 * ```ts
 * const heads = new Listeners<PeerHeadHandler>("peer head", log);
 * const off = heads.add((head, peer) => track(peer, head));
 * heads.emit(head, peer);
 * off();
 * ```
 */
export class Listeners<H extends (...args: never[]) => void> {
  readonly #event: string;
  readonly #log: NetworkLogger;
  readonly #handlers = new Set<H>();

  constructor(event: string, log: NetworkLogger) {
    this.#event = event;
    this.#log = log;
  }

  get size(): number {
    return this.#handlers.size;
  }

  /** Adds a handler; returns the function that removes it. */
  add(handler: H): () => void {
    this.#handlers.add(handler);
    return () => {
      this.#handlers.delete(handler);
    };
  }

  emit(...args: Parameters<H>): void {
    for (const handler of this.#handlers) {
      try {
        handler(...args);
      } catch (error) {
        this.#log.error({ err: error, event: this.#event }, "network event handler threw");
      }
    }
  }
}
