import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { id, keccak256, toBeHex, zeroPadValue } from "ethers";
import { afterAll, describe, expect, it } from "vitest";
import { type NodeProcess, spawnDevNode } from "../../scripts/spawnDevNode.ts";
import { LandedLines } from "../../src/consentImport/index.ts";
import { landedInCheckpoint } from "./harness/runCustosCli.ts";

/**
 * `custos consent import` and its node both killed (kill -9, as a crash of the machine running
 * both) just after the node commits a block of the import's grants, before the importer has
 * seen their receipts; the node restarts on its data directory and `--resume` finishes the
 * import: the rows that landed after the checkpoint's last write are found on chain and not
 * sent again, none fails, and the verification pass is clean.
 */
const ROWS = 6_000;
const TERMS = '{"purposes":"GRU","categories":"CONDITIONS"}';
/** Hospital 1, whose recorder imports. */
const CUSTODIAN = 1;
const GRANTED = id(
  "ConsentGranted(bytes32,uint32,address,uint32,uint32,uint32,uint40,uint40,bytes32)",
);

/** A JSON-RPC quantity: hex without leading zeros. */
const quantity = (n: number) => `0x${n.toString(16)}`;

async function rpc<T>(url: string, method: string, params: unknown[]): Promise<T> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
  });
  const answer = (await response.json()) as { result?: T; error?: unknown };
  if (answer.error !== undefined) throw new Error(`${method}: ${JSON.stringify(answer.error)}`);
  return answer.result as T;
}

/**
 * The number of the first block after `afterBlock` holding a transaction from `sender`, once
 * it is committed, polling every 5 ms: the importer polls receipts far less often (250 ms).
 */
async function committedBlockFrom(
  node: NodeProcess,
  sender: string,
  afterBlock: number,
): Promise<number> {
  for (let checked = afterBlock; ; ) {
    const head = Number(await rpc<string>(node.rpcUrl, "eth_blockNumber", []));
    for (; checked < head; checked++) {
      const block = await rpc<{ transactions: { from: string }[] }>(
        node.rpcUrl,
        "eth_getBlockByNumber",
        [quantity(checked + 1), true],
      );
      if (block.transactions.some((tx) => tx.from.toLowerCase() === sender.toLowerCase())) {
        return checked + 1;
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const CLI = fileURLToPath(new URL("../../nodes/bin/custos.ts", import.meta.url));

interface ImportRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly out: string;
  readonly err: string;
}

/** Runs `custos consent import` in a process of its own, as a hospital runs it. */
function importCsv(
  file: string,
  node: NodeProcess,
  recorderKey: string,
  registry: string,
  extra: readonly string[],
  onSpawn: (child: ChildProcess) => void = () => undefined,
): Promise<ImportRun> {
  const args = ["consent", "import", file, "--terms", TERMS, "--rpc", node.rpcUrl];
  const child = spawn(process.execPath, [CLI, ...args, "--registry", registry, ...extra], {
    env: { ...process.env, CUSTOS_RECORDER_KEY: recorderKey },
    stdio: ["ignore", "pipe", "pipe"],
  });
  onSpawn(child);
  let out = "";
  let err = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    out += chunk;
  });
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
    err += chunk;
  });
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("exit", (code, signal) => setImmediate(() => resolve({ code, signal, out, err })));
  });
}

/** The import's grants on chain: `ConsentGranted` logs of the custodian after `afterBlock`. */
async function grantsOnChain(node: NodeProcess, registry: string, afterBlock: number) {
  const logs = await rpc<unknown[]>(node.rpcUrl, "eth_getLogs", [
    {
      address: registry,
      fromBlock: quantity(afterBlock + 1),
      toBlock: "latest",
      topics: [GRANTED, null, zeroPadValue(toBeHex(CUSTODIAN), 32)],
    },
  ]);
  return logs.length;
}

let dataDir: string | undefined;
afterAll(async () => {
  if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true });
});

describe("custos consent import across a kill -9 of its node and itself", () => {
  it("resumes after the restart without sending a landed row twice, and verifies clean", async () => {
    dataDir = await mkdtemp(join(tmpdir(), "custos-e2e-import-crash-"));
    const file = join(dataDir, "consents.csv");
    const lines = ["subject,documentHash"];
    for (let i = 0; i < ROWS; i++) {
      lines.push(`${keccak256(toBeHex(i, 32))},${keccak256(toBeHex(ROWS + i, 32))}`);
    }
    await writeFile(file, `${lines.join("\n")}\n`);
    const chainDir = join(dataDir, "node");
    const node = await spawnDevNode({ dataDir: chainDir });
    const keys = await node.devKeys();
    const recorder = keys.hospitals[0]?.recorder;
    if (recorder === undefined) throw new Error("the dev chain has no recorder");
    const registry = keys.contracts.consentRegistry;
    const startBlock = Number(await rpc<string>(node.rpcUrl, "eth_blockNumber", []));

    let importer: ChildProcess | undefined;
    const checkpointFile = `${file}.progress.json`;
    const killed = (async () => {
      // At a block of the import's grants that the checkpoint does not hold yet.
      for (let block = startBlock; ; ) {
        block = await committedBlockFrom(node, recorder.address, block);
        const onChain = await grantsOnChain(node, registry, startBlock);
        const written = await landedInCheckpoint(checkpointFile);
        if (onChain > written) break;
        if (onChain === ROWS) throw new Error("the import ended before the kill");
      }
      importer?.kill("SIGKILL");
      await node.kill();
    })();
    const first = await importCsv(file, node, recorder.privateKey, registry, [], (child) => {
      importer = child;
    });
    await killed;
    expect(first.signal).toBe("SIGKILL");
    const checkpoint = await readFile(checkpointFile, "utf8");
    expect(JSON.parse(checkpoint).sentAfterBlock).toBeGreaterThanOrEqual(startBlock);
    const inCheckpoint = LandedLines.fromCheckpoint(checkpoint).count;

    const restarted = await spawnDevNode({ dataDir: chainDir });
    try {
      // What landed after the checkpoint's last write (the block the kill followed at least)
      // must come back as recovered.
      const landedBeforeKill = await grantsOnChain(restarted, registry, startBlock);
      expect(landedBeforeKill).toBeGreaterThan(inCheckpoint);
      const resumed = await importCsv(file, restarted, recorder.privateKey, registry, ["--resume"]);
      expect(resumed.err).toBe("");
      expect(resumed.code).toBe(0);
      const report = JSON.parse(resumed.out);
      expect(report).toMatchObject({
        rows: ROWS,
        failed: [],
        skipped: inCheckpoint,
        recovered: landedBeforeKill - inCheckpoint,
        landed: ROWS - landedBeforeKill,
      });
      expect(report.verification).toMatchObject({ rows: ROWS, events: ROWS });
      expect(await grantsOnChain(restarted, registry, startBlock)).toBe(ROWS);
    } finally {
      await restarted.stop();
    }
  }, 180_000);
});
