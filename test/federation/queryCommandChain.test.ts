/**
 * `custos query submit|approve|status|show` through runCli against Hardhat's network served
 * over HTTP JSON-RPC in-process, with two data services speaking the protocol on 127.0.0.1:
 * hospital 1 records a signed result once the query is approved, hospital 2 declines it.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HDNodeWallet, id, JsonRpcProvider, ZeroAddress } from "ethers";
import hre from "hardhat";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { QueryCommandOptions } from "../../nodes/bin/commands/query/QueryCommandContext.ts";
import { createQueryCommand } from "../../nodes/bin/commands/query.ts";
import { runCli } from "../../nodes/bin/runCli.ts";
import { deployContracts, Role } from "../../scripts/deployContracts.ts";
import type { Bytes32 } from "../../src/consent/index.ts";
import {
  declineReasons,
  type FederatedQueryReport,
  type SignedQueryResult,
  signQueryResult,
} from "../../src/federation/index.ts";
import { createAccessLedgerClient } from "../../src/ledger/index.ts";
import { querySpecHash } from "../../src/query/index.ts";
import { resultDocument, spec, specHash } from "./federationFixtures.ts";
import { refuse, type SignedTestServer, startSignedTestServer } from "./signedTestServer.ts";

const MNEMONIC = "test test test test test test test test test test test junk";
const account = (i: number) => HDNodeWallet.fromPhrase(MNEMONIC, undefined, `m/44'/60'/0'/0/${i}`);
// Hospital 1: admin 1, recorder 3; hospital 2: admin 2, recorder 4; researcher 5; board 6.
const RESEARCHER = account(5);
const BOARD = account(6);

let chainServer: Awaited<ReturnType<typeof hre.network.createServer>>;
let rpcUrl: string;
let provider: JsonRpcProvider;
let ledgerAddress: string;
let dir: string;
const services: SignedTestServer[] = [];

/** A data service for `hospitalId` that answers once the query is approved. */
async function dataService(hospitalId: number, answer: "record" | "decline") {
  const recorder = account(hospitalId + 2).connect(provider);
  const ledger = createAccessLedgerClient({ address: ledgerAddress, runner: recorder });
  const results = new Map<string, SignedQueryResult>();
  const specs = new Set<string>();
  const act = async (queryId: string) => {
    const query = await ledger.query(BigInt(queryId));
    const response = await ledger.responseOf(query.id, hospitalId);
    if (query.status !== "approved" || response.status !== "none") return;
    if (answer === "decline") {
      await ledger.declineQuery(query.id, hospitalId, declineReasons.cohortTooSmall);
      return;
    }
    const document = resultDocument(
      hospitalId,
      { n: 120, bmi: { n: null, mean: null, variance: null, withheld: "minN" } },
      {
        queryId,
        researcher: RESEARCHER.address.toLowerCase() as `0x${string}`,
        consent: {
          block: Number(query.submittedBlock),
          root: id("root") as `0x${string}`,
          subjectCount: 1_000,
        },
      },
    );
    const signed = await signQueryResult(recorder, document);
    await ledger.recordResult(query.id, hospitalId, {
      resultHash: signed.resultHash as Bytes32,
      consentBlock: query.submittedBlock,
      consentRoot: document.consent.root as Bytes32,
      subjectCount: document.consent.subjectCount,
      disclosureReportHash: document.disclosureReportHash as Bytes32,
      epsilon: 0n,
    });
    results.set(queryId, signed);
  };
  const state = async (queryId: string) => {
    const response = await ledger.responseOf(BigInt(queryId), hospitalId);
    if (response.status !== "none") return response.status;
    return specs.has(queryId) ? "queued" : "awaiting-spec";
  };
  const server = await startSignedTestServer({
    researcher: RESEARCHER.address,
    putSpec: async (request, reply) => {
      const hash = querySpecHash(JSON.parse(Buffer.from(request.body as Buffer).toString("utf8")));
      const query = await ledger.query(BigInt(request.params.id));
      if (hash !== query.specHash) {
        return refuse(reply, "FEDERATION_SPEC_MISMATCH", {
          specHash: hash,
          onChain: query.specHash,
        });
      }
      specs.add(request.params.id);
      return reply
        .code(202)
        .send({ queryId: request.params.id, state: await state(request.params.id) });
    },
    job: async (request) => {
      if (specs.has(request.params.id)) await act(request.params.id);
      return {
        queryId: request.params.id,
        state: await state(request.params.id),
        reason: null,
        attempts: 0,
      };
    },
    result: async (request, reply) => {
      const signed = results.get(request.params.id);
      if (signed !== undefined) return signed;
      const status = await state(request.params.id);
      return status === "declined"
        ? refuse(reply, "DATA_SERVICE_QUERY_REFUSED", { reasonCode: 7, reason: "cohortTooSmall" })
        : refuse(reply, "DATA_SERVICE_RESULT_PENDING", { state: status });
    },
  });
  services.push(server);
  return server.url;
}

async function config(name: string, key: string) {
  await writeFile(join(dir, `${name}.key`), key.slice(2));
  const path = join(dir, `${name}.json`);
  await writeFile(
    path,
    JSON.stringify({
      rpcUrl,
      keyFile: `${name}.key`,
      contracts: { accessLedger: ledgerAddress },
      hospitals: {
        "1": { name: "St Mary", dataService: await dataService(1, "record") },
        "2": { name: "General", dataService: await dataService(2, "decline") },
      },
    }),
  );
  return path;
}

let researcherConfig: string;
let boardConfig: string;

async function cli(args: readonly string[], options: QueryCommandOptions = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(
    ["query", ...args],
    { stdout: (t) => void out.push(t), stderr: (t) => void err.push(t) },
    [createQueryCommand(options)],
  );
  return { code, out: out.join(""), err: err.join("") };
}

beforeAll(async () => {
  chainServer = await hre.network.createServer("default", "127.0.0.1", 0);
  const { address, port } = await chainServer.listen();
  rpcUrl = `http://${address}:${port}`;
  provider = new JsonRpcProvider(rpcUrl, undefined, { cacheTimeout: -1 });
  const hospital = (i: number, name: string) => ({
    role: Role.Hospital,
    metadata: id(name),
    accounts: [account(i).address],
    recorders: [account(i + 2).address],
    validator: account(15 + i).address,
  });
  const other = (role: (typeof Role)[keyof typeof Role], i: number, name: string) => ({
    role,
    metadata: id(name),
    accounts: [account(i).address],
    recorders: [],
    validator: ZeroAddress,
  });
  const deployed = await deployContracts(account(0).connect(provider), {
    organisations: [
      hospital(1, "St Mary"),
      hospital(2, "General"),
      other(Role.Researcher, 5, "Researchers"),
      other(Role.ReviewBoard, 6, "Review board"),
    ],
    executionDelay: 1,
    votingPeriod: 100,
    requiredApprovals: 1,
  });
  ledgerAddress = await deployed.ledger.getAddress();
  dir = await mkdtemp(join(tmpdir(), "custos-query-chain-"));
  await writeFile(join(dir, "spec.json"), JSON.stringify(spec));
  researcherConfig = await config("researcher", RESEARCHER.privateKey);
  boardConfig = await config("board", BOARD.privateKey);
});

afterAll(async () => {
  for (const service of services) await service.close();
  provider?.destroy();
  await chainServer?.close();
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

const approval = id("ethics approval");

describe("custos query on a chain", () => {
  it("submits, is approved, shows status, and verifies and pools the results", async () => {
    const submitted = await cli([
      "submit",
      join(dir, "spec.json"),
      "--config",
      researcherConfig,
      "--hospitals",
      "1,2",
      "--approval",
      approval,
      "--no-wait",
    ]);
    expect(submitted.code).toBe(0);
    const status = JSON.parse(submitted.out);
    expect(status).toMatchObject({
      queryId: "1",
      specHash,
      status: "submitted",
      requiredApprovals: 1,
    });
    expect(status.hospitals.map((h: { job: { state: string } }) => h.job.state)).toEqual([
      "queued",
      "queued",
    ]);
    expect(submitted.err).toContain("query 1: awaiting approval (0 of 1 review board approvals)");
    expect(submitted.err).toContain("hospital 1 (St Mary): job queued");
    // The spec is kept by its hash for show.
    expect(JSON.parse(await readFile(join(dir, "queries", `${specHash}.json`), "utf8"))).toEqual(
      spec,
    );

    const approved = await cli(["approve", "1", "--config", boardConfig]);
    expect(approved.code).toBe(0);
    expect(JSON.parse(approved.out)).toMatchObject({
      queryId: "1",
      status: "approved",
      approvals: 1,
    });

    const shown = await cli(["status", "1", "--config", researcherConfig]);
    expect(shown.code).toBe(0);
    expect(JSON.parse(shown.out).hospitals).toMatchObject([
      { hospitalId: 1, chain: "none", job: { state: "recorded" } },
      { hospitalId: 2, chain: "none", job: { state: "declined" } },
    ]);

    const result = await cli(["show", "1", "--config", researcherConfig, "--min-sites", "1"]);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.out) as FederatedQueryReport;
    expect(report.hospitals).toEqual([
      expect.objectContaining({ hospitalId: 1, status: "verified", subjectCount: 1_000 }),
      { hospitalId: 2, status: "declined", reasonCode: 7, reason: "cohortTooSmall" },
    ]);
    expect(report.partial).toBe(true);
    expect(report.pooled?.measures.find((m) => m.name === "n")).toMatchObject({ value: 120 });
    expect(result.err).toContain("query 1: PARTIAL result — 1 of 2 hospitals contributed");
    expect(result.err).toContain(
      "hospital 1 (St Mary): verified, 1,000 consenting subjects; withheld bmi (minN)",
    );
    expect(result.err).toContain("hospital 2 (General): declined — cohortTooSmall (reason code 7)");
    expect(result.err).toContain("n (count): 120");

    const twoSites = await cli(["show", "1", "--config", researcherConfig]);
    expect(JSON.parse(twoSites.out).notPooled).toEqual({
      code: "FEDERATION_TOO_FEW_SITES",
      verified: 1,
      minimum: 2,
    });
    expect(twoSites.err).toContain("nothing pooled: 1 verified result(s), at least 2 needed");
  });

  it("waits for the answers when submitting without --no-wait", async () => {
    let approvedOnce = false;
    const { code, out, err } = await cli(
      [
        "submit",
        join(dir, "spec.json"),
        "--config",
        researcherConfig,
        "--hospitals",
        "1,2",
        "--approval",
        approval,
        "--min-sites",
        "1",
        "--deadline-seconds",
        "60",
      ],
      {
        pollIntervalMs: 10,
        // The review board approves while the researcher waits.
        sleep: async () => {
          if (approvedOnce) return;
          approvedOnce = true;
          expect((await cli(["approve", "2", "--config", boardConfig])).code).toBe(0);
        },
      },
    );
    expect(err).toContain("query 2: awaiting approval");
    expect(err).toContain("query 2: approved");
    expect(code).toBe(0);
    const report = JSON.parse(out) as FederatedQueryReport;
    expect(report.queryId).toBe("2");
    expect(report.hospitals.map((h) => h.status)).toEqual(["verified", "declined"]);
  });

  it("refuses a spec that is not the query's", async () => {
    const other = join(dir, "other.json");
    await writeFile(other, JSON.stringify({ ...spec, title: "another" }));
    const { code, err } = await cli(["show", "1", "--config", researcherConfig, "--spec", other]);
    expect(code).toBe(1);
    expect(err).toMatch(/^error FEDERATION_SPEC_MISMATCH/);
  });

  it("reports chain errors by their code", async () => {
    const unknown = await cli(["status", "99", "--config", researcherConfig]);
    expect(unknown.code).toBe(1);
    expect(unknown.err).toMatch(/^error LEDGER_NOT_FOUND/);
    const notBoard = await cli(["approve", "1", "--config", researcherConfig]);
    expect(notBoard.err).toMatch(/^error MEMBERSHIP_DENIED/);
  });
});
