import { CustosError } from "../errors/index.ts";

/** What an abort error says about the transaction it interrupted. */
export type AbortDetails = {
  /** Whether a transaction had been sent (it may still be mined). */
  readonly sent: boolean;
  /** Hash of the sent transaction, when there was one. */
  readonly hash?: string;
};

/**
 * The `LEDGER_ABORTED` error for `signal`.
 *
 * @example
 * ```ts
 * throw abortedError(signal, { sent: false });
 * ```
 */
export function abortedError(signal: AbortSignal, details: AbortDetails): CustosError {
  return new CustosError("LEDGER_ABORTED", "operation aborted", {
    details,
    cause: signal.reason,
  });
}

/**
 * Throws `LEDGER_ABORTED` when `signal` has fired.
 *
 * @throws CustosError `LEDGER_ABORTED`.
 * @example
 * ```ts
 * throwIfAborted(options.signal, { sent: false });
 * ```
 */
export function throwIfAborted(signal: AbortSignal | undefined, details: AbortDetails): void {
  if (signal?.aborted === true) throw abortedError(signal, details);
}

/**
 * Settles like `promise`, or rejects with `LEDGER_ABORTED` as soon as `signal` fires. The
 * underlying work is not cancelled (a sent transaction may still be mined); the caller just
 * stops waiting.
 *
 * @throws CustosError `LEDGER_ABORTED`.
 * @example
 * ```ts
 * const receipt = await raceAbort(response.wait(), signal, { sent: true, hash: response.hash });
 * ```
 */
export function raceAbort<T>(
  promise: Promise<T>,
  signal: AbortSignal | undefined,
  details: AbortDetails,
): Promise<T> {
  if (signal === undefined) return promise;
  if (signal.aborted) return Promise.reject(abortedError(signal, details));
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(abortedError(signal, details));
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}
