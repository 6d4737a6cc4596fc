import { type Logger, pino } from "pino";
import { createPrettyStream, type LogDestination } from "./createPrettyStream.ts";
import { scrubLogFields } from "./scrubLogFields.ts";
import { REDACTED, secretRedactPaths } from "./secretRedactPaths.ts";

/** Severity threshold; `silent` writes nothing. */
export type LogLevel = "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";

/** Options of {@link createLogger}. */
export interface LoggerOptions {
  /** Least severe level written. */
  readonly level?: LogLevel;
  /** One human-readable line per record instead of JSON. */
  readonly pretty?: boolean;
  /** Where lines go; default standard output. Tests pass an in-memory destination. */
  readonly destination?: LogDestination;
}

/** Defaults of {@link LoggerOptions}. */
export const defaultLoggerOptions = { level: "info", pretty: false } as const;

/** The node's logger: pino's, so `logger.child({ component: "txpool" })` gives a component's. */
export type { Logger };

/**
 * Creates the node's root logger (pino). Conventions it enforces:
 * - constant messages, facts in fields: printf-style arguments after the message are
 *   discarded (counted in `droppedArgs`) so no value is spliced into message text;
 * - secrets redacted: pino redaction paths (`*.privateKey`, `*.masterKey`, `*.key`,
 *   passwords, authorization headers, ...) plus the same names at any depth;
 * - patient identifiers and pseudonyms never logged: fields named `subject*`, `pseudonym*`,
 *   `identifier*`, `patient*` (and mrn, ssn, birth dates) are dropped from records and child
 *   bindings, counted in `droppedFields`.
 * One child per component: `logger.child({ component: "txpool" })`.
 *
 * @example
 * ```ts
 * const log = createLogger({ level: config.log.level, pretty: config.log.pretty });
 * const poolLog = log.child({ component: "txpool" });
 * poolLog.info({ hash, status }, "transaction admitted");
 * ```
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const pretty = options.pretty ?? defaultLoggerOptions.pretty;
  const target = options.destination ?? (pretty ? pino.destination(1) : undefined);
  const stream = pretty && target !== undefined ? createPrettyStream(target) : target;
  const config = {
    level: options.level ?? defaultLoggerOptions.level,
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: [...secretRedactPaths], censor: REDACTED },
    formatters: {
      log: (record: Record<string, unknown>) => scrubLogFields(record),
    },
    hooks: {
      logMethod(this: Logger, args: Parameters<Logger["info"]>, method: Logger["info"]) {
        const messageAt = typeof args[0] === "string" ? 0 : 1;
        const extra = args.length - messageAt - 1;
        if (extra <= 0) return method.apply(this, args);
        const first = args[0];
        const fields =
          messageAt === 0 ? {} : first instanceof Error ? { err: first } : (first as object);
        return method.call(this, { ...fields, droppedArgs: extra }, args[messageAt] as string);
      },
    },
  };
  const logger = stream === undefined ? pino(config) : pino(config, stream);
  // pino runs no formatter over child bindings, so the guard wraps `child` itself; children
  // are prototype-chained to the root and inherit the wrapper.
  const child = logger.child;
  const guardedChild = function (this: Logger, bindings: Record<string, unknown>, opts?: object) {
    return child.call(this, scrubLogFields(bindings), opts);
  };
  logger.child = guardedChild as Logger["child"];
  return logger;
}
