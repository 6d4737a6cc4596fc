import type { FastifyInstance } from "fastify";
import Type from "typebox";
import { decodeCategories, decodePurposes, purposeCodes } from "../../src/consent/index.ts";
import { CustosError } from "../../src/errors/index.ts";
import { buildConsentTypedData, type ConsentTypedData } from "../../src/ledger/index.ts";
import type { AuditReader } from "../audit/index.ts";
import type { PatientCaller } from "./AuditCaller.ts";
import { accountDisclosures, proveDisclosure } from "./accountDisclosures.ts";
import { ErrorBody, PageQuery } from "./auditApiSchemas.ts";
import type { DisclosureSource } from "./createDisclosureSource.ts";
import type { PatientConsent } from "./createPatientConsent.ts";

/** What the patient routes read and change. */
export interface PatientRouteOptions {
  readonly reader: AuditReader;
  readonly consent: PatientConsent;
  /** Unix seconds. */
  readonly now: () => number;
  /** The custodian's accounting of disclosures; without it `/me/disclosures` is absent. */
  readonly disclosures?: DisclosureSource;
}

const Bytes32 = Type.String({ pattern: "^0x[0-9a-fA-F]{64}$" });

const RevokeBody = Type.Object(
  {
    message: Type.Object(
      {
        nonce: Type.Integer({ minimum: 0, maximum: 4294967295 }),
        deadline: Type.String({ pattern: "^[0-9]{1,20}$" }),
        documentHash: Bytes32,
      },
      { additionalProperties: true },
    ),
    signature: Type.String({ pattern: "^0x[0-9a-fA-F]{130}$" }),
  },
  { additionalProperties: false },
);

/** A consent's purposes and conditions in words a patient reads (DUO term names). */
function termsOf(purposes: number) {
  const { permissions, conditions } = decodePurposes(purposes);
  const named = (label: keyof typeof purposeCodes) => ({ label, name: purposeCodes[label].name });
  return { permissionTerms: permissions.map(named), conditionTerms: conditions.map(named) };
}

/** Typed data as JSON: bigints (chain id, deadline) as decimal strings. */
function typedDataJson(typedData: ConsentTypedData<"Revoke">) {
  return {
    ...typedData,
    domain: { ...typedData.domain, chainId: typedData.domain.chainId.toString() },
    message: { ...typedData.message, deadline: typedData.message.deadline.toString() },
  };
}

/**
 * The patient portal's routes, for a patient signed in for their own record (a patient
 * session, see `createSessionIssuer`): their record's current consent and its history, and
 * withdrawal in one signed action relayed to the chain at once (GDPR 7(3)). Only the record
 * the session is bound to is ever read.
 */
export function registerPatientRoutes(scope: FastifyInstance, options: PatientRouteOptions): void {
  const patient = { config: { auditPatient: true } } as const;
  const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody };

  scope.get(
    "/me",
    {
      ...patient,
      schema: {
        summary: "The signed-in patient's consent record: its current terms and its history",
        tags: ["patient"],
        querystring: PageQuery,
        response: { 200: Type.Object({}, { additionalProperties: true }), ...errors },
      },
    },
    async (request) => {
      const me = request.patientCaller as PatientCaller;
      const current = await options.consent.consentOf(me.custodian, me.subject);
      const query = request.query as { cursor?: string; limit?: number };
      const history = await options.reader.subjectHistory(me.custodian, me.subject, {
        ...(query.cursor === undefined ? {} : { cursor: query.cursor }),
        ...(query.limit === undefined ? {} : { limit: query.limit }),
      });
      return {
        custodian: me.custodian,
        subject: me.subject,
        consent: {
          ...current,
          ...termsOf(current.purposes),
          categoryNames: decodeCategories(current.categories),
        },
        history,
      };
    },
  );

  const disclosures = options.disclosures;
  if (disclosures !== undefined) {
    scope.get(
      "/me/disclosures",
      {
        ...patient,
        schema: {
          summary:
            "The studies the signed-in patient's record was used in, by organisation and purpose (newest first)",
          tags: ["patient"],
          querystring: PageQuery,
          response: {
            200: Type.Object({}, { additionalProperties: true }),
            404: ErrorBody,
            ...errors,
          },
        },
      },
      async (request) => {
        const me = request.patientCaller as PatientCaller;
        const page = request.query as { cursor?: string; limit?: number };
        return accountDisclosures(options.reader, disclosures, me.custodian, me.subject, page);
      },
    );

    scope.get(
      "/me/disclosures/:id/proof",
      {
        ...patient,
        schema: {
          summary:
            "The Merkle proof that the patient's record was in a study's consent snapshot, as recorded on chain",
          tags: ["patient"],
          params: Type.Object({ id: Type.String({ pattern: "^[0-9]{1,20}$" }) }),
          response: {
            200: Type.Object({}, { additionalProperties: true }),
            404: ErrorBody,
            ...errors,
          },
        },
      },
      async (request) => {
        const me = request.patientCaller as PatientCaller;
        const { id } = request.params as { id: string };
        return proveDisclosure(options.reader, disclosures, me.custodian, me.subject, id);
      },
    );
  }

  scope.post(
    "/me/consent/revoke/prepare",
    {
      ...patient,
      schema: {
        summary:
          "The EIP-712 revocation for the patient's wallet to sign, and the withdrawal receipt it commits to",
        tags: ["patient"],
        response: { 200: Type.Object({}, { additionalProperties: true }), ...errors },
      },
    },
    async (request) => {
      const me = request.patientCaller as PatientCaller;
      const { typedData, receipt } = await options.consent.prepareRevoke(
        me.custodian,
        me.subject,
        options.now(),
      );
      return { typedData: typedDataJson(typedData), receipt };
    },
  );

  scope.post(
    "/me/consent/revoke",
    {
      ...patient,
      schema: {
        summary:
          "Relays the patient's signed revocation; answers once it is in a block (withdrawal takes effect from that block)",
        tags: ["patient"],
        body: RevokeBody,
        response: {
          200: Type.Object({ txHash: Type.String(), blockNumber: Type.Integer() }),
          ...errors,
        },
      },
    },
    async (request) => {
      const me = request.patientCaller as PatientCaller;
      const body = request.body as {
        message: { nonce: number; deadline: string; documentHash: `0x${string}` };
        signature: string;
      };
      if (BigInt(body.message.deadline) < BigInt(Math.floor(options.now()))) {
        throw new CustosError("INVALID_ARGUMENT", "the signed revocation has expired", {
          details: { field: "message.deadline" },
        });
      }
      // The record comes from the session, never from the body: a patient revokes only their own.
      const typedData = buildConsentTypedData(await options.consent.domain(), "Revoke", {
        custodian: me.custodian,
        subject: me.subject,
        documentHash: body.message.documentHash,
        nonce: body.message.nonce,
        deadline: BigInt(body.message.deadline),
      });
      return options.consent.relayRevoke(typedData, body.signature, me.address);
    },
  );
}
