/**
 * The logging the driver needs: pino's shape (structured fields first, then a constant
 * message), so the node passes `logger.child({ component: "consensus" })`.
 */
export interface ConsensusLogger {
  debug(fields: object, message: string): void;
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

/**
 * A logger that writes nothing, the default.
 *
 * @example
 * ```ts
 * const logger = ports.logger ?? silentConsensusLogger;
 * ```
 */
export const silentConsensusLogger: ConsensusLogger = Object.freeze({
  debug() {},
  info() {},
  warn() {},
  error() {},
});
