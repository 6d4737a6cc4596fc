/** `custos query submit|approve|status|show|policy`: configuration, usage and the policy call. */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Wallet } from "ethers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveResearcherConfig } from "../../nodes/bin/commands/query/loadResearcherConfig.ts";
import { createQueryCommand } from "../../nodes/bin/commands/query.ts";
import { runCli } from "../../nodes/bin/runCli.ts";
import { expectCustosError } from "../expectCustosError.ts";
import { spec } from "./federationFixtures.ts";
import { type SignedTestServer, startSignedTestServer } from "./signedTestServer.ts";

const key = `0x${"5a".repeat(32)}`;
const policy = { hospitalId: 1, purposes: ["HMB", "DS"], measureTypes: ["count"], minCellSize: 11 };
let dir: string;
let server: SignedTestServer;

const config = (overrides: Record<string, unknown> = {}) => ({
  // Nothing listens on port 9: no test here reaches the chain.
  rpcUrl: "http://127.0.0.1:9",
  keyFile: "researcher.key",
  contracts: { accessLedger: `0x${"12".repeat(20)}` },
  hospitals: { "1": { name: "St Mary", dataService: server.url } },
  ...overrides,
});

async function writeConfig(name: string, document: unknown): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, JSON.stringify(document));
  return path;
}

async function cli(args: readonly string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(
    ["query", ...args],
    { stdout: (t) => void out.push(t), stderr: (t) => void err.push(t) },
    [createQueryCommand()],
  );
  return { code, out: out.join(""), err: err.join("") };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "custos-query-"));
  server = await startSignedTestServer({ researcher: new Wallet(key).address, policy });
  await writeFile(join(dir, "researcher.key"), `${key}\n`);
  await writeFile(join(dir, "spec.json"), JSON.stringify(spec));
});

afterAll(async () => {
  await server?.close();
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

describe("the researcher configuration", () => {
  const valid = {
    rpcUrl: "http://127.0.0.1:8545",
    keyFile: "keys/researcher.key",
    contracts: { accessLedger: `0x${"12".repeat(20)}`, consortium: `0x${"34".repeat(20)}` },
    hospitals: { "1": { name: "St Mary", dataService: "http://127.0.0.1:9100" } },
  };

  it("fills defaults and resolves paths against the config file's directory", () => {
    expect(resolveResearcherConfig(valid, "/etc/custos", "r.json")).toEqual({
      ...valid,
      keyFile: "/etc/custos/keys/researcher.key",
      queriesDir: "/etc/custos/queries",
      requestTimeoutSeconds: 10,
    });
  });

  it.each([
    [{ ...valid, rpcUrl: "ws://x" }, "rpcUrl", "must be an http(s) URL"],
    [
      { ...valid, keyFile: "ab".repeat(32) },
      "keyFile",
      "must be the path of a key file, not the key itself",
    ],
    [
      { ...valid, contracts: { accessLedger: "0x12" } },
      "contracts.accessLedger",
      "must be a 0x-prefixed address",
    ],
    [{ ...valid, contracts: {} }, "contracts.accessLedger", "required"],
    [
      { ...valid, hospitals: { x: valid.hospitals["1"] } },
      "hospitals.x",
      "must be a hospital organisation id (1, 2, …)",
    ],
    [
      { ...valid, hospitals: { "2": { name: "B", dataService: "ftp://b" } } },
      "hospitals[2].dataService",
      "must be an http(s) URL",
    ],
    [
      { ...valid, hospitals: { "2": { name: "", dataService: "http://b" } } },
      "hospitals[2].name",
      "must be a non-empty string",
    ],
    [{ ...valid, requestTimeoutSeconds: 0 }, "requestTimeoutSeconds", "must be an integer 1..600"],
    [{ ...valid, extra: true }, "extra", "unknown field"],
    [{ rpcUrl: valid.rpcUrl, contracts: valid.contracts }, "keyFile", "required"],
  ])("names the invalid field (%#)", (document, field, reason) => {
    const error = expectCustosError(
      () => resolveResearcherConfig(document, "/etc/custos", "r.json"),
      "CONFIG_INVALID",
    );
    expect(error.details).toMatchObject({ field, reason });
  });

  it("refuses an invalid config file or key file through the CLI (exit 1)", async () => {
    const bad = await writeConfig("bad.json", config({ hospitals: { one: {} } }));
    const invalid = await cli(["status", "1", "--config", bad]);
    expect(invalid.code).toBe(1);
    expect(invalid.err).toMatch(/^error CONFIG_INVALID: .*hospitals\.one: must be a hospital/);
    const noKey = await writeConfig("nokey.json", config({ keyFile: "missing.key" }));
    const missing = await cli(["status", "1", "--config", noKey]);
    expect(missing.code).toBe(1);
    expect(missing.err).toBe("error CONFIG_INVALID: keyFile: cannot be read\n");
    await writeFile(join(dir, "garbage.key"), "not a key");
    const garbage = await cli([
      "status",
      "1",
      "--config",
      await writeConfig("g.json", config({ keyFile: "garbage.key" })),
    ]);
    expect(garbage.err).toBe("error CONFIG_INVALID: keyFile: does not hold a hex private key\n");
    expect(garbage.err).not.toContain("not a key");
    const notJson = join(dir, "notjson.json");
    await writeFile(notJson, "{");
    expect((await cli(["status", "1", "--config", notJson])).err).toMatch(
      /^error CONFIG_INVALID: config file is not valid JSON/,
    );
  });
});

describe("custos query usage", () => {
  it.each([
    [["submit", "spec.json"], "--config is required"],
    [
      ["submit", "{spec}", "--config", "{config}", "--approval", `0x${"1".repeat(64)}`],
      "--hospitals is required",
    ],
    [
      ["submit", "{spec}", "--config", "{config}", "--hospitals", "1,x", "--approval", "a"],
      "--hospitals x is not a hospital id",
    ],
    [
      ["submit", "{spec}", "--config", "{config}", "--hospitals", "7", "--approval", "a"],
      "--hospitals 7 is not in the config's hospitals",
    ],
    [
      ["submit", "{spec}", "--config", "{config}", "--hospitals", "1,1", "--approval", "a"],
      "--hospitals must list distinct hospital ids",
    ],
    [
      [
        "submit",
        "{spec}",
        "--config",
        "{config}",
        "--hospitals",
        "1",
        "--approval",
        "a",
        "--purpose",
        "XYZ",
      ],
      "--purpose XYZ is no DUO code",
    ],
    [
      [
        "submit",
        "{spec}",
        "--config",
        "{config}",
        "--hospitals",
        "1",
        "--approval",
        "a",
        "--purpose",
        "HMB,GRU",
      ],
      "--purpose must name exactly one permission",
    ],
    [
      [
        "submit",
        "{spec}",
        "--config",
        "{config}",
        "--hospitals",
        "1",
        "--approval",
        "a",
        "--purpose",
        "NCU",
      ],
      "--purpose must name exactly one permission",
    ],
    [
      [
        "submit",
        "{spec}",
        "--config",
        "{config}",
        "--hospitals",
        "1",
        "--approval",
        "a",
        "--categories",
        "GENES",
      ],
      "--categories GENES is no data category",
    ],
    [
      [
        "submit",
        "{spec}",
        "--config",
        "{config}",
        "--hospitals",
        "1",
        "--approval",
        "a",
        "--categories",
        "DEMOGRAPHICS,VISITS,CONDITIONS",
      ],
      "--categories must include those the spec reads; missing MEASUREMENTS",
    ],
    [
      [
        "submit",
        "{spec}",
        "--config",
        "{config}",
        "--hospitals",
        "1",
        "--approval",
        "a",
        "--min-sites",
        "0",
      ],
      "--min-sites must be an integer from 1 to 64",
    ],
    [["approve", "abc", "--config", "{config}"], '<queryId> must be a positive integer, not "abc"'],
    [["status", "0", "--config", "{config}"], '<queryId> must be a positive integer, not "0"'],
    [["show", "--config", "{config}"], "missing <queryId>"],
    [["policy", "9", "--config", "{config}"], "hospital 9 is not in the config's hospitals"],
    [["frobnicate"], 'unknown query sub-command "frobnicate"'],
  ])("exits 2 for a usage error (%#)", async (args, message) => {
    const path = await writeConfig("usage.json", config());
    const resolved = args.map((a) =>
      a.replace("{config}", path).replace("{spec}", join(dir, "spec.json")),
    );
    const { code, err } = await cli(resolved);
    expect(err).toContain(`error CLI_USAGE: ${message}`);
    expect(err).toContain("(see custos query --help)");
    expect(code).toBe(2);
  });

  it("lists every sub-command in its help", async () => {
    const { code, out } = await cli(["--help"]);
    expect(code).toBe(0);
    for (const sub of ["validate", "run", "submit", "approve", "status", "show", "policy"]) {
      expect(out).toContain(`query ${sub}`);
    }
  });
});

describe("custos query policy", () => {
  it("prints the hospital's site policy as JSON", async () => {
    const { code, out, err } = await cli([
      "policy",
      "1",
      "--config",
      await writeConfig("p.json", config()),
    ]);
    expect(err).toBe("");
    expect(code).toBe(0);
    expect(JSON.parse(out)).toEqual(policy);
  });

  it("fails with DATA_SERVICE_UNAVAILABLE when the data service is down", async () => {
    const down = config({
      hospitals: { "1": { name: "St Mary", dataService: "http://127.0.0.1:9" } },
    });
    const { code, err } = await cli([
      "policy",
      "1",
      "--config",
      await writeConfig("down.json", down),
    ]);
    expect(code).toBe(1);
    expect(err).toBe("error DATA_SERVICE_UNAVAILABLE: data service cannot be reached\n");
  });
});
