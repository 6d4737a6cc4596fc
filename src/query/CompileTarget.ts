import type { SqlDialect } from "../omopStore/index.ts";

/** What the compiler needs to know about the database it compiles for. */
export interface CompileTarget {
  readonly dialect: SqlDialect;
  /** Whether CONCEPT_ANCESTOR is present: without it, `descendants` adds nothing. */
  readonly hasConceptAncestor: boolean;
}
