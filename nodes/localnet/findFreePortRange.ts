import { createServer } from "node:net";
import { CustosError } from "../../src/errors/index.ts";

async function portFree(port: number): Promise<boolean> {
  const server = createServer();
  return new Promise((resolve) => {
    server.once("error", () => resolve(false));
    server.listen({ host: "127.0.0.1", port, exclusive: true }, () =>
      server.close(() => resolve(true)),
    );
  });
}

/**
 * A base port with `count` free consecutive ports from it on 127.0.0.1, picked at random in
 * 20000–50000 (so concurrent runs rarely collide) and probed. A port can still be taken
 * between the probe and the node's bind; the node then fails with `NODE_START_FAILED`.
 *
 * @throws CustosError `NODE_START_FAILED` when 50 tries find no such range.
 * @example
 * ```ts
 * const basePort = await findFreePortRange(5);
 * ```
 */
export async function findFreePortRange(count: number): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20_000 + Math.floor(Math.random() * 30_000);
    let free = true;
    for (let port = base; port < base + count && free; port++) free = await portFree(port);
    if (free) return base;
  }
  throw new CustosError("NODE_START_FAILED", `no ${count} free consecutive ports found`, {
    details: { count },
  });
}
