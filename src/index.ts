/**
 * The Custos SDK entry: the error model every module shares. Each area has its own entry
 * point (package.json `exports`): `custos/consent` (the consent model), `custos/ledger`
 * (contract clients), `custos/consent-index` (the index synced from the chain),
 * `custos/consent-import` (bulk import of consents from CSV or NDJSON),
 * `custos/pseudonym`, `custos/anonymise`, `custos/disclosure`, `custos/canonical`,
 * `custos/contracts`, `custos/errors`, and for federated queries `custos/query` (spec
 * language, compiler, run and release), `custos/omop-store` (DuckDB and PostgreSQL OMOP
 * stores), `custos/federation` (the researcher ↔ data service protocol, verification and
 * pooling of results) and `custos/pooling` (pooled statistics and meta-analysis).
 * Dependencies run one way: consent-index → ledger → consent, consent-import → ledger →
 * consent, and federation → query → omop-store, disclosure.
 */
export {
  CustosError,
  type CustosErrorOptions,
  type ErrorCode,
  type ErrorCodeInfo,
  type ErrorDetails,
  errorCodes,
  isCustosError,
  isErrorCode,
} from "./errors/index.ts";
