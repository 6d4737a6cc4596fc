/**
 * `custos consent grant|revoke|show|import` through runCli against Hardhat's network served
 * over HTTP JSON-RPC in-process (127.0.0.1, random port).
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { HDNodeWallet, id, JsonRpcProvider, keccak256, toUtf8Bytes, ZeroAddress } from "ethers";
import hre from "hardhat";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createConsentCommand } from "../../../nodes/bin/commands/consent.ts";
import { runCli } from "../../../nodes/bin/runCli.ts";
import { deployContracts, Role } from "../../../scripts/deployContracts.ts";
import { canonicalHash } from "../../../src/canonical/index.ts";
import type { Bytes32 } from "../../../src/consent/index.ts";
import { ConsentImportRoot, parseConsentTerms } from "../../../src/consentImport/index.ts";
import { fixture } from "../../consent/fhir/consentFixtures.ts";

const MNEMONIC = "test test test test test test test test test test test junk";
const account = (i: number) => HDNodeWallet.fromPhrase(MNEMONIC, undefined, `m/44'/60'/0'/0/${i}`);
const MASTER_KEY = `0x${"3c".repeat(32)}`;
// Hospital A (organisation 1): admin account 1, consent recorder 3. Hospital B (2): 2 and 4.
const ADMIN_KEY_A = account(1).privateKey;
const RECORDER_KEY = account(3).privateKey;
const RECORDER_KEY_B = account(4).privateKey;
const fhirPath = (name: string) =>
  fileURLToPath(new URL(`../../fixtures/fhir-consent/${name}`, import.meta.url));
const pseudonym = (label: string) => keccak256(toUtf8Bytes(`cli:${label}`));
const docHash = (label: string) => keccak256(toUtf8Bytes(`doc:${label}`));

let server: Awaited<ReturnType<typeof hre.network.createServer>>;
let rpc: string;
let registry: string;
let dir: string;

beforeAll(async () => {
  server = await hre.network.createServer("default", "127.0.0.1", 0);
  const { address, port } = await server.listen();
  rpc = `http://${address}:${port}`;
  const provider = new JsonRpcProvider(rpc, undefined, { cacheTimeout: -1 });
  const deployer = account(0).connect(provider);
  const hospital = (i: number, name: string) => ({
    role: Role.Hospital,
    metadata: id(name),
    accounts: [account(i).address],
    recorders: [account(i + 2).address],
    validator: account(15 + i).address,
  });
  const deployed = await deployContracts(deployer, {
    organisations: [
      hospital(1, "Hospital A"),
      hospital(2, "Hospital B"),
      {
        role: Role.Regulator,
        metadata: id("Regulator"),
        accounts: [account(5).address],
        recorders: [],
        validator: ZeroAddress,
      },
      {
        role: Role.ReviewBoard,
        metadata: id("Review board"),
        accounts: [account(6).address],
        recorders: [],
        validator: ZeroAddress,
      },
    ],
    executionDelay: 1,
    votingPeriod: 100,
    requiredApprovals: 1,
  });
  registry = await deployed.registry.getAddress();
  provider.destroy();
  dir = await mkdtemp(join(tmpdir(), "custos-cli-"));
});

afterAll(async () => {
  await server?.close();
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

async function cli(
  args: readonly string[],
  options: { env?: Record<string, string | undefined>; tty?: boolean } = {},
) {
  const out: string[] = [];
  const err: string[] = [];
  const env = options.env ?? { CUSTOS_MASTER_KEY: MASTER_KEY, CUSTOS_RECORDER_KEY: RECORDER_KEY };
  const code = await runCli(
    ["consent", ...args],
    { stdout: (t) => void out.push(t), stderr: (t) => void err.push(t) },
    [createConsentCommand({ env, stderrIsTty: options.tty ?? false })],
  );
  return { code, out: out.join(""), err: err.join("") };
}

const chain = () => ["--rpc", rpc, "--registry", registry];
/** A read without a recorder key names the custodian hospital. */
const readChain = (custodian = 1) => [...chain(), "--custodian", String(custodian)];

describe("custos consent on a chain", () => {
  it("grants a FHIR consent, shows it, revokes it", async () => {
    const granted = await cli(["grant", fhirPath("research-ds-omop.json"), ...chain()]);
    expect(granted.err).toBe("");
    expect(granted.code).toBe(0);
    const tx = JSON.parse(granted.out);
    expect(tx).toMatchObject({
      custodian: 1,
      version: 1,
      documentHash: canonicalHash(fixture("research-ds-omop.json")),
    });
    expect(tx.transaction).toMatch(/^0x[0-9a-f]{64}$/);
    expect(granted.out).not.toContain(RECORDER_KEY.slice(2));

    const shown = await cli(["show", tx.subject, ...readChain()], { env: {} });
    expect(shown.code).toBe(0);
    expect(JSON.parse(shown.out)).toMatchObject({
      subject: tx.subject,
      status: "active",
      version: 1,
      custodian: 1,
      nonce: 1,
    });
    // With the recorder key set, show reads that recorder's hospital without --custodian.
    const derived = await cli(["show", tx.subject, ...chain()], {
      env: { CUSTOS_RECORDER_KEY: RECORDER_KEY },
    });
    expect(JSON.parse(derived.out)).toMatchObject({ status: "active", custodian: 1 });
    // Hospital B's records are apart: the same pseudonym is unknown there.
    const atB = await cli(["show", tx.subject, ...readChain(2)], { env: {} });
    expect(JSON.parse(atB.out)).toMatchObject({ status: "none", version: 0 });

    const revoked = await cli([
      "revoke",
      tx.subject,
      "--document-hash",
      docHash("revocation"),
      ...chain(),
    ]);
    expect(revoked.code).toBe(0);
    expect(JSON.parse(revoked.out)).toMatchObject({
      subject: tx.subject,
      version: 2,
      custodian: 1,
    });
    const after = await cli(["show", tx.subject, ...readChain()], { env: {} });
    expect(JSON.parse(after.out)).toMatchObject({ status: "revoked", version: 2 });

    const again = await cli([
      "revoke",
      tx.subject,
      "--document-hash",
      docHash("again"),
      ...chain(),
    ]);
    expect(again).toMatchObject({ code: 1, out: "" });
    expect(again.err).toMatch(/^error CONSENT_NOT_ACTIVE: /);
  });

  it("imports a CSV with a report of failed rows, a checkpoint and --resume", async () => {
    const existing = pseudonym("existing");
    await cli([
      "import",
      await writeCsv("seed.csv", [[existing, docHash("e")]]),
      "--terms",
      TERMS,
      ...chain(),
    ]);
    const file = await writeCsv("bulk.csv", [
      [pseudonym("a"), docHash("a")],
      ["0x1234", docHash("bad")],
      [pseudonym("b"), docHash("b")],
      [existing, docHash("e2")],
      [pseudonym("a"), docHash("a2")],
      [pseudonym("c"), docHash("c")],
    ]);
    const first = await cli(["import", file, "--terms", TERMS, "--progress", ...chain()]);
    expect(first.code).toBe(1);
    const report = JSON.parse(first.out);
    expect(report).toMatchObject({ rows: 6, skipped: 0, landed: 3 });
    expect(report.failed).toEqual([
      { line: 3, reason: "CONSENT_IMPORT_INVALID", problem: "subject must be bytes32 hex" },
      { line: 5, reason: "CONSENT_ALREADY_ACTIVE", subject: existing },
      { line: 6, reason: "CONSENT_IMPORT_INVALID", problem: "duplicate subject" },
    ]);
    expect(first.err).toMatch(/import \d+\.\d% \d+\/4 ETA /);
    expect(first.err).toContain("75.0% 3/4");
    // The chain holds another document for the subject granted before: the verification
    // names its line.
    expect(report.verification).toEqual({
      mismatch: {
        line: 5,
        field: "documentHash",
        check: "sample",
        expected: docHash("e2"),
        actual: docHash("e"),
      },
    });
    expect(first.err).toMatch(/^error CONSENT_IMPORT_VERIFY_MISMATCH: line 5: /m);
    expect(first.err).not.toContain(existing.slice(2));
    expect(JSON.parse(await readFile(`${file}.progress.json`, "utf8"))).toEqual({
      format: 2,
      landedRanges: [
        [2, 2],
        [4, 4],
        [7, 7],
      ],
      sentAfterBlock: expect.any(Number),
    });
    const shown = await cli(["show", pseudonym("c"), ...readChain()], { env: {} });
    expect(JSON.parse(shown.out)).toMatchObject({
      status: "active",
      purposes: 4 | 256,
      categories: 8,
      validFrom: 1_700_000_000,
    });

    await writeFile(file, `${await readFile(file, "utf8")}\n${pseudonym("d")},${docHash("d")}\n`);
    const resumed = await cli([
      "import",
      file,
      "--terms",
      TERMS,
      "--resume",
      "--no-verify",
      ...chain(),
    ]);
    const second = JSON.parse(resumed.out);
    expect(second).toMatchObject({ rows: 7, skipped: 3, landed: 1 });
    expect(second.verification).toBeUndefined();
    expect(second.failed.map((f: { line: number }) => f.line)).toEqual([3, 5, 6]);
    expect(resumed.err).toBe(""); // no progress bar without a terminal or --progress
  });

  it("imports a CSV with a BOM, CRLF line ends, quoted commas and a bad line in the middle", async () => {
    const lines = ['\uFEFFsubject,"note, free text",documentHash'];
    for (let i = 0; i < 40; i++) {
      lines.push(`"${pseudonym(`excel ${i}`)}","Ward 7, bed ${i}",${docHash(`excel ${i}`)}`);
    }
    lines[20] = `"${pseudonym("excel bad")}"x,"a, b",${docHash("excel bad")}`;
    const file = join(dir, "excel.csv");
    await writeFile(file, `${lines.join("\r\n")}\r\n`);
    const run = await cli(["import", file, "--terms", TERMS, "--verify-seed", "3", ...chain()]);
    expect(run.code).toBe(1);
    const root = new ConsentImportRoot();
    for (let i = 0; i < 40; i++) {
      if (i === 19) continue;
      root.add(pseudonym(`excel ${i}`) as Bytes32, {
        status: "active",
        ...parseConsentTerms(TERMS),
        custodian: 1,
      });
    }
    expect(JSON.parse(run.out)).toEqual({
      file,
      rows: 40,
      skipped: 0,
      landed: 39,
      recovered: 0,
      failed: [
        {
          line: 21,
          reason: "CONSENT_IMPORT_INVALID",
          problem: "malformed CSV (CSV_INVALID_CLOSING_QUOTE)",
        },
      ],
      verification: {
        rows: 39,
        events: expect.any(Number),
        sampled: 39,
        seed: 3,
        root: root.root(),
      },
    });
    expect(JSON.parse(await readFile(`${file}.progress.json`, "utf8"))).toEqual({
      format: 2,
      landedRanges: [
        [2, 20],
        [22, 41],
      ],
      sentAfterBlock: expect.any(Number),
    });
    for (const i of [0, 18, 20, 39]) {
      const shown = await cli(["show", pseudonym(`excel ${i}`), ...readChain()], { env: {} });
      expect(JSON.parse(shown.out)).toMatchObject({ status: "active", version: 1 });
    }
    const skipped = await cli(["show", pseudonym("excel bad"), ...readChain()], { env: {} });
    expect(JSON.parse(skipped.out)).toMatchObject({ status: "none" });
  });

  it("verifies after an import, and --verify-only finds a row changed since", async () => {
    const rows = Array.from({ length: 30 }, (_, i) => [
      pseudonym(`verified ${i}`),
      docHash(`verified ${i}`),
    ]);
    const file = await writeCsv("verified.csv", rows);
    const imported = await cli([
      "import",
      file,
      "--terms",
      TERMS,
      "--verify-sample",
      "10",
      ...chain(),
    ]);
    expect(imported.code).toBe(0);
    const report = JSON.parse(imported.out);
    expect(report.verification).toMatchObject({ rows: 30, sampled: 10 });
    expect(report.verification.seed).toBeGreaterThanOrEqual(0);

    const again = await cli([
      "import",
      file,
      "--terms",
      TERMS,
      "--verify-only",
      "--verify-seed",
      String(report.verification.seed),
      "--verify-sample",
      "10",
      ...readChain(),
    ]);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.out)).toEqual({ file, verification: report.verification });
    expect(again.err).toBe("");

    await cli([
      "revoke",
      pseudonym("verified 17"),
      "--document-hash",
      docHash("verified 17 revoked"),
      ...chain(),
    ]);
    const byIndex = await cli([
      "import",
      file,
      "--terms",
      TERMS,
      "--verify-only",
      "--verify-sample",
      "0",
      "--progress",
      ...readChain(),
    ]);
    expect(byIndex.code).toBe(1);
    const mismatch = { line: 19, field: "status", expected: "active", actual: "revoked" };
    expect(JSON.parse(byIndex.out).verification).toEqual({
      mismatch: { ...mismatch, check: "index" },
    });
    expect(byIndex.err).toContain("verify: reading consent events:");
    expect(byIndex.err).toMatch(/^error CONSENT_IMPORT_VERIFY_MISMATCH: line 19: status /m);
    const bySample = await cli(["import", file, "--terms", TERMS, "--verify-only", ...readChain()]);
    expect(JSON.parse(bySample.out).verification).toEqual({
      mismatch: { ...mismatch, check: "sample" },
    });

    const skipped = await cli([
      "import",
      file,
      "--terms",
      TERMS,
      "--resume",
      "--no-verify",
      ...chain(),
    ]);
    expect(skipped.code).toBe(0);
    expect(JSON.parse(skipped.out)).toMatchObject({ rows: 30, skipped: 30, landed: 0 });
    expect(JSON.parse(skipped.out).verification).toBeUndefined();
    const both = await cli([
      "import",
      file,
      "--terms",
      TERMS,
      "--verify-only",
      "--no-verify",
      ...chain(),
    ]);
    expect(both.code).toBe(2);
    expect(both.err).toMatch(/^error CLI_USAGE: --verify-only and --no-verify exclude each other/);
  });

  it("imports NDJSON and reports a clean run with exit code 0", async () => {
    const file = join(dir, "rows.ndjson");
    await writeFile(
      file,
      [pseudonym("n1"), pseudonym("n2")]
        .map((s, i) => JSON.stringify({ subject: s, documentHash: docHash(`n${i}`) }))
        .join("\n"),
    );
    const run = await cli(["import", file, "--terms", TERMS, ...chain()], { tty: true });
    expect(run.code).toBe(0);
    expect(JSON.parse(run.out)).toMatchObject({ rows: 2, landed: 2, failed: [] });
    expect(run.err).toContain("100.0% 2/2");
  });

  it("takes a DUO word and a category name as terms, as the help says", async () => {
    const subject = pseudonym("word terms");
    const run = await cli([
      "import",
      await writeCsv("words.csv", [[subject, docHash("words")]]),
      "--terms",
      '{"purposes":"GRU","categories":["conditions","DRUGS"]}',
      ...chain(),
    ]);
    expect(run.code).toBe(0);
    const shown = await cli(["show", subject, ...readChain()], { env: {} });
    expect(JSON.parse(shown.out)).toMatchObject({ purposes: 2, categories: 4 | 8 });
  });

  it("stops an import at an interrupt, says where and how to resume, and exits 130", async () => {
    const rows = Array.from({ length: 1200 }, (_, i) => [
      pseudonym(`interrupted ${i}`),
      docHash(`interrupted ${i}`),
    ]);
    const file = await writeCsv("interrupted.csv", rows);
    let stop: (() => void) | undefined;
    let listening = false;
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli(
      ["consent", "import", file, "--terms", TERMS, "--progress", ...chain()],
      {
        stdout: (t) => void out.push(t),
        stderr: (t) => {
          err.push(t);
          // The progress line is drawn when the first chunk lands: interrupt there.
          if (t.includes("import ")) stop?.();
        },
      },
      [
        createConsentCommand({
          env: { CUSTOS_RECORDER_KEY: RECORDER_KEY },
          stderrIsTty: false,
          onInterrupt: (callback) => {
            stop = callback;
            listening = true;
            return () => {
              listening = false;
            };
          },
        }),
      ],
    );
    expect(code).toBe(130);
    expect(listening).toBe(false);
    const report = JSON.parse(out.join(""));
    expect(report).toMatchObject({ rows: 1200, interrupted: true, failed: [] });
    expect(report.landed).toBeGreaterThan(0);
    expect(report.landed + report.notLanded).toBe(1200);
    const message = err.join("");
    expect(message).toContain(`checkpoint ${file}.progress.json`);
    expect(message).toContain(`from line ${report.landed + 2}`);
    expect(message).toMatch(
      /resume with: custos consent import \S*interrupted\.csv --terms '.*' --progress .*--resume\n$/,
    );

    const resumed = await cli(["import", file, "--terms", TERMS, "--resume", ...chain()]);
    expect(resumed.code).toBe(0);
    expect(JSON.parse(resumed.out)).toMatchObject({
      rows: 1200,
      skipped: report.landed,
      landed: 1200 - report.landed,
      failed: [],
    });
  });

  it("works on the recorder's hospital: an explicit --custodian is checked, admin keys are refused", async () => {
    const subject = pseudonym("custodians");
    const byB = await cli(
      ["import", await writeCsv("b.csv", [[subject, docHash("b")]]), "--terms", TERMS, ...chain()],
      { env: { CUSTOS_RECORDER_KEY: RECORDER_KEY_B } },
    );
    expect(byB.code).toBe(0);
    // The same pseudonym at hospital A is another record: A grants it independently.
    const byA = await cli([
      "import",
      await writeCsv("a.csv", [[subject, docHash("a")]]),
      "--terms",
      TERMS,
      ...chain(),
      "--custodian",
      "1",
    ]);
    expect(JSON.parse(byA.out)).toMatchObject({ landed: 1, failed: [] });
    const atB = await cli(["show", subject, ...readChain(2)], { env: {} });
    expect(JSON.parse(atB.out)).toMatchObject({ status: "active", custodian: 2, version: 1 });

    // Hospital A's recorder may not write hospital B's records.
    const foreign = await cli([
      "revoke",
      subject,
      "--document-hash",
      docHash("r"),
      ...chain(),
      "--custodian",
      "2",
    ]);
    expect(foreign).toMatchObject({ code: 1, out: "" });
    expect(foreign.err).toMatch(
      /^error MEMBERSHIP_DENIED: .* records for hospital 1, not for --custodian 2/,
    );
    // An admin account is no recorder.
    const admin = await cli(["revoke", subject, "--document-hash", docHash("r"), ...chain()], {
      env: { CUSTOS_RECORDER_KEY: ADMIN_KEY_A },
    });
    expect(admin.err).toMatch(/^error MEMBERSHIP_DENIED: .* is an admin account of organisation 1/);
    // A key bound nowhere.
    const stranger = await cli(["revoke", subject, "--document-hash", docHash("r"), ...chain()], {
      env: { CUSTOS_RECORDER_KEY: account(9).privateKey },
    });
    expect(stranger.err).toMatch(/^error MEMBERSHIP_DENIED: .* is not bound to any organisation/);
    const after = await cli(["show", subject, ...readChain(2)], { env: {} });
    expect(JSON.parse(after.out)).toMatchObject({ status: "active" });

    expect((await cli(["show", subject, ...chain()], { env: {} })).err).toBe(
      "error CLI_USAGE: --custodian is required when CUSTOS_RECORDER_KEY is not set (see custos consent --help)\n",
    );
    expect((await cli(["show", subject, ...chain(), "--custodian", "0"])).err).toBe(
      "error CLI_USAGE: --custodian must be an integer from 1 to 4294967295 (see custos consent --help)\n",
    );
  });

  it("refuses without the recorder key, with a malformed key (never echoed) or bad options", async () => {
    const missing = await cli(
      ["revoke", pseudonym("x"), "--document-hash", docHash("x"), ...chain()],
      { env: {} },
    );
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/^error CONFIG_INVALID: CUSTOS_RECORDER_KEY is not set/);

    const secret = `0x${"ab".repeat(31)}`;
    const malformed = await cli(
      ["revoke", pseudonym("x"), "--document-hash", docHash("x"), ...chain()],
      { env: { CUSTOS_RECORDER_KEY: secret } },
    );
    expect(malformed.err).toBe(
      "error CONFIG_INVALID: CUSTOS_RECORDER_KEY is not a valid private key\n",
    );
    expect(malformed.err + malformed.out).not.toContain("abab");

    expect((await cli(["show", pseudonym("x"), "--registry", registry])).err).toBe(
      "error CLI_USAGE: --rpc is required (see custos consent --help)\n",
    );
    expect((await cli(["show", "0x12", ...chain()])).err).toBe(
      "error INVALID_ARGUMENT: pseudonym must be 0x-prefixed bytes32 hex\n",
    );
    const badTerms = await cli([
      "import",
      await writeCsv("t.csv", []),
      "--terms",
      '{"purposes":["XYZ"],"categories":["DRUGS"]}',
      ...chain(),
    ]);
    expect(badTerms.code).toBe(1);
    expect(badTerms.err).toMatch(/^error CONSENT_TERMS_UNKNOWN_CODE: /);
    const badHeader = join(dir, "h.csv");
    await writeFile(badHeader, "pseudonym,hash\n");
    expect((await cli(["import", badHeader, "--terms", TERMS, ...chain()])).err).toBe(
      "error CONSENT_IMPORT_INVALID: the CSV header must name the columns subject and documentHash\n",
    );
  });
});

const TERMS = JSON.stringify({
  purposes: ["HMB", "NCU"],
  categories: ["DRUGS"],
  validFrom: 1_700_000_000,
});

async function writeCsv(name: string, rows: readonly (readonly string[])[]): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, ["subject,documentHash", ...rows.map((r) => r.join(","))].join("\n"));
  return file;
}
