import { CustosError } from "../../../src/errors/index.ts";
import type { QbftHead } from "./QbftEvent.ts";

/**
 * Checks a chain head handed in by the driver.
 *
 * @throws CustosError `CONSENSUS_INPUT_INVALID` when the height is not a non-negative bigint,
 *   the hash not 32 bytes or the proposer not 20 bytes.
 * @example
 * ```ts
 * validateQbftHead(event.head);
 * ```
 */
export function validateQbftHead(head: QbftHead): void {
  const field =
    typeof head.height !== "bigint" || head.height < 0n
      ? "head.height"
      : !(head.hash instanceof Uint8Array) || head.hash.length !== 32
        ? "head.hash"
        : !(head.proposer instanceof Uint8Array) || head.proposer.length !== 20
          ? "head.proposer"
          : undefined;
  if (field !== undefined) {
    throw new CustosError("CONSENSUS_INPUT_INVALID", `${field} is invalid`, { details: { field } });
  }
}
