/**
 * Runs Ganache's own HTTP JSON-RPC server as a separate process for the node benchmark.
 * Ganache's CLI refuses `--server.port 0`; its `server().listen(0)` picks a free port, so
 * the benchmark starts it through this launcher and reads the URL from stdout.
 *
 * Usage: `node bench/node/ganacheServer.ts '<ganache options JSON>'`. Prints
 * `JSON-RPC http://127.0.0.1:PORT` once listening; SIGTERM/SIGINT close the server.
 */
import { createRequire } from "node:module";

/** The part of Ganache's API the launcher uses (the package ships no type declarations). */
interface GanacheServer {
  listen(port: number, host: string): Promise<void>;
  address(): { port: number } | null;
  close(): Promise<void>;
}

const ganache = createRequire(import.meta.url)("ganache") as {
  server(options: unknown): GanacheServer;
};

const server = ganache.server(JSON.parse(process.argv[2] ?? "{}"));
await server.listen(0, "127.0.0.1");
console.log(`JSON-RPC http://127.0.0.1:${server.address()?.port}`);

let closing = false;
async function close(): Promise<void> {
  if (closing) return;
  closing = true;
  await server.close();
  process.exit(0);
}
process.on("SIGTERM", close);
process.on("SIGINT", close);
