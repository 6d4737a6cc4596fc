import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { hexlify, id, randomBytes } from "ethers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DevKeysFile } from "../../nodes/node/index.ts";
import { type NodeProcess, spawnDevNode } from "../../scripts/spawnDevNode.ts";
import { landedInCheckpoint, runCustosCli } from "./harness/runCustosCli.ts";

/**
 * `custos consent import` as a real process against a real node: Ctrl-C (SIGINT) in the
 * middle of a long import prints where it stopped and how to resume, and exits non-zero;
 * the printed command finishes the import. The terms name their purpose with a DUO word.
 */
// Enough chunks that the import is still sending when the first has landed and SIGINT comes.
const ROWS = 12_000;
let dataDir: string;
let node: NodeProcess;
let keys: DevKeysFile;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "custos-e2e-import-"));
  node = await spawnDevNode({ dataDir: join(dataDir, "node") });
  keys = await node.devKeys();
});

afterAll(async () => {
  expect(await node?.stop()).toBe(0);
  await rm(dataDir, { recursive: true, force: true });
});

const runCli = (args: readonly string[]) =>
  runCustosCli(args, { CUSTOS_RECORDER_KEY: keys.hospitals[0]?.recorder.privateKey ?? "" });

describe("custos consent import, interrupted", () => {
  it("prints where it stopped and how to resume on SIGINT, exits 130, and resumes", async () => {
    const file = join(dataDir, "consents.csv");
    const lines = Array.from(
      { length: ROWS },
      (_, i) => `${hexlify(randomBytes(32))},${id(`consent document ${i}`)}`,
    );
    await writeFile(file, ["subject,documentHash", ...lines].join("\n"));
    const args = [
      "consent",
      "import",
      file,
      "--terms",
      '{"purposes":"GRU","categories":"CONDITIONS"}',
      "--rpc",
      node.rpcUrl,
      "--registry",
      keys.contracts.consentRegistry,
    ];
    const first = runCli(args);
    // The checkpoint is written as the first window is sent (with the block it was sent
    // after), then as chunks land: interrupt once it holds a landed row.
    await expect
      .poll(() => landedInCheckpoint(`${file}.progress.json`), { timeout: 60_000, interval: 50 })
      .toBeGreaterThan(0);
    first.child.kill("SIGINT");
    const stopped = await first.done;
    expect(stopped.code, stopped.stderr).toBe(130);
    const report = JSON.parse(stopped.stdout);
    expect(report).toMatchObject({ rows: ROWS, interrupted: true, failed: [] });
    expect(report.landed).toBeGreaterThan(0);
    expect(report.landed).toBeLessThan(ROWS);
    expect(stopped.stderr).toContain(`interrupted: ${report.landed} of ${ROWS} rows landed`);
    expect(stopped.stderr).toContain(`from line ${report.landed + 2}`);
    const resume = /resume with: (.*)\n/.exec(stopped.stderr)?.[1];
    expect(resume).toContain("--resume");

    const second = runCli([...args, "--resume"]);
    const finished = await second.done;
    expect(finished.code, finished.stderr).toBe(0);
    expect(JSON.parse(finished.stdout)).toMatchObject({
      rows: ROWS,
      skipped: report.landed,
      landed: ROWS - report.landed,
      failed: [],
    });
  });
});
