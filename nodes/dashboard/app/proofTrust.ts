import type { AuditLocation } from "../../../src/audit/index.ts";
// The verifier's own modules rather than src/auditProof's index (see checkQueryProof.ts).
import {
  createProofVerifier,
  type ProofVerifier,
} from "../../../src/auditProof/createProofVerifier.ts";
import type { TrustAnchor } from "../../../src/auditProof/TrustAnchor.ts";
import { trustAnchorFromGenesis } from "../../../src/auditProof/trustAnchorFromGenesis.ts";
import { checkQueryProof, type QueryProofCheck } from "./checkQueryProof.ts";

/**
 * Where the loaded genesis came from: a file the user chose (their own copy, independent of
 * this node), or this node's `/audit/v1/genesis` (a convenience, not independent).
 */
export type GenesisSource = "file" | "node";

/** The trust anchor the dashboard verifies proofs against, and where its genesis came from. */
export interface LoadedAnchor {
  readonly anchor: TrustAnchor;
  readonly source: GenesisSource;
  /** The file's name, or "this node". */
  readonly name: string;
}

/**
 * The dashboard's trust state, shared by its panels: the genesis the user loaded, one warm
 * proof verifier for it (each validator-set change is checked once for every query's proof),
 * and each checked query's verdict for the timeline's badges. Fires `change` when either
 * changes; loading another genesis forgets every verdict and everything the verifier
 * remembers.
 */
export class ProofTrust extends EventTarget {
  #loaded: LoadedAnchor | undefined;
  #verifier: ProofVerifier = createProofVerifier();
  readonly #checks = new Map<string, QueryProofCheck>();

  get loaded(): LoadedAnchor | undefined {
    return this.#loaded;
  }

  /**
   * Takes `genesis` (a parsed genesis document) as the trust anchor.
   *
   * @throws CustosError `GENESIS_INVALID` naming the field at fault; nothing changes then.
   */
  load(genesis: unknown, source: GenesisSource, name: string): void {
    const anchor = trustAnchorFromGenesis(genesis);
    this.#loaded = { anchor, source, name };
    this.#verifier = createProofVerifier();
    this.#checks.clear();
    this.dispatchEvent(new Event("change"));
  }

  /** Checks a query's proof against the loaded anchor (see `checkQueryProof`) and keeps the verdict. */
  check(
    queryId: string,
    proof: unknown,
    entries: readonly { readonly event: string; readonly at: AuditLocation }[],
  ): QueryProofCheck {
    const check = checkQueryProof(this.#verifier, proof, this.#loaded?.anchor, queryId, entries);
    if (check.status !== "unverified") {
      this.#checks.set(queryId, check);
      this.dispatchEvent(new Event("change"));
    }
    return check;
  }

  /** The verdict of a query checked against the loaded anchor, if it was. */
  verdict(queryId: string): QueryProofCheck | undefined {
    return this.#checks.get(queryId);
  }
}
