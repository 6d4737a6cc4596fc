import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { id, JsonRpcProvider, keccak256, toBeHex, Wallet } from "ethers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DevKeysFile } from "../../nodes/node/index.ts";
import { type NodeProcess, spawnDevNode } from "../../scripts/spawnDevNode.ts";
import type { Bytes32 } from "../../src/consent/index.ts";
import { ConsentImportRoot, parseConsentTerms } from "../../src/consentImport/index.ts";
import { landedInCheckpoint, runCustosCli } from "./harness/runCustosCli.ts";

/**
 * `custos consent import` with several blocks in flight, as a real process against a real
 * dev node (1 s blocks, 30 M gas): interrupted by SIGINT in the middle, resumed with the
 * printed command, and ended by a clean verification pass whose consent-index root is the
 * one computed here from the file. The chain shows the transactions in flight: blocks holding
 * two of the import's transactions, which one-at-a-time sending never gives.
 */
const ROWS = 3000;
const TERMS = '{"purposes":"GRU","categories":"CONDITIONS"}';
let dataDir: string;
let node: NodeProcess;
let keys: DevKeysFile;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "custos-e2e-inflight-"));
  node = await spawnDevNode({ dataDir: join(dataDir, "node") });
  keys = await node.devKeys();
});

afterAll(async () => {
  expect(await node?.stop()).toBe(0);
  await rm(dataDir, { recursive: true, force: true });
});

const runCli = (args: readonly string[]) =>
  runCustosCli(args, { CUSTOS_RECORDER_KEY: keys.hospitals[0]?.recorder.privateKey ?? "" });

/** Splits `resume with: …` back into arguments (the CLI quotes with single quotes). */
function shellWords(line: string): string[] {
  return [...line.matchAll(/'((?:[^']|'\\'')*)'|(\S+)/g)].map((m) =>
    m[1] === undefined ? (m[2] as string) : m[1].replaceAll("'\\''", "'"),
  );
}

describe("custos consent import with blocks in flight", () => {
  it("is interrupted mid-way, resumes from the printed command and verifies clean", async () => {
    const file = join(dataDir, "consents.csv");
    const subjects = Array.from({ length: ROWS }, (_, i) => keccak256(toBeHex(i + 1, 32)));
    const lines = subjects.map((s, i) => `${s},${id(`consent document ${i}`)}`);
    await writeFile(file, ["subject,documentHash", ...lines].join("\n"));
    const first = runCli([
      "consent",
      "import",
      file,
      "--terms",
      TERMS,
      "--rpc",
      node.rpcUrl,
      "--registry",
      keys.contracts.consentRegistry,
      "--blocks-in-flight",
      "4",
      "--verify-sample",
      "200",
      "--progress",
    ]);
    // Interrupt once a row has landed (the checkpoint is written first as a window is sent).
    await expect
      .poll(() => landedInCheckpoint(`${file}.progress.json`), { timeout: 60_000, interval: 50 })
      .toBeGreaterThan(0);
    first.child.kill("SIGINT");
    const stopped = await first.done;
    expect(stopped.code, stopped.stderr).toBe(130);
    const report = JSON.parse(stopped.stdout);
    expect(report).toMatchObject({ rows: ROWS, interrupted: true, failed: [] });
    expect(report.verification).toBeUndefined();
    expect(report.landed).toBeGreaterThan(0);
    expect(report.landed).toBeLessThan(ROWS);
    expect(stopped.stderr).toMatch(/import \d+\.\d% \d+\/3000 ETA \S+ \(\S+ rows\/s\)/);
    expect(stopped.stderr).toContain(`from line ${report.landed + 2}`);
    const resume = /resume with: (.*)\n/.exec(stopped.stderr)?.[1] ?? "";
    const resumeArgs = shellWords(resume);
    expect(resumeArgs.slice(0, 3)).toEqual(["custos", "consent", "import"]);
    expect(resumeArgs).toContain("--resume");

    const second = runCli(resumeArgs.slice(1));
    const finished = await second.done;
    expect(finished.code, finished.stderr).toBe(0);
    const resumed = JSON.parse(finished.stdout);
    const root = new ConsentImportRoot();
    for (const subject of subjects) {
      root.add(subject as Bytes32, { status: "active", ...parseConsentTerms(TERMS), custodian: 1 });
    }
    expect(resumed).toMatchObject({
      rows: ROWS,
      skipped: report.landed,
      landed: ROWS - report.landed,
      failed: [],
      verification: { rows: ROWS, events: ROWS, sampled: 200, root: root.root() },
    });
    expect(finished.stderr).toMatch(
      /^imported \d+ rows in \S+ \(\d+ rows\/s\); 0 failed, \d+ skipped$/m,
    );
    expect(finished.stderr).toContain(`verified: ${ROWS} rows against the consent index`);

    // Several blocks in flight: some block holds two of the recorder's transactions.
    const provider = new JsonRpcProvider(node.rpcUrl, undefined, { cacheTimeout: -1 });
    try {
      const recorder = new Wallet(keys.hospitals[0]?.recorder.privateKey ?? "").address;
      const head = await provider.getBlockNumber();
      let most = 0;
      for (let number = 1; number <= head; number++) {
        const block = await provider.getBlock(number, true);
        const ours = block?.prefetchedTransactions.filter((tx) => tx.from === recorder) ?? [];
        most = Math.max(most, ours.length);
      }
      expect(most).toBeGreaterThanOrEqual(2);
    } finally {
      provider.destroy();
    }
  });
});
