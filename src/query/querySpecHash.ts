import { canonicalHash } from "../canonical/index.ts";
import { parseQuerySpec } from "./parseQuerySpec.ts";

/**
 * The on-chain spec hash: keccak-256 of the RFC 8785 canonical JSON of the normalised spec.
 * Normalising first (defaults filled in, sets sorted) makes specs that mean the same thing
 * hash alike, whatever their key order, spacing or omitted defaults.
 *
 * @throws CustosError as {@link parseQuerySpec} does, for a value that is not a valid spec.
 * @example
 * ```ts
 * const hash = querySpecHash(JSON.parse(text)); // "0x…", as AccessLedger.submitQuery takes
 * ```
 */
export function querySpecHash(spec: unknown): `0x${string}` {
  return canonicalHash(parseQuerySpec(spec));
}
