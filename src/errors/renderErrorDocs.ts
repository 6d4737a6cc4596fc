import { type ErrorCodeInfo, errorCodes } from "./errorCodes.ts";

/**
 * Renders docs/errors.md from the error registry, so the documentation can never drift
 * from the codes the code throws.
 */
export function renderErrorDocs(
  registry: Readonly<Record<string, ErrorCodeInfo>> = errorCodes,
): string {
  const rows = Object.entries(registry)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(
      ([code, info]) =>
        `| \`${code}\` | ${info.description} | ${info.httpStatus} | ${info.rpcCode} |`,
    );
  return [
    "# Error codes",
    "",
    "Every error Custos raises is a `CustosError` with one of these stable codes. Generated from",
    "`src/errors/errorCodes.ts` by `npm run docs:errors`; a test fails if this file drifts.",
    "",
    "| code | meaning | HTTP | JSON-RPC |",
    "| --- | --- | --- | --- |",
    ...rows,
    "",
  ].join("\n");
}
