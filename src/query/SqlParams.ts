import type { SqlValue } from "../omopStore/index.ts";

/** SQL types parameters are cast to: both dialects infer nothing from a bare `$n`. */
export type SqlParamType = "bigint" | "integer" | "varchar" | "decimal(18,4)";

/**
 * Collects a statement's positional parameters. Every value a spec supplies reaches SQL
 * through here, cast to its type; only CDM table and column names (fixed by Custos) are
 * written into the text.
 */
export class SqlParams {
  readonly #values: SqlValue[] = [];

  /** Adds a value and returns its placeholder, e.g. `$3::integer`. */
  add(value: SqlValue, type: SqlParamType): string {
    this.#values.push(value);
    return `$${this.#values.length}::${type}`;
  }

  /** The values in placeholder order. */
  values(): readonly SqlValue[] {
    return [...this.#values];
  }
}

/** One compiled statement and its parameters. */
export interface SqlStatement {
  readonly sql: string;
  readonly params: readonly SqlValue[];
}
