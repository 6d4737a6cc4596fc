import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import type { Bytes32 } from "../../src/consent/index.ts";
import { parseConsentTerms } from "../../src/consentImport/index.ts";
import { CustosError } from "../../src/errors/index.ts";
import type { BatchEntry, BatchResult, ConsentRegistryClient } from "../../src/ledger/index.ts";
import { OMOP_SYNTHETIC_CONSENT_TERMS } from "../../src/omop/index.ts";

/** What {@link loadSyntheticConsents} put on chain. */
export interface LoadedConsents {
  readonly granted: number;
  readonly revoked: number;
}

/** Rounds of a batch: the first, then retries of what did not land (a busy node times out). */
const BATCH_ROUNDS = 3;

/**
 * Sends `batch` until every entry landed. A chunk that failed changed nothing on chain, so
 * its entries (and any never tried) are sent again, up to {@link BATCH_ROUNDS} rounds.
 *
 * @throws CustosError with the last failed chunk's code when entries still did not land.
 */
async function untilLanded(
  what: "grant" | "revoke",
  batch: readonly BatchEntry[],
  send: (batch: readonly BatchEntry[]) => Promise<BatchResult>,
): Promise<void> {
  let pending = batch;
  let lastError: CustosError | undefined;
  for (let round = 0; round < BATCH_ROUNDS && pending.length > 0; round++) {
    const result = await send(pending);
    lastError = result.failed.at(-1)?.error ?? lastError;
    pending = [...result.failed.flatMap((chunk) => chunk.entries), ...result.remaining];
  }
  if (pending.length > 0) {
    throw new CustosError(
      lastError?.code ?? "LEDGER_UNAVAILABLE",
      `${pending.length} of ${batch.length} synthetic consent ${what}s did not land after ${BATCH_ROUNDS} rounds`,
      {
        details: { operation: `batch ${what}`, notLanded: pending.length, total: batch.length },
        ...(lastError === undefined ? {} : { cause: lastError }),
      },
    );
  }
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
  if (grants.length > 0)
    await untilLanded("grant", grants, (batch) => registry.batchGrant(batch, terms));
  if (revocations.length > 0) {
    await untilLanded("revoke", revocations, (batch) => registry.batchRevoke(batch));
  }
  return { granted: grants.length, revoked: revocations.length };
}
