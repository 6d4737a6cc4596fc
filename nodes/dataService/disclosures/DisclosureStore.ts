import type { CohortInclusionProof } from "../../../src/consentIndex/index.ts";

/** One released query whose consent snapshot held a subject. */
export interface Disclosure {
  /** Decimal uint64. */
  readonly queryId: string;
  /** The consent snapshot root this hospital recorded for the query (0x hex). */
  readonly consentRoot: `0x${string}`;
  /**
   * Whether the record also matched the query's cohort, so that its statistics counted it
   * (otherwise it was only among the consenting records the query ran over).
   */
  readonly counted: boolean;
}

/** A page of a subject's disclosures, newest first. */
export interface DisclosurePage {
  readonly items: readonly Disclosure[];
  /** Cursor of the next page, or null after the last. */
  readonly next: string | null;
}

/** A disclosure with its Merkle inclusion proof against the recorded consent root. */
export interface DisclosureProof extends Disclosure {
  readonly subject: `0x${string}`;
  readonly proof: CohortInclusionProof;
}

/** The most disclosures one page returns. */
export const MAX_DISCLOSURE_PAGE_SIZE = 1000;

/**
 * A hospital's per-subject accounting of disclosures (HIPAA 164.528): for each query it ran,
 * which of its persons were in the consent snapshot and which in the cohort, kept so that a
 * subject's list answers in milliseconds and each entry can be proven against the snapshot
 * root recorded on chain. Subjects are pseudonyms (0x hex, 32 bytes).
 */
export interface DisclosureStore {
  /**
   * Records a query's consent snapshot (person-map positions of the allowed persons, and
   * its root) and the OMOP person ids its cohort counted. A second record of the same query
   * (a re-run) supersedes the first.
   *
   * @throws CustosError `INTERNAL` when the allowed persons do not hash to `root`.
   */
  record(
    queryId: string,
    snapshot: { readonly allowedIndices: Uint32Array; readonly root: string },
    countedPersonIds: Float64Array,
  ): Promise<void>;
  /** The queries whose snapshot held `subject`, newest record first. */
  list(
    subject: string,
    page?: { readonly cursor?: string; readonly limit?: number },
  ): DisclosurePage;
  /** The inclusion proof of `subject` in `queryId`'s snapshot, or undefined if it was not in it. */
  prove(subject: string, queryId: string): DisclosureProof | undefined;
  /** Closes the files. */
  close(): void;
}
