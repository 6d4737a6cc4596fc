/**
 * The logging the network needs: pino's shape (structured fields first, then a constant
 * message), so the node passes `logger.child({ component: "p2p" })`. Fields name peers by id
 * and address; the network carries no patient data.
 */
export interface NetworkLogger {
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
 * const log = options.logger ?? silentNetworkLogger;
 * ```
 */
export const silentNetworkLogger: NetworkLogger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
};
