/**
 * The Custos SDK entry: the error model every module shares. Each area has its own entry
 * point (package.json `exports`): `custos/consent`, `custos/pseudonym`, `custos/anonymise`,
 * `custos/disclosure`, `custos/canonical`, `custos/contracts`, `custos/errors`.
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
