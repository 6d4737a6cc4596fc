import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import type { Bytes32 } from "../../src/consent/index.ts";
import { parseConsentTerms } from "../../src/consentImport/index.ts";
import type { BatchEntry, ConsentRegistryClient } from "../../src/ledger/index.ts";
import { OMOP_SYNTHETIC_CONSENT_TERMS } from "../../src/omop/index.ts";

/** What {@link loadSyntheticConsents} put on chain. */
export interface LoadedConsents {
  readonly granted: number;
  readonly revoked: number;
}

async function entries(file: string): Promise<BatchEntry[]> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
  const rows = parse(text, { columns: true, skip_empty_lines: true }) as {
    subject: string;
    documentHash: string;
  }[];
  return rows.map((row) => ({
    subject: row.subject as Bytes32,
    documentHash: row.documentHash as Bytes32,
  }));
}

/**
 * Puts one synthetic hospital's consents on chain, as its recorder: every row of
 * `consents.csv` granted on the synthetic terms (batchGrant, chunked under the gas cap),
 * then every row of `revocations.csv` revoked (batchRevoke). For local networks, demos and
 * tests; a real hospital uses `custos consent import`.
 *
 * @example
 * ```ts
 * await loadSyntheticConsents(join(dataDir, "hospital-0"), registryAsRecorder);
 * ```
 */
export async function loadSyntheticConsents(
  hospitalDir: string,
  registry: Pick<ConsentRegistryClient, "batchGrant" | "batchRevoke">,
): Promise<LoadedConsents> {
  const grants = await entries(join(hospitalDir, "consents.csv"));
  const revocations = await entries(join(hospitalDir, "revocations.csv"));
  const terms = parseConsentTerms({
    purposes: [...OMOP_SYNTHETIC_CONSENT_TERMS.purposes],
    categories: [...OMOP_SYNTHETIC_CONSENT_TERMS.categories],
  });
  if (grants.length > 0) await registry.batchGrant(grants, terms);
  if (revocations.length > 0) await registry.batchRevoke(revocations);
  return { granted: grants.length, revoked: revocations.length };
}
