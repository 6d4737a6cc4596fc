import { CustosError } from "../errors/index.ts";

/** How an import file is laid out: CSV with a header, or one JSON object per line. */
export type ConsentImportFormat = "csv" | "ndjson";

/**
 * The format of an import file, from its extension (`.csv` or `.ndjson`).
 *
 * @throws CustosError `CONSENT_IMPORT_INVALID` for any other extension.
 * @example
 * ```ts
 * consentImportFormat("consents.ndjson"); // "ndjson"
 * ```
 */
export function consentImportFormat(file: string): ConsentImportFormat {
  if (file.endsWith(".csv")) return "csv";
  if (file.endsWith(".ndjson")) return "ndjson";
  throw new CustosError("CONSENT_IMPORT_INVALID", "import files must be .csv or .ndjson", {
    details: { field: "file" },
  });
}
