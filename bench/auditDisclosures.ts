/**
 * Per-patient accounting of disclosures and FHIR export rates, measured over the synthetic
 * audit index `bench/audit.ts` builds (issue 15).
 *
 * - `measureDisclosures`: a data service's disclosure store for one hospital of
 *   BENCH_DISCLOSURE_PERSONS persons (80 % consenting, 10 % of those counted per query) records
 *   every query of the index (the hospital's own result of each), then times a subject's
 *   accounting as the node serves it (`accountDisclosures`: the store's list, joined with the
 *   audit index, a page of 100) and one entry's proof (`proveDisclosure`: the snapshot tree
 *   rebuilt on a cache miss, then verified). The store is called in process: the node's HTTP
 *   hop to its data service (one local request) is not in the figure.
 * - `measureExport`: FHIR AuditEvent Bundles of the whole entry stream, page by page as
 *   `/audit/v1/exports/audit-events` writes them (read, query lookups, conversion, JSON).
 */
import { createHash } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { join } from "node:path";
import type { AuditReader } from "../nodes/audit/index.ts";
import { accountDisclosures, proveDisclosure } from "../nodes/auditApi/accountDisclosures.ts";
import type { DisclosureSource } from "../nodes/auditApi/createDisclosureSource.ts";
import { querySummariesOf } from "../nodes/auditApi/querySummariesOf.ts";
import { createDisclosureStore } from "../nodes/dataService/disclosures/index.ts";
import { auditEventBundle } from "../src/auditExport/index.ts";
import { buildCohortTree } from "../src/consentIndex/index.ts";

const round = (x: number, digits = 3) => Math.round(x * 10 ** digits) / 10 ** digits;
const quantile = (sorted: readonly number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;

function share(seed: string): number {
  return createHash("sha256").update(seed).digest().readUInt32BE(0) / 2 ** 32;
}

async function timeEach(calls: number, call: (i: number) => Promise<void>): Promise<number[]> {
  const ms: number[] = [];
  for (let i = 0; i < calls; i++) {
    const started = performance.now();
    await call(i);
    ms.push(performance.now() - started);
  }
  return ms.sort((a, b) => a - b);
}

/**
 * Records `queries` queries over one hospital's persons and times subjects' accounting.
 *
 * @example
 * ```ts
 * const figures = await measureDisclosures(index.reader, { queries: 2500, hospitalId: 1, base });
 * ```
 */
export async function measureDisclosures(
  reader: AuditReader,
  options: { readonly queries: number; readonly hospitalId: number; readonly base: string },
) {
  const persons = Number(process.env.BENCH_DISCLOSURE_PERSONS ?? 250_000);
  const reads = Number(process.env.BENCH_DISCLOSURE_READS ?? 500);
  const dir = await mkdtemp(join(options.base, "custos-bench-disclosures-"));
  try {
    const subjects = new Uint8Array(persons * 32);
    for (let i = 0; i < persons; i++) {
      subjects.set(createHash("sha256").update(`person-${i}`).digest(), i * 32);
    }
    const map = {
      count: persons,
      subjects,
      personIds: Float64Array.from({ length: persons }, (_, i) => i + 1),
    };
    const store = await createDisclosureStore(join(dir, "disclosures"), map);
    const consenting = Uint32Array.from({ length: persons }, (_, i) => i).filter(
      (i) => share(`consent-${i}`) < 0.8,
    );
    const members = new Uint8Array(consenting.length * 32);
    for (const [k, i] of consenting.entries()) {
      members.set(subjects.subarray(i * 32, (i + 1) * 32), k * 32);
    }
    const root = buildCohortTree(members).root;
    const recordStarted = performance.now();
    for (let q = 1; q <= options.queries; q++) {
      const counted = Float64Array.from(
        consenting.filter((i) => (i * 2654435761 + q * 40503) % 10 === 0),
        (i) => i + 1,
      );
      await store.record(String(q), { allowedIndices: consenting, root }, counted);
      if (q % 500 === 0) console.log(`  recorded ${q} of ${options.queries} queries`);
    }
    const recordSeconds = (performance.now() - recordStarted) / 1000;
    const source: DisclosureSource = {
      custodian: async () => options.hospitalId,
      pseudonymOf: async () => {
        throw new Error("not measured");
      },
      list: async (subject, page) => store.list(subject, page),
      prove: async (subject, queryId) => store.prove(subject, queryId),
    };
    const subjectOf = (k: number) => {
      const i = consenting[k % consenting.length] as number;
      return `0x${Buffer.from(subjects.subarray(i * 32, (i + 1) * 32)).toString("hex")}`;
    };
    const page = await timeEach(reads, async (k) => {
      const listed = await accountDisclosures(
        reader,
        source,
        options.hospitalId,
        subjectOf(k * 7919),
        { limit: 100 },
      );
      if (listed.items.length !== Math.min(100, options.queries)) {
        throw new Error(`an accounting page holds ${listed.items.length} items`);
      }
    });
    const proofs = await timeEach(Math.min(reads, 200), async (k) => {
      const queryId = String(1 + ((k * 104729) % options.queries));
      const proven = await proveDisclosure(
        reader,
        source,
        options.hospitalId,
        subjectOf(k),
        queryId,
      );
      if (proven === undefined) throw new Error("a disclosure has no proof");
    });
    store.close();
    const result = {
      persons,
      consenting: consenting.length,
      queries: options.queries,
      recordSeconds: round(recordSeconds, 1),
      recordMsPerQuery: round((1000 * recordSeconds) / options.queries, 2),
      disclosuresPerSubject: options.queries,
      reads,
      subjectDisclosuresMsMedian: round(quantile(page, 0.5)),
      subjectDisclosuresP99Ms: round(quantile(page, 0.99)),
      subjectDisclosureProofMsMedian: round(quantile(proofs, 0.5)),
      subjectDisclosureProofP99Ms: round(quantile(proofs, 0.99)),
    };
    console.log(
      `accounting of disclosures (${persons} persons, ${options.queries} queries each holding the subject, page of 100): median ${result.subjectDisclosuresMsMedian} ms, p99 ${result.subjectDisclosuresP99Ms} ms; one proof (cold tree): median ${result.subjectDisclosureProofMsMedian} ms, p99 ${result.subjectDisclosureProofP99Ms} ms; recording ${result.recordMsPerQuery} ms per query`,
    );
    return result;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Exports the whole entry stream as FHIR AuditEvent Bundles, 1,000 entries a page, and gives
 * the rate.
 */
export async function measureExport(reader: AuditReader) {
  const context = {
    chainId: 1337,
    observer: "custos-bench",
    contracts: {
      consortium: `0x${"11".repeat(20)}`,
      consentRegistry: `0x${"22".repeat(20)}`,
      accessLedger: `0x${"33".repeat(20)}`,
    },
  } as const;
  let events = 0;
  let bytes = 0;
  const started = performance.now();
  let cursor: string | undefined;
  do {
    const page = await reader.entries({ limit: 1000, ...(cursor === undefined ? {} : { cursor }) });
    const summaries = await querySummariesOf(reader, page.items);
    const bundle = auditEventBundle(page.items, {
      ...context,
      querySummary: (id: string) => summaries.get(id),
    });
    bytes += JSON.stringify(bundle).length;
    events += page.items.length;
    cursor = page.cursor;
  } while (cursor !== undefined);
  const seconds = (performance.now() - started) / 1000;
  const result = {
    auditEvents: events,
    exportSeconds: round(seconds, 1),
    auditEventExportPerSec: Math.round(events / seconds),
    bundleMiB: round(bytes / 2 ** 20, 1),
  };
  console.log(
    `FHIR export: ${events} AuditEvents in ${result.exportSeconds} s (${result.auditEventExportPerSec}/s, ${result.bundleMiB} MiB of Bundles)`,
  );
  return result;
}
