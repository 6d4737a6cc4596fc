import { canonicalHash } from "../canonical/index.ts";
import type { ReleasedStatistics } from "../query/index.ts";

/** Where a result came from: what a rerun must match to reproduce it. */
export interface ResultProvenance {
  /** Database engine and version, e.g. `DuckDB v1.5.6`. */
  readonly engine: string;
  readonly cdmVersion: string | null;
  readonly vocabularyVersion: string | null;
  /** The data snapshot (CDM_SOURCE.source_release_date), `YYYY-MM-DD`, or null. */
  readonly dataSnapshotDate: string | null;
  /** The resolved concept sets: hash and size. */
  readonly concepts: { readonly hash: `0x${string}`; readonly size: number };
  /** Custos's version: the spec compiler and query engine. */
  readonly custosVersion: string;
  /** Version of the disclosure rules applied (the query report schema). */
  readonly disclosureRules: string;
}

/**
 * The result a hospital releases for one query: its canonical hash is the `resultHash`
 * AccessLedger records, and the hospital's recorder signs that hash. Everything in it is
 * released statistics or facts about the release; nothing identifies a patient.
 */
export interface QueryResultDocument {
  readonly schema: "custos.query-result/1";
  /** Decimal query id. */
  readonly queryId: string;
  readonly hospitalId: number;
  readonly specHash: `0x${string}`;
  /** The researcher account the result is for. */
  readonly researcher: `0x${string}`;
  /** The consent snapshot the allow-list came from. */
  readonly consent: {
    readonly block: number;
    /** Root of the Merkle tree over the consenting subjects (the on-chain consentRoot). */
    readonly root: `0x${string}`;
    /** Consenting subjects in the snapshot, as recorded on chain. */
    readonly subjectCount: number;
  };
  readonly provenance: ResultProvenance;
  readonly statistics: ReleasedStatistics;
  /** Hash of the hospital's disclosure report (kept at the hospital). */
  readonly disclosureReportHash: `0x${string}`;
  /** ε charged, micro-units. */
  readonly epsilonMicro: number;
}

/** A result document with its hash and the recorder's EIP-191 signature of that hash. */
export interface SignedQueryResult {
  readonly document: QueryResultDocument;
  readonly resultHash: `0x${string}`;
  /** `personal_sign` of the 32 bytes of `resultHash` by the hospital's recorder account. */
  readonly signature: `0x${string}`;
}

/**
 * The on-chain `resultHash` of a result document: keccak-256 of its RFC 8785 JSON.
 *
 * @example
 * ```ts
 * resultDocumentHash(signed.document) === signed.resultHash; // for an untampered result
 * ```
 */
export function resultDocumentHash(document: QueryResultDocument): `0x${string}` {
  return canonicalHash(document);
}
