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
