import Type from "typebox";
import { MAX_AUDIT_PAGE_SIZE } from "../audit/index.ts";

/** The most items one audit API page returns; a larger `limit` is refused, never trimmed. */
export const AUDIT_PAGE_MAX = MAX_AUDIT_PAGE_SIZE;

/** A typed error body, as every Custos HTTP boundary answers. */
export const ErrorBody = Type.Object(
  {
    error: Type.Object({
      code: Type.String({ description: "Stable error code (docs/errors.md)" }),
      message: Type.String(),
      details: Type.Record(Type.String(), Type.Unknown()),
    }),
  },
  { $id: "ErrorBody", description: "A typed error: its code, message and details" },
);

const Hex = (description: string) => Type.String({ pattern: "^0x[0-9a-f]*$", description });

/** `GET /status`. */
export const ChainStatus = Type.Object(
  {
    chainId: Type.String(),
    height: Type.String({ description: "head block number, decimal" }),
    headHash: Hex("head block hash"),
    headTimestamp: Type.Integer({ description: "unix seconds of the last commit" }),
    validators: Type.Array(Hex("validator address")),
    peers: Type.Integer({ minimum: 0 }),
    syncing: Type.Boolean(),
    clientVersion: Type.String(),
    auditIndex: Type.Object(
      {
        indexedBlock: Type.Union([Type.Integer(), Type.Null()]),
        indexedHash: Type.Union([Type.String(), Type.Null()]),
        headBlock: Type.Union([Type.Integer(), Type.Null()]),
        behind: Type.Union([Type.Integer(), Type.Null()]),
        fault: Type.Union([
          Type.Object({ code: Type.String(), message: Type.String() }),
          Type.Null(),
        ]),
      },
      { description: "how far the audit index is behind the head, and why it stopped if it did" },
    ),
  },
  { $id: "ChainStatus" },
);

/** The page parameters of the read log. */
export const ReadsQuery = Type.Object(
  {
    before: Type.Optional(Type.Integer({ minimum: 1, description: "seq to page back from" })),
    limit: Type.Optional(
      Type.Integer({ minimum: 1, maximum: AUDIT_PAGE_MAX, default: 100, description: "page size" }),
    ),
  },
  { additionalProperties: false },
);

const Caller = Type.Object({
  address: Hex("signing account"),
  orgId: Type.Integer(),
  role: Type.Union([Type.Literal("regulator"), Type.Literal("hospital")]),
});

/** `GET /reads`: the audit API's own hash-chained trail. */
export const ReadsPage = Type.Object(
  {
    items: Type.Array(
      Type.Object({
        seq: Type.Integer(),
        at: Type.Integer(),
        caller: Type.Union([Caller, Type.Null()]),
        route: Type.String(),
        params: Type.Record(Type.String(), Type.String()),
        status: Type.Integer(),
        prevHash: Hex("hash of the previous entry"),
        hash: Hex("keccak-256 of this entry's RFC 8785 JSON"),
      }),
    ),
    next: Type.Union([Type.Integer(), Type.Null()], { description: "`before` of the next page" }),
  },
  { $id: "ReadsPage" },
);

/** `GET /session/challenge`. */
export const SignInChallenge = Type.Object(
  {
    nonce: Type.String(),
    message: Type.String({ description: "the text to sign with personal_sign" }),
    expiresAt: Type.Integer({ description: "unix seconds" }),
  },
  { $id: "SignInChallenge" },
);

/** `POST /session`. */
export const SignInRequest = Type.Object(
  {
    nonce: Type.String({ pattern: "^[0-9a-f]{32}$" }),
    signature: Type.String({ pattern: "^0x[0-9a-fA-F]{130}$" }),
    patient: Type.Optional(
      Type.Object(
        {
          custodian: Type.Integer({ minimum: 1, maximum: 4294967295 }),
          subject: Type.String({
            pattern: "^0x[0-9a-fA-F]{64}$",
            description: "the record's pseudonym",
          }),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

/** The answer to a sign-in. */
export const SignInAnswer = Type.Object(
  {
    token: Type.String({ description: "send as `authorization: Bearer <token>`" }),
    session: Type.Object({
      kind: Type.Union([Type.Literal("staff"), Type.Literal("patient")]),
      address: Hex("the signer"),
      custodian: Type.Optional(Type.Integer()),
      subject: Type.Optional(Hex("the record's pseudonym")),
    }),
    expiresAt: Type.Integer({ description: "unix seconds" }),
  },
  { $id: "SignInAnswer" },
);

const PageLimit = Type.Optional(
  Type.Integer({ minimum: 1, maximum: AUDIT_PAGE_MAX, description: "page size (default 100)" }),
);
const Cursor = Type.Optional(
  Type.String({ maxLength: 512, description: "the `cursor` of the previous page" }),
);
const UnixSeconds = (description: string) =>
  Type.Optional(Type.Integer({ minimum: 0, maximum: 253402300799, description }));

/** Paging of any audit read. */
export const PageQuery = Type.Object(
  { cursor: Cursor, limit: PageLimit },
  { additionalProperties: false },
);

/** `GET /queries`. */
export const QueriesQuery = Type.Object(
  {
    researcher: Type.Optional(
      Type.String({ pattern: "^0x[0-9a-fA-F]{40}$", description: "submitting account" }),
    ),
    org: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 4294967295, description: "researcher organisation" }),
    ),
    hospital: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 4294967295, description: "a target hospital" }),
    ),
    purpose: Type.Optional(
      Type.String({
        pattern: "^([A-Z]{2,4}|[0-9]{1,10})$",
        description: 'DUO permission label ("HMB") or bit',
      }),
    ),
    from: UnixSeconds("submitted at or after"),
    to: UnixSeconds("submitted at or before"),
    order: Type.Optional(Type.Union([Type.Literal("desc"), Type.Literal("asc")])),
    cursor: Cursor,
    limit: PageLimit,
  },
  { additionalProperties: false },
);

/** `GET /consents/series`. */
export const SeriesQuery = Type.Object(
  {
    from: Type.Integer({
      minimum: 0,
      maximum: 253402300799,
      description: "unix seconds, day included",
    }),
    to: Type.Integer({
      minimum: 0,
      maximum: 253402300799,
      description: "unix seconds, day included",
    }),
    cursor: Cursor,
    limit: PageLimit,
  },
  { additionalProperties: false },
);

/** `GET /budgets`. */
export const BudgetsQuery = Type.Object(
  {
    org: Type.Optional(Type.Integer({ minimum: 1, maximum: 4294967295 })),
    cursor: Cursor,
    limit: PageLimit,
  },
  { additionalProperties: false },
);

/** `GET /entries`. */
export const EntriesQuery = Type.Object(
  {
    fromBlock: Type.Optional(Type.Integer({ minimum: 0 })),
    toBlock: Type.Optional(Type.Integer({ minimum: 0 })),
    cursor: Cursor,
    limit: PageLimit,
  },
  { additionalProperties: false },
);

/** `:id` of a query. */
export const QueryIdParams = Type.Object({
  id: Type.String({ pattern: "^[0-9]{1,20}$", description: "the query id" }),
});

/** `:custodian/:subject` of a consent record. */
export const SubjectParams = Type.Object({
  custodian: Type.Integer({
    minimum: 1,
    maximum: 4294967295,
    description: "the custodian hospital",
  }),
  subject: Type.String({ pattern: "^0x[0-9a-fA-F]{64}$", description: "the record's pseudonym" }),
});

/**
 * A page of audit model items (entries, query summaries, budgets, day counts); the item
 * shapes are the audit model's (docs/audit.md), kept as they are.
 */
export const ItemsPage = Type.Object(
  {
    items: Type.Array(Type.Object({}, { additionalProperties: true })),
    cursor: Type.Optional(Type.String({ description: "pass back for the next page" })),
  },
  { $id: "ItemsPage" },
);

/** `GET /queries/:id`: the summary and a page of the query's entries. */
export const TrailPage = Type.Object(
  {
    summary: Type.Object({}, { additionalProperties: true }),
    items: Type.Array(Type.Object({}, { additionalProperties: true })),
    cursor: Type.Optional(Type.String()),
  },
  { $id: "TrailPage" },
);

/** The query string of a route that takes none: any parameter is refused, never ignored. */
export const NoQuery = Type.Object({}, { additionalProperties: false });

const Quantity = (description: string) =>
  Type.String({ pattern: "^0x(0|[1-9a-f][0-9a-f]*)$", description });

const ProofLogBody = Type.Object(
  {
    logIndex: Quantity("the log's position among all logs of its block"),
    transactionIndex: Quantity("its transaction's position in the block"),
    transactionHash: Hex("keccak-256 of the proven transaction"),
    address: Hex("the emitting contract"),
    topics: Type.Array(Hex("a topic")),
    data: Hex("the log's data"),
  },
  { additionalProperties: false },
);

const ProofBlockBody = Type.Object(
  {
    number: Quantity("the block number"),
    hash: Hex("the on-chain block hash"),
    header: Hex("the header's RLP, commit seals included"),
    receiptNodes: Type.Array(Hex("a receipts-trie node")),
    transactionNodes: Type.Array(Hex("a transactions-trie node")),
    logs: Type.Array(ProofLogBody),
  },
  { additionalProperties: false },
);

/**
 * `GET /queries/:id/proof`: the proof document (`custos.proof/1`, docs/audit.md "Offline
 * proofs") of every AccessLedger event of a query, as `custos audit prove --query` writes it.
 */
export const ProofDocumentBody = Type.Object(
  {
    schema: Type.Literal("custos.proof/1"),
    chainId: Quantity("the chain id"),
    consortium: Hex("the Consortium, whose events change the validator set"),
    validatorChanges: Type.Array(ProofBlockBody, {
      description: "blocks with ValidatorSetScheduled logs, ascending",
    }),
    blocks: Type.Array(ProofBlockBody, { description: "the blocks holding the query's events" }),
  },
  {
    $id: "ProofDocument",
    additionalProperties: false,
    description:
      "Verify it offline against a genesis file you trust (`custos audit verify`, or the dashboard): it does not rest on this node.",
  },
);

/**
 * `GET /genesis`: the genesis document this node runs, as its genesis file holds it. Served
 * as a convenience: an anchor taken from the node that is being checked is not independent.
 */
export const GenesisBody = Type.Object(
  {},
  {
    $id: "Genesis",
    additionalProperties: true,
    description:
      "The genesis this node runs (not independent: compare it with the genesis the hospitals agreed on before trusting it)",
  },
);
