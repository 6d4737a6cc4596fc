import type { ErrorCode } from "./errorCodes.ts";

/** Structured, serialisable facts about an error (never patient identifiers or secrets). */
export type ErrorDetails = Readonly<Record<string, unknown>>;

/** Options of {@link CustosError}. */
export interface CustosErrorOptions<D extends ErrorDetails = ErrorDetails> {
  /** Typed facts about the failure, e.g. the offending field or the contract error's args. */
  readonly details?: D;
  /** The underlying error, kept for diagnosis. */
  readonly cause?: unknown;
}

/**
 * The one error base class of Custos. Every failure that crosses a public API is a
 * `CustosError` with a stable `code` from the registry, a one-line `shortMessage`, typed
 * `details` and the original `cause`. Boundaries (JSON-RPC, HTTP, CLI) map it by code.
 *
 * @example
 * ```ts
 * throw new CustosError("CONFIG_INVALID", "rpc.port must be an integer", {
 *   details: { field: "rpc.port" },
 * });
 * ```
 */
export class CustosError<D extends ErrorDetails = ErrorDetails> extends Error {
  /** Stable machine-readable code, registered in `errorCodes`. */
  readonly code: ErrorCode;
  /** The message without the code prefix, for display. */
  readonly shortMessage: string;
  /** Typed facts about the failure. */
  readonly details: D;

  constructor(code: ErrorCode, shortMessage: string, options: CustosErrorOptions<D> = {}) {
    super(`${code}: ${shortMessage}`, options.cause === undefined ? {} : { cause: options.cause });
    this.name = "CustosError";
    this.code = code;
    this.shortMessage = shortMessage;
    this.details = options.details ?? ({} as D);
  }

  /** A plain JSON form for logs, CLI output and API responses. */
  toJSON(): { code: ErrorCode; message: string; details: D } {
    return { code: this.code, message: this.shortMessage, details: this.details };
  }
}

/**
 * Tells whether a value is a {@link CustosError}, optionally with a given code.
 *
 * @example
 * ```ts
 * if (isCustosError(err, "CONSENT_DENIED")) return deny(err.details);
 * ```
 */
export function isCustosError(value: unknown, code?: ErrorCode): value is CustosError {
  return value instanceof CustosError && (code === undefined || value.code === code);
}
