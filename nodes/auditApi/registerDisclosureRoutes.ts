import type { FastifyInstance } from "fastify";
import Type from "typebox";
import { CustosError } from "../../src/errors/index.ts";
import type { AuditReader } from "../audit/index.ts";
import type { AuditCaller } from "./AuditCaller.ts";
import { accountDisclosures, proveDisclosure } from "./accountDisclosures.ts";
import { ErrorBody, ItemsPage, PageQuery, SubjectParams } from "./auditApiSchemas.ts";
import type { DisclosureSource } from "./createDisclosureSource.ts";
import { requireOwnRecords } from "./requireOwnRecords.ts";

/** `:custodian/:subject/disclosures/:id/proof`. */
const DisclosureProofParams = Type.Object({
  ...SubjectParams.properties,
  id: Type.String({ pattern: "^[0-9]{1,20}$", description: "the query id" }),
});

const CustodianParams = Type.Object({ custodian: SubjectParams.properties.custodian });

const IdentifierBody = Type.Object(
  {
    identifier: Type.String({
      minLength: 1,
      maxLength: 256,
      description: "the patient's identifier at the custodian (e.g. MRN); never logged",
    }),
  },
  { additionalProperties: false },
);

/**
 * The per-patient accounting of disclosures (HIPAA 164.528) for regulators and the
 * custodian hospital: a record's released results with Merkle proofs against the snapshot
 * roots on chain, and the custodian's pseudonym of a patient identifier (sent in a body,
 * never in a URL, so the read log never holds it). Served by the custodian's own node, whose
 * data service keeps the snapshots.
 */
export function registerDisclosureRoutes(
  scope: FastifyInstance,
  reader: AuditReader,
  source: DisclosureSource,
): void {
  const secured = [{ custosSignature: [] }];
  const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody };

  scope.get(
    "/subjects/:custodian/:subject/disclosures",
    {
      schema: {
        summary:
          "A record's accounting of disclosures: released results whose consent snapshot held it (custodian's node)",
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
      const page = request.query as { cursor?: string; limit?: number };
      return accountDisclosures(reader, source, custodian, subject, page);
    },
  );

  scope.get(
    "/subjects/:custodian/:subject/disclosures/:id/proof",
    {
      schema: {
        summary:
          "One disclosure with its Merkle inclusion proof, verified against the consent-snapshot root on chain",
        tags: ["subjects"],
        security: secured,
        params: DisclosureProofParams,
        response: { 200: Type.Object({}, { additionalProperties: true }), ...errors },
      },
    },
    async (request) => {
      const { custodian, subject, id } = request.params as {
        custodian: number;
        subject: string;
        id: string;
      };
      requireOwnRecords(request.auditCaller as AuditCaller, custodian);
      return proveDisclosure(reader, source, custodian, subject, id);
    },
  );

  scope.post(
    "/subjects/:custodian/pseudonym",
    {
      schema: {
        summary: "The custodian's pseudonym of a patient identifier (custodian's node)",
        tags: ["subjects"],
        security: secured,
        params: CustodianParams,
        body: IdentifierBody,
        response: {
          200: Type.Object({ custodian: Type.Integer(), subject: Type.String() }),
          ...errors,
        },
      },
    },
    async (request) => {
      const { custodian } = request.params as { custodian: number };
      requireOwnRecords(request.auditCaller as AuditCaller, custodian);
      if ((await source.custodian()) !== custodian) {
        throw new CustosError(
          "AUDIT_API_NOT_CUSTODIAN",
          `only hospital ${custodian}'s node pseudonymises its identifiers`,
          { details: { reason: "other custodian", custodian } },
        );
      }
      const { identifier } = request.body as { identifier: string };
      return { custodian, subject: await source.pseudonymOf(identifier) };
    },
  );
}
