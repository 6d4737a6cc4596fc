import { CustosError } from "../../../src/errors/index.ts";

/** Why a peer's bytes were refused; a label of `p2p_frames_dropped_total`. */
export type WireFault =
  | "oversized"
  | "empty"
  | "truncated"
  | "trailing-bytes"
  | "unexpected-type"
  | "bad-field";

/**
 * The error every wire decoder throws, and the only one: `P2P_MESSAGE_INVALID` with the fault
 * in `details.fault`, so the stream boundary can count and penalise by fault without parsing
 * messages.
 *
 * @example
 * ```ts
 * if (length > max) throw wireError("oversized", { length, max });
 * ```
 */
export function wireError(fault: WireFault, details: Readonly<Record<string, unknown>> = {}) {
  return new CustosError("P2P_MESSAGE_INVALID", `peer sent an invalid message (${fault})`, {
    details: { fault, ...details },
  });
}

/**
 * The fault of a decoder's error, or `undefined` when the error did not come from a decoder
 * (a bug, which the caller must not blame on the peer).
 *
 * @example
 * ```ts
 * const fault = wireFaultOf(error); // "truncated"
 * ```
 */
export function wireFaultOf(error: unknown): WireFault | undefined {
  if (!(error instanceof CustosError) || error.code !== "P2P_MESSAGE_INVALID") return undefined;
  return error.details.fault as WireFault;
}
