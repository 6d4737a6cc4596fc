/**
 * Helpers of the fault-injection suite: run `custos` as a real child process and read how it
 * ended, drive a dev node with consent grants so its blocks carry transactions, receipts and
 * logs, and damage files the way disks and operators do.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdir, open, readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import type { Block } from "@ethereumjs/block";
import { Interface, id, keccak256, toBeHex, Wallet } from "ethers";
import { commitGenesis, installQbftBlockHash } from "../../nodes/chain/index.ts";
import { resolveConfig } from "../../nodes/config/index.ts";
import { createChainDb, HEAD_MARKER_FILE } from "../../nodes/db/index.ts";
import { createCustosCommon, createExecutionEngine } from "../../nodes/execution/index.ts";
import { chainDirectories, type DevKeysFile, loadDevChain } from "../../nodes/node/index.ts";
import { buildSealedBlock } from "../../scripts/chainFixtures.ts";
import { consentRegistryAbi } from "../../src/contracts/index.ts";

const CLI = new URL("../../nodes/bin/custos.ts", import.meta.url).pathname;

/** How a `custos` process ended. */
export interface Exited {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Milliseconds from spawn to exit. */
  readonly ms: number;
}

/** Options of {@link runCustos}. */
export interface RunCustosOptions {
  /** Kill (SIGKILL) and fail after this long (default 30 s). */
  readonly timeoutMs?: number;
  /** Called once the child runs (e.g. to signal it later). */
  readonly onSpawn?: (child: ChildProcess) => void;
  /** Run as this user id (root only). */
  readonly uid?: number;
  readonly gid?: number;
}

/**
 * Runs `custos <args>` with the project's Node and resolves when it exits.
 *
 * @example
 * ```ts
 * const run = await runCustos(["node", "--dev", "--data-dir", dir, "--rpc-port", "0"]);
 * ```
 */
export function runCustos(
  args: readonly string[],
  options: RunCustosOptions = {},
): Promise<Exited> {
  const started = performance.now();
  const child = spawn(process.execPath, [CLI, ...args], {
    stdio: ["ignore", "pipe", "pipe"],
    ...(options.uid === undefined ? {} : { uid: options.uid }),
    ...(options.gid === undefined ? {} : { gid: options.gid }),
  });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    stdout += chunk;
  });
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
  });
  options.onSpawn?.(child);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(
        new Error(
          `custos ${args.join(" ")} did not exit in time\n${stdout}\n${stderr.slice(-4000)}`,
        ),
      );
    }, options.timeoutMs ?? 30_000);
    child.on("error", reject);
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      // Let the pipes drain.
      setImmediate(() =>
        resolve({ code, signal, stdout, stderr, ms: performance.now() - started }),
      );
    });
  });
}

/** The `node did not start` log line a failed `custos node` writes (code and details). */
export interface StartFailure {
  readonly code: string;
  readonly details: Record<string, unknown>;
}

/**
 * The code and details of a failed start, from the node's JSON log line on stderr.
 *
 * @example
 * ```ts
 * expect(startFailure(run.stderr)?.code).toBe("CHAIN_DB_CORRUPT");
 * ```
 */
export function startFailure(stderr: string): StartFailure | undefined {
  for (const line of stderr.split("\n")) {
    if (!line.startsWith("{")) continue;
    const entry = JSON.parse(line) as {
      msg?: string;
      code?: string;
      details?: Record<string, unknown>;
    };
    if (entry.msg === "node did not start" && entry.code !== undefined) {
      return { code: entry.code, details: entry.details ?? {} };
    }
  }
  return undefined;
}

/**
 * The code of the CLI's last `error CODE: …` line.
 *
 * @example
 * ```ts
 * expect(cliErrorCode(run.stderr)).toBe("NODE_START_FAILED");
 * ```
 */
export function cliErrorCode(stderr: string): string | undefined {
  return [...stderr.matchAll(/^error ([A-Z_]+): /gm)].at(-1)?.[1];
}

/** Arguments of a dev node on `dataDir`, an ephemeral port and warn-level logs. */
export function devNodeArgs(dataDir: string, ...extra: string[]): string[] {
  return [
    "node",
    "--dev",
    "--data-dir",
    dataDir,
    "--rpc-port",
    "0",
    "--log-level",
    "warn",
    ...extra,
  ];
}

/** A running `custos node` child process. */
export interface NodeChild {
  readonly child: ChildProcess;
  readonly rpcUrl: string;
  /** Everything the process wrote to standard error so far (JSON log lines, errors). */
  stderr(): string;
  /** The dev chain's keys file. */
  devKeys(): Promise<DevKeysFile>;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL, then waits for the exit. */
  kill(): Promise<void>;
}

/**
 * Starts a dev node on `dataDir` (ephemeral port, warn-level logs unless `extra` says
 * otherwise) and resolves once it serves JSON-RPC; unlike `spawnDevNode` it keeps the
 * process's standard error readable.
 *
 * @example
 * ```ts
 * const node = await startNodeChild(dataDir);
 * expect(node.stderr()).toContain("CHAIN_DB_COMMIT_FAILED");
 * ```
 */
export async function startNodeChild(dataDir: string, ...extra: string[]): Promise<NodeChild> {
  const child = spawn(process.execPath, [CLI, ...devNodeArgs(dataDir, ...extra)], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<number | null>((resolve) =>
    child.once("exit", (code) => resolve(code)),
  );
  const rpcUrl = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`node did not start in time\n${stderr.slice(-4000)}`));
    }, 60_000);
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk;
      const match = /^JSON-RPC\s+(http:\/\/\S+)$/m.exec(stdout);
      if (match !== null) {
        clearTimeout(timer);
        resolve(match[1] as string);
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`node exited with ${code} before serving\n${stderr.slice(-4000)}`));
    });
  });
  return {
    child,
    rpcUrl,
    stderr: () => stderr,
    async devKeys() {
      return JSON.parse(await readFile(join(dataDir, "dev-keys.json"), "utf8")) as DevKeysFile;
    },
    async stop() {
      child.kill("SIGTERM");
      return exited;
    },
    async kill() {
      child.kill("SIGKILL");
      await exited;
    },
  };
}

/**
 * Writes a dev node's data directory holding `blocks` empty blocks, in-process and fast (no
 * block period, no per-block fsync), with its dev genesis, keys and head marker as a node
 * would leave them: for faults that need a long chain (a long reindex).
 *
 * @example
 * ```ts
 * await writeDevChain(dataDir, 3000);
 * ```
 */
export async function writeDevChain(dataDir: string, blocks: number): Promise<void> {
  const config = resolveConfig({ dev: true, dataDir }, { baseDir: dataDir, cwd: dataDir });
  await mkdir(dataDir, { recursive: true });
  const { genesis, keys } = await loadDevChain(dataDir, config.devChain);
  installQbftBlockHash();
  const chainDb = await createChainDb({
    location: join(dataDir, chainDirectories.chain),
    common: createCustosCommon({ chainId: BigInt(genesis.chainId) }),
    syncWrites: false,
    headMarker: join(dataDir, HEAD_MARKER_FILE),
  });
  try {
    await commitGenesis(chainDb, genesis);
    const engine = createExecutionEngine({ chainDb });
    for (let n = 0; n < blocks; n++) {
      const parent = chainDb.head() as Block;
      await engine.commit(await buildSealedBlock(engine, parent, [], { genesis, keys }));
    }
    await chainDb.sync();
  } finally {
    await chainDb.close();
  }
}

async function rpc(url: string, method: string, params: unknown[]): Promise<unknown> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
  });
  const answer = (await response.json()) as { result?: unknown; error?: { message: string } };
  if (answer.error !== undefined) throw new Error(`${method}: ${answer.error.message}`);
  return answer.result;
}

const registry = new Interface(consentRegistryAbi);

/** Consent grants sent by {@link sendGrants}, by the block they were included in. */
export interface GrantLoad {
  /** Stops sending; resolves once the loop has ended. */
  stop(): Promise<void>;
  /** Receipts seen so far: transaction hash → block number. */
  readonly receipts: Map<string, number>;
}

/**
 * Keeps sending single-subject grants from hospital 1's recorder (a few per block) and polls
 * their receipts, until stopped. Errors of a node going away are swallowed.
 *
 * @example
 * ```ts
 * const load = sendGrants(node, await node.devKeys());
 * await load.stop();
 * ```
 */
export function sendGrants(
  node: { readonly rpcUrl: string },
  keys: DevKeysFile,
  perRound = 4,
): GrantLoad {
  const wallet = new Wallet(keys.hospitals[0]?.recorder.privateKey as string);
  const receipts = new Map<string, number>();
  let stopped = false;
  const loop = (async () => {
    let nonce = Number(
      await rpc(node.rpcUrl, "eth_getTransactionCount", [wallet.address, "latest"]),
    );
    const pending = new Set<string>();
    while (!stopped) {
      for (let i = 0; i < perRound && pending.size < 16; i++) {
        const subject = keccak256(toBeHex(nonce + 1, 32));
        const raw = await wallet.signTransaction({
          type: 2,
          chainId: keys.chainId,
          nonce,
          to: keys.contracts.consentRegistry,
          data: registry.encodeFunctionData("grant", [
            1,
            subject,
            { purposes: 1, categories: 1, validFrom: 0, validUntil: 0 },
            id(`doc ${nonce}`),
          ]),
          gasLimit: 300_000,
          maxFeePerGas: 10n ** 12n,
          maxPriorityFeePerGas: 0,
        });
        await rpc(node.rpcUrl, "eth_sendRawTransaction", [raw]);
        pending.add(keccak256(raw));
        nonce++;
      }
      for (const hash of [...pending]) {
        const receipt = (await rpc(node.rpcUrl, "eth_getTransactionReceipt", [hash])) as {
          blockNumber: string;
        } | null;
        if (receipt !== null) {
          receipts.set(hash, Number(receipt.blockNumber));
          pending.delete(hash);
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  })().catch(() => undefined);
  return {
    receipts,
    async stop() {
      stopped = true;
      await loop;
    },
  };
}

/**
 * The node's head number over JSON-RPC.
 *
 * @example
 * ```ts
 * await headNumber(node.rpcUrl); // 12
 * ```
 */
export async function headNumber(url: string): Promise<number> {
  return Number(await rpc(url, "eth_blockNumber", []));
}

/**
 * Block hashes 0..head as the node serves them.
 *
 * @example
 * ```ts
 * const hashes = await blockHashes(node.rpcUrl);
 * ```
 */
export async function blockHashes(url: string): Promise<string[]> {
  const head = await headNumber(url);
  const hashes: string[] = [];
  for (let n = 0; n <= head; n++) {
    const block = (await rpc(url, "eth_getBlockByNumber", [`0x${n.toString(16)}`, false])) as {
      hash: string;
    };
    hashes.push(block.hash);
  }
  return hashes;
}

/**
 * LevelDB's write-ahead logs (`NNNNNN.log`) in a chain database directory, largest first.
 *
 * @example
 * ```ts
 * const [log] = await writeAheadLogs(join(dataDir, "chain"));
 * ```
 */
export async function writeAheadLogs(chainDir: string): Promise<string[]> {
  const names = (await readdir(chainDir)).filter((n) => /^\d+\.log$/.test(n));
  const sized = await Promise.all(
    names.map(async (n) => ({
      path: join(chainDir, n),
      size: (await stat(join(chainDir, n))).size,
    })),
  );
  return sized.sort((a, b) => b.size - a.size).map((s) => s.path);
}

/**
 * Inverts `count` bytes of a file at `offset` (a flipped region, as a bad sector or a torn
 * write leaves).
 *
 * @example
 * ```ts
 * await flipBytes(log, size / 2, 64);
 * ```
 */
export async function flipBytes(path: string, offset: number, count: number): Promise<void> {
  const handle = await open(path, "r+");
  try {
    const buffer = Buffer.alloc(count);
    await handle.read(buffer, 0, count, offset);
    for (let i = 0; i < count; i++) buffer[i] = (buffer[i] as number) ^ 0xff;
    await handle.write(buffer, 0, count, offset);
  } finally {
    await handle.close();
  }
}

/**
 * The block a transaction was included in, as the node serves its receipt (undefined when
 * the node has no receipt for it).
 *
 * @example
 * ```ts
 * expect(await receiptBlock(node.rpcUrl, hash)).toBe(load.receipts.get(hash));
 * ```
 */
export async function receiptBlock(url: string, hash: string): Promise<number | undefined> {
  const receipt = (await rpc(url, "eth_getTransactionReceipt", [hash])) as {
    blockNumber: string;
  } | null;
  return receipt === null ? undefined : Number(receipt.blockNumber);
}

/**
 * Polls `condition` every 100 ms until it holds (for hooks, where `expect.poll` is not
 * available).
 *
 * @example
 * ```ts
 * await waitFor(async () => (await headNumber(url)) >= 6, 30_000);
 * ```
 */
export async function waitFor(
  condition: () => Promise<boolean> | boolean,
  timeoutMs: number,
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await condition())) {
    if (performance.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
