import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAuditCommand } from "../../../nodes/bin/commands/audit.ts";
import { runCli } from "../../../nodes/bin/runCli.ts";
import type { ProofDocument } from "../../../src/auditProof/index.ts";
import { type DevChainScenario, runDevChainScenario } from "../../auditProof/devChainScenario.ts";
import { captureIo } from "./captureIo.ts";

let chain: DevChainScenario;
let dir: string;

beforeAll(async () => {
  chain = await runDevChainScenario();
  dir = await mkdtemp(join(tmpdir(), "custos-audit-cli-"));
}, 120_000);
afterAll(async () => {
  await chain?.stop();
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

async function audit(args: readonly string[]): Promise<{ code: number; out: string; err: string }> {
  const c = captureIo();
  const code = await runCli(["audit", ...args], c.io, [createAuditCommand()]);
  return { code, out: c.out(), err: c.err() };
}

const rpc = () => ["--rpc", chain.node.rpcUrl, "--genesis", chain.genesisFile];

describe("custos audit prove and verify", () => {
  it("proves a consent grant into a file and verifies it offline against the genesis", async () => {
    const file = join(dir, "grant.json");
    const proved = await audit([
      "prove",
      "--tx",
      chain.receipts.grant.hash,
      "--out",
      file,
      ...rpc(),
    ]);
    expect(proved).toMatchObject({ code: 0, err: "" });
    expect(proved.out).toBe(`wrote ${file}: 1 events in 1 blocks, 0 validator-set changes\n`);
    const verified = await audit(["verify", file, "--genesis", chain.genesisFile]);
    expect(verified.code).toBe(0);
    expect(verified.out).toMatch(
      /^verified: 1 events in 1 blocks, through 0 validator-set changes, against chain \d+ from block 0 \(4 validators\)$/m,
    );
    expect(verified.out).toContain(
      `block ${chain.receipts.grant.blockNumber} ${chain.receipts.grant.blockHash}`,
    );
    expect(verified.out).toContain(
      `tx ${chain.receipts.grant.hash} log 0 ConsentRegistry.ConsentGranted`,
    );
  });

  it("proves a query's AccessLedger events to standard output and prints them as JSON", async () => {
    const proved = await audit(["prove", "--query", chain.queryId.toString(), ...rpc()]);
    expect(proved.code).toBe(0);
    const file = join(dir, "query.json");
    await writeFile(file, proved.out);
    const verified = await audit(["verify", file, "--genesis", chain.genesisFile, "--json"]);
    expect(verified.code).toBe(0);
    const events = JSON.parse(verified.out) as { event: string; transactionHash: string }[];
    expect(events.map((e) => e.event)).toEqual([
      "QuerySubmitted",
      "QueryApproved",
      "ResultRecorded",
      "QueryDeclined",
      "QueryClosed",
    ]);
    const { submit, approve, record, decline, close } = chain.receipts;
    expect(events.map((e) => e.transactionHash)).toEqual(
      [submit, approve, record, decline, close].map((r) => r.hash),
    );
  });

  it("proves one log of a transaction after a validator-set change, and from a checkpoint", async () => {
    const { execute, grantAfterChange } = chain.receipts;
    const logIndex = execute.logs[execute.logs.length - 1]?.index as number;
    const file = join(dir, "later.json");
    const proved = await audit(["prove", "--tx", grantAfterChange.hash, "--out", file, ...rpc()]);
    expect(proved.out).toMatch(/1 validator-set changes/);
    const verified = await audit(["verify", file, "--genesis", chain.genesisFile]);
    expect(verified.out).toMatch(/through 1 validator-set changes/);

    const one = await audit([
      "prove",
      "--tx",
      execute.hash,
      "--log-index",
      String(logIndex),
      ...rpc(),
    ]);
    const proof = JSON.parse(one.out) as ProofDocument;
    expect(proof.blocks[0]?.logs.map((log) => Number(log.logIndex))).toEqual([logIndex]);

    const fromCheckpoint = join(dir, "checkpoint.json");
    const checkpoint = String(chain.changeBlock + 2);
    await audit([
      "prove",
      "--tx",
      grantAfterChange.hash,
      "--from-block",
      checkpoint,
      "--out",
      fromCheckpoint,
      ...rpc(),
    ]);
    const validators = [...chain.anchor.validators, chain.fifthValidator].join(",");
    const anchored = await audit([
      "verify",
      fromCheckpoint,
      "--genesis",
      chain.genesisFile,
      "--checkpoint-block",
      checkpoint,
      "--checkpoint-validators",
      validators,
    ]);
    expect(anchored.code).toBe(0);
    expect(anchored.out).toMatch(
      new RegExp(
        `through 0 validator-set changes, against chain \\d+ from block ${checkpoint} \\(5 validators\\)`,
      ),
    );
  });

  it("names the failing link of a tampered proof and exits with 1", async () => {
    const proved = await audit(["prove", "--tx", chain.receipts.revoke.hash, ...rpc()]);
    const proof = JSON.parse(proved.out) as ProofDocument;
    const block = proof.blocks[0] as ProofDocument["blocks"][number];
    const node = block.receiptNodes[0] as string;
    const flipped = `${node.slice(0, -2)}${node.endsWith("00") ? "01" : "00"}`;
    const tampered = {
      ...proof,
      blocks: [{ ...block, receiptNodes: [flipped, ...block.receiptNodes.slice(1)] }],
    };
    const file = join(dir, "tampered.json");
    await writeFile(file, JSON.stringify(tampered));
    const verified = await audit(["verify", file, "--genesis", chain.genesisFile]);
    expect(verified.code).toBe(1);
    expect(verified.out).toBe("");
    expect(verified.err).toMatch(
      /^error AUDIT_PROOF_INVALID: proof link receiptsRoot fails at blocks\[0\] \(block \d+\): /,
    );
    await writeFile(file, "{ not json");
    expect((await audit(["verify", file, "--genesis", chain.genesisFile])).err).toMatch(
      /^error AUDIT_PROOF_INVALID: proof link format fails/,
    );
    expect(
      (await audit(["verify", join(dir, "absent.json"), "--genesis", chain.genesisFile])).err,
    ).toMatch(/^error INVALID_ARGUMENT: /);
  });

  it("refuses bad command lines with exit 2, and an event not on the chain with exit 1", async () => {
    const usage = [
      ["prove", ...rpc()],
      ["prove", "--tx", chain.receipts.grant.hash, "--query", "1", ...rpc()],
      ["prove", "--query", "1", "--log-index", "0", ...rpc()],
      ["prove", "--tx", "0x1234", ...rpc()],
      ["prove", "--query", "one", ...rpc()],
      ["prove", "--query", "1", "--rpc", "ftp://x"],
      ["verify", join(dir, "grant.json")],
      [
        "verify",
        join(dir, "grant.json"),
        "--genesis",
        chain.genesisFile,
        "--checkpoint-block",
        "3",
      ],
      ["nope"],
    ];
    for (const args of usage) {
      const { code, err } = await audit(args);
      expect(code, args.join(" ")).toBe(2);
      expect(err).toMatch(/^error CLI_USAGE: /);
    }
    const missing = await audit(["prove", "--tx", `0x${"ab".repeat(32)}`, ...rpc()]);
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/^error AUDIT_PROOF_TARGET_NOT_FOUND: /);
    const help = await audit(["--help"]);
    expect(help.out).toContain("audit prove");
    expect(help.out).toContain("audit verify");
  });
});
