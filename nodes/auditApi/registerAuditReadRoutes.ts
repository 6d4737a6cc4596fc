import type { FastifyInstance } from "fastify";
import { CustosError } from "../../src/errors/index.ts";
import type { AuditReader, QueryListFilter } from "../audit/index.ts";
import type { AuditCaller } from "./AuditCaller.ts";
import {
  BudgetsQuery,
  EntriesQuery,
  ErrorBody,
  ItemsPage,
  PageQuery,
  QueriesQuery,
  QueryIdParams,
  SeriesQuery,
  SubjectParams,
  TrailPage,
} from "./auditApiSchemas.ts";
import { requireOwnRecords } from "./requireOwnRecords.ts";

type Page = { cursor?: string; limit?: number };

/** Only the defined fields, so `exactOptionalPropertyTypes` readers see no `undefined`. */
function defined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/**
 * The audit index's reads as routes: queries (filtered, paged), a query's trail, a consent
 * record's history, ε budgets, consent counts per day, governance and raw entries. A
 * hospital reads per-subject data of its own records only; regulators read everything.
 */
export function registerAuditReadRoutes(scope: FastifyInstance, reader: AuditReader): void {
  const secured = [{ custosSignature: [] }];
  const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody };

  scope.get(
    "/queries",
    {
      schema: {
        summary: "Queries by researcher, organisation, hospital, purpose and submission time",
        tags: ["queries"],
        security: secured,
        querystring: QueriesQuery,
        response: { 200: ItemsPage, ...errors },
      },
    },
    async (request) => {
      const q = request.query as QueryListFilter & { purpose?: string };
      const purpose =
        q.purpose === undefined
          ? undefined
          : /^\d+$/.test(q.purpose)
            ? Number(q.purpose)
            : q.purpose;
      return reader.listQueries(defined({ ...q, purpose }) as QueryListFilter);
    },
  );

  scope.get(
    "/queries/:id",
    {
      schema: {
        summary:
          "A query's full trail: submission, approvals, each hospital's result or decline (consent block, snapshot root, disclosure report hash, ε), closure",
        tags: ["queries"],
        security: secured,
        params: QueryIdParams,
        querystring: PageQuery,
        response: { 200: TrailPage, 404: ErrorBody, ...errors },
      },
    },
    async (request) => {
      const { id } = request.params as { id: string };
      const trail = await reader.queryTrail(id, defined(request.query as Page));
      if (trail === undefined) {
        throw new CustosError("AUDIT_API_NOT_FOUND", `no query ${id}`, {
          details: { field: "id", queryId: id },
        });
      }
      return trail;
    },
  );

  scope.get(
    "/subjects/:custodian/:subject/consents",
    {
      schema: {
        summary:
          "A consent record's history by pseudonym (regulators; a hospital for its own records only)",
        tags: ["subjects"],
        security: secured,
        params: SubjectParams,
        querystring: PageQuery,
        response: { 200: ItemsPage, ...errors },
      },
    },
    async (request) => {
      const { custodian, subject } = request.params as { custodian: number; subject: string };
      requireOwnRecords(request.auditCaller as AuditCaller, custodian);
      return reader.subjectHistory(custodian, subject, defined(request.query as Page));
    },
  );

  scope.get(
    "/budgets",
    {
      schema: {
        summary: "ε spent against the limit per researcher organisation and hospital",
        tags: ["queries"],
        security: secured,
        querystring: BudgetsQuery,
        response: { 200: ItemsPage, ...errors },
      },
    },
    async (request) => {
      const { org, ...page } = request.query as Page & { org?: number };
      return reader.budgets(org, defined(page));
    },
  );

  scope.get(
    "/consents/series",
    {
      schema: {
        summary:
          "Consent grants, updates and revocations per UTC day and custodian (aggregate only)",
        tags: ["consents"],
        security: secured,
        querystring: SeriesQuery,
        response: { 200: ItemsPage, ...errors },
      },
    },
    async (request) => {
      const { from, to, ...page } = request.query as Page & { from: number; to: number };
      return reader.consentSeries(from, to, defined(page));
    },
  );

  scope.get(
    "/governance",
    {
      schema: {
        summary: "Governance: organisations, roles, accounts, validators, proposals and votes",
        tags: ["governance"],
        security: secured,
        querystring: PageQuery,
        response: { 200: ItemsPage, ...errors },
      },
    },
    async (request) => reader.governance(defined(request.query as Page)),
  );

  scope.get(
    "/entries",
    {
      schema: {
        summary: "Every audit entry of a block range, in chain order (regulators only)",
        tags: ["audit"],
        security: secured,
        querystring: EntriesQuery,
        response: { 200: ItemsPage, ...errors },
      },
    },
    async (request) => {
      const caller = request.auditCaller as AuditCaller;
      // Entries carry every hospital's consent records: the whole stream is the regulator's.
      if (caller.role !== "regulator") {
        throw new CustosError("AUDIT_API_FORBIDDEN", "only regulators read the entry stream", {
          details: { reason: "role", role: caller.role },
        });
      }
      return reader.entries(defined(request.query as Page & { fromBlock?: number }));
    },
  );
}
