import { rename, writeFile } from "node:fs/promises";
import { join } from "node:path";

/** The file a running data service writes into its data directory for its hospital's node. */
export const DATA_SERVICE_CONNECTION_FILE = "connection.json";

/** How a hospital's node reaches its data service's staff endpoints. */
export interface DataServiceConnection {
  readonly url: string;
  readonly hospitalId: number;
  /** The staff bearer token: the file is the owner's only (mode 0600). */
  readonly adminToken: string;
}

/**
 * Writes `<dataDir>/connection.json` once the service listens, replacing it atomically, so
 * the node's patient portal and audit API (config `portal.dataServiceConnectionFile`) find
 * the accounting of disclosures even when the service starts after the node or moves port.
 *
 * @example
 * ```ts
 * await writeConnectionFile(dataDir, { url, hospitalId: 1, adminToken });
 * ```
 */
export async function writeConnectionFile(
  dataDir: string,
  connection: DataServiceConnection,
): Promise<void> {
  const file = join(dataDir, DATA_SERVICE_CONNECTION_FILE);
  await writeFile(
    `${file}.tmp`,
    `${JSON.stringify({ format: "custos-data-service-connection/1", ...connection })}\n`,
    { mode: 0o600 },
  );
  await rename(`${file}.tmp`, file);
}
