import type { FastifyInstance, FastifyReply } from "fastify";
import type { AuditEntry, QuerySummary } from "../../src/audit/index.ts";
import {
  type AuditExportContext,
  auditCsv,
  auditEventBundle,
  auditJsonLines,
} from "../../src/auditExport/index.ts";
import { CustosError } from "../../src/errors/index.ts";
import type { AuditPage, AuditReader } from "../audit/index.ts";
import type { AuditCaller } from "./AuditCaller.ts";
import { EntriesQuery, ErrorBody } from "./auditApiSchemas.ts";
import { querySummariesOf } from "./querySummariesOf.ts";

/** The chain facts every export names: chain id, this node, the contracts. */
export type AuditExportFacts = Omit<AuditExportContext, "querySummary">;

type EntriesRequest = { fromBlock?: number; toBlock?: number; cursor?: string; limit?: number };

function nextCursor(reply: FastifyReply, page: AuditPage<AuditEntry>): void {
  if (page.cursor !== undefined) reply.header("x-custos-next-cursor", page.cursor);
}

/**
 * The regulator's exports of the entry stream, one page per request (`fromBlock`, `toBlock`,
 * `cursor`, `limit`; the next page's cursor in the `x-custos-next-cursor` header): a FHIR R4
 * Bundle of AuditEvents after IHE BALP, CSV (the header on the first page only) and JSON
 * Lines. Regulators only: the stream holds every hospital's consent records.
 */
export function registerAuditExportRoutes(
  scope: FastifyInstance,
  reader: AuditReader,
  facts: AuditExportFacts,
): void {
  const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody };
  const page = async (caller: AuditCaller, query: EntriesRequest) => {
    if (caller.role !== "regulator") {
      throw new CustosError("AUDIT_API_FORBIDDEN", "only regulators export the entry stream", {
        details: { reason: "role", role: caller.role },
      });
    }
    const request = Object.fromEntries(
      Object.entries(query).filter(([, value]) => value !== undefined),
    ) as EntriesRequest;
    const entries = await reader.entries(request);
    const summaries = await querySummariesOf(reader, entries.items);
    return { entries, querySummary: (id: string) => summaries.get(id) };
  };
  /** One export: its path, what it is, its media type, and how a page is written. */
  const exportRoute = (
    path: string,
    summary: string,
    produces: string,
    write: (
      entries: readonly AuditEntry[],
      querySummary: (id: string) => QuerySummary | undefined,
      firstPage: boolean,
    ) => string,
  ) =>
    scope.get(
      path,
      {
        schema: {
          summary,
          tags: ["exports"],
          security: [{ custosSignature: [] }],
          querystring: EntriesQuery,
          response: errors,
          produces: [produces],
        },
      },
      async (request, reply) => {
        const query = request.query as EntriesRequest;
        const { entries, querySummary } = await page(request.auditCaller as AuditCaller, query);
        nextCursor(reply, entries);
        return reply
          .type(`${produces}; charset=utf-8`)
          .send(write(entries.items, querySummary, query.cursor === undefined));
      },
    );

  exportRoute(
    "/exports/audit-events",
    "Audit entries as a FHIR R4 Bundle of AuditEvents (IHE BALP), one page",
    "application/fhir+json",
    (entries, querySummary) =>
      JSON.stringify(auditEventBundle(entries, { ...facts, querySummary })),
  );
  exportRoute(
    "/exports/entries.csv",
    "Audit entries as CSV (RFC 4180), one page",
    "text/csv",
    (entries, querySummary, firstPage) => auditCsv(entries, { querySummary, header: firstPage }),
  );
  exportRoute(
    "/exports/entries.jsonl",
    "Audit entries as JSON Lines, one page",
    "application/x-ndjson",
    (entries, querySummary) => auditJsonLines(entries, { querySummary }),
  );
}
