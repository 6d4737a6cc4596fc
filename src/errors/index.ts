export {
  CustosError,
  type CustosErrorOptions,
  type ErrorDetails,
  isCustosError,
} from "./CustosError.ts";
export { type ErrorCode, type ErrorCodeInfo, errorCodes, isErrorCode } from "./errorCodes.ts";
export { renderErrorDocs } from "./renderErrorDocs.ts";
