import { connect } from "node:net";

// PostgreSQL's CancelRequest code (frontend/backend protocol 3.0, "Canceling Requests").
const CANCEL_REQUEST_CODE = 80877102;

/** The backend key a connection received at start-up (node-postgres keeps it, untyped). */
interface BackendKey {
  readonly processID?: unknown;
  readonly secretKey?: unknown;
}

/**
 * Asks the server to cancel whatever statement a connection is running, as libpq's
 * `PQcancel` does: a CancelRequest with the connection's backend key, sent on a new socket
 * that needs no login (so it works while every pooled connection is busy). The server ends
 * the statement with SQLSTATE 57014. Best effort: resolves false when the key is unknown or
 * the server cannot be reached, and the caller falls back to closing the connection.
 *
 * @example
 * ```ts
 * signal.addEventListener("abort", () => void cancelPostgresStatement(client));
 * ```
 */
export function cancelPostgresStatement(client: {
  readonly host: string;
  readonly port: number;
}): Promise<boolean> {
  const { processID, secretKey } = client as BackendKey;
  if (typeof processID !== "number" || typeof secretKey !== "number") {
    return Promise.resolve(false);
  }
  const message = Buffer.alloc(16);
  message.writeInt32BE(16, 0);
  message.writeInt32BE(CANCEL_REQUEST_CODE, 4);
  message.writeInt32BE(processID, 8);
  message.writeInt32BE(secretKey, 12);
  return new Promise((resolve) => {
    const socket = client.host.startsWith("/")
      ? connect(`${client.host}/.s.PGSQL.${client.port}`)
      : connect(client.port, client.host);
    socket.setTimeout(5000, () => socket.destroy());
    socket.once("error", () => resolve(false));
    socket.once("connect", () => socket.end(message));
    // The server closes the socket once it has the request.
    socket.once("close", (hadError) => resolve(!hadError));
  });
}
