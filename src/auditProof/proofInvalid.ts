import { CustosError, type ErrorDetails } from "../errors/index.ts";
import type { ProofLink } from "./ProofDocument.ts";

/** Where in a proof a check runs: which list, which item, which block. */
export interface ProofPlace {
  readonly item?: "validatorChanges" | "blocks";
  readonly index?: number;
  readonly block?: number;
}

/**
 * An `AUDIT_PROOF_INVALID` error naming the failing `link`, the proof item (`item`, its
 * `index`, its `block` number when known) and the reason.
 *
 * @example
 * ```ts
 * throw proofInvalid("seals", "2 committers, 3 needed", { item: "blocks", index: 0, block: 7 });
 * ```
 */
export function proofInvalid(
  link: ProofLink,
  reason: string,
  place: ProofPlace = {},
  details: ErrorDetails = {},
): CustosError {
  const where =
    place.item === undefined
      ? ""
      : ` at ${place.item}[${place.index}]${place.block === undefined ? "" : ` (block ${place.block})`}`;
  return new CustosError("AUDIT_PROOF_INVALID", `proof link ${link} fails${where}: ${reason}`, {
    details: { link, reason, ...place, ...details },
  });
}

/** Throws the `AUDIT_PROOF_INVALID` error of one link at one place. */
export type FailLink = (reason: string, details?: ErrorDetails) => never;

/**
 * The {@link FailLink} of `link` at `place`.
 *
 * @example
 * ```ts
 * const failSeals = failAt("seals", { item: "blocks", index: 2 });
 * if (committers < quorum) failSeals(`${committers} committers, ${quorum} needed`);
 * ```
 */
export function failAt(link: ProofLink, place: ProofPlace): FailLink {
  return (reason, details) => {
    throw proofInvalid(link, reason, place, details);
  };
}
