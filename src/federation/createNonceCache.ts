import { CustosError } from "../errors/index.ts";

/** Remembers request nonces for the signature window, so a replay is refused. */
export interface NonceCache {
  /**
   * Records a nonce first seen now.
   *
   * @throws CustosError `FEDERATION_REQUEST_REPLAYED` if it was seen within the window.
   */
  use(nonce: string, nowSeconds: number): void;
  /** Nonces held (bounded by the requests of one window). */
  readonly size: number;
}

/**
 * A nonce cache for requests whose timestamps lie within ±`windowSeconds`: a nonce older
 * than twice the window can be forgotten, since its request would fail the clock check.
 */
export function createNonceCache(windowSeconds: number): NonceCache {
  const seen = new Map<string, number>();
  return {
    use(nonce, nowSeconds) {
      for (const [old, at] of seen) {
        if (at >= nowSeconds - 2 * windowSeconds) break;
        seen.delete(old);
      }
      if (seen.has(nonce)) {
        throw new CustosError("FEDERATION_REQUEST_REPLAYED", "request nonce already used", {
          details: { reason: "replay" },
        });
      }
      seen.set(nonce, nowSeconds);
    },
    get size() {
      return seen.size;
    },
  };
}
