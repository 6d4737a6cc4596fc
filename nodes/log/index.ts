export {
  createLogger,
  defaultLoggerOptions,
  type Logger,
  type LoggerOptions,
  type LogLevel,
} from "./createLogger.ts";
export { createPrettyStream, type LogDestination } from "./createPrettyStream.ts";
export {
  patientFieldNames,
  patientFieldPrefixes,
  scrubLogFields,
  secretFieldNames,
} from "./scrubLogFields.ts";
export { REDACTED, secretRedactPaths } from "./secretRedactPaths.ts";
