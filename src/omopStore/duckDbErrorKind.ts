/**
 * The class of a DuckDB error without its text, e.g. `Parser Error` or `Conversion Error`:
 * DuckDB's messages can quote a row's value or a parameter, its class names never do.
 *
 * @example
 * ```ts
 * duckDbErrorKind(new Error('Failed to extract statements: Parser Error: syntax error at …')); // "Parser Error"
 * ```
 */
export function duckDbErrorKind(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return /([A-Z][A-Za-z]*(?: [A-Z][A-Za-z]*)* Error)\b/.exec(message)?.[1] ?? "Error";
}
