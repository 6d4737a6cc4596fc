import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import { JsonRpcProvider } from "ethers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeOmopData } from "../../nodes/bin/commands/data/writeOmopData.ts";
import { createNetworkCommand } from "../../nodes/bin/commands/network.ts";
import { resolveResearcherConfig } from "../../nodes/bin/commands/query/loadResearcherConfig.ts";
import { runCli } from "../../nodes/bin/runCli.ts";
import type { DevGenesisKeys } from "../../nodes/chain/index.ts";
import { resolveDataServiceConfig } from "../../nodes/dataService/index.ts";
import {
  findFreePortRange,
  type LocalDataServices,
  type LocalNetwork,
  localNetworkFiles,
  processAlive,
  readLocalDataServices,
  readLocalNetwork,
  stopLocalNetwork,
} from "../../nodes/localnet/index.ts";
import type { Bytes32 } from "../../src/consent/index.ts";
import { encodeCategories, purposeCodes } from "../../src/consent/index.ts";
import { createConsentRegistryClient } from "../../src/ledger/index.ts";
import { type CapturedIo, captureIo } from "../nodes/bin/captureIo.ts";
import { waitFor } from "./harness/networkHarness.ts";

/**
 * `custos network up --with-data` as a user runs it (the command in-process, every node and
 * data service a real process on 127.0.0.1): four hospitals on a generated data set of 2,000
 * persons, their consents put on chain by each hospital's recorder, a data service per
 * hospital, the researcher's and review board's configs; then `network down`, and a restart
 * that neither reloads the consents nor needs the flag.
 */
let root: string;
/** The network's directory. */
let dir: string;
let omopDir: string;
let network: LocalNetwork;
let data: LocalDataServices;

/** A running `network up`: what it printed, its exit code once done, and Ctrl-C. */
interface RunningUp {
  readonly io: CapturedIo;
  readonly done: Promise<number>;
  stop(): void;
}

async function networkUp(args: readonly string[]): Promise<RunningUp> {
  let stop = () => {};
  const stopped = new Promise<void>((resolve) => {
    stop = resolve;
  });
  const io = captureIo();
  const command = createNetworkCommand({ stopSignal: () => stopped });
  let code: number | undefined;
  const done = runCli(["network", "up", "--dir", dir, "--hospitals", "4", ...args], io.io, [
    command,
  ]).then((exit) => {
    code = exit;
    return exit;
  });
  await waitFor("network up", 120_000, async () => {
    if (code !== undefined) throw new Error(`network up exited with ${code}: ${io.err()}`);
    return io.out().includes("network up in") ? true : undefined;
  });
  return { io, done, stop };
}

async function cli(args: readonly string[]): Promise<{ code: number; out: string }> {
  const io = captureIo();
  const code = await runCli(args, io.io, [createNetworkCommand()]);
  return { code, out: io.out() };
}

async function csvSubjects(file: string): Promise<Bytes32[]> {
  const rows = parse(await readFile(file, "utf8"), { columns: true }) as { subject: string }[];
  return rows.map((row) => row.subject as Bytes32);
}

async function pidFiles(): Promise<string[]> {
  const files = network.nodes.flatMap((node) => [
    join(node.dir, localNetworkFiles.pid),
    join(node.dir, localNetworkFiles.dataServicePid),
  ]);
  const present = await Promise.all(
    files.map((file) =>
      stat(file).then(
        () => file,
        () => undefined,
      ),
    ),
  );
  return present.filter((file): file is string => file !== undefined);
}

let first: RunningUp;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "custos-e2e-network-data-"));
  dir = join(root, "net");
  omopDir = join(root, "omop");
  await writeOmopData({ out: omopDir, persons: 2000, hospitals: 4, seed: 14 });
  const [basePort, p2pBasePort, dataBasePort] = await Promise.all([
    findFreePortRange(4),
    findFreePortRange(4),
    findFreePortRange(4),
  ]);
  first = await networkUp([
    "--base-port",
    String(basePort),
    "--p2p-base-port",
    String(p2pBasePort),
    "--with-data",
    omopDir,
    "--data-base-port",
    String(dataBasePort),
  ]);
  network = await readLocalNetwork(dir);
  data = (await readLocalDataServices(dir)) as LocalDataServices;
}, 150_000);

afterAll(async () => {
  first?.stop();
  if (network !== undefined) await stopLocalNetwork(network, 10_000);
  await rm(root, { recursive: true, force: true });
}, 60_000);

describe("network up --with-data", () => {
  it("runs a data service per hospital, after its node, each serving its own hospital", async () => {
    expect(data.services.map((s) => s.hospitalId)).toEqual([1, 2, 3, 4]);
    const out = first.io.out();
    for (const service of data.services) {
      expect(out).toContain(`data service ${service.url}`);
      expect((await fetch(`${service.url}/liveness`)).status).toBe(200);
      const policy = (await (await fetch(`${service.url}/policy`)).json()) as {
        hospitalId: number;
        purposes: string[];
        disclosure: { minCellSize: number };
      };
      expect(policy.hospitalId).toBe(service.hospitalId);
      expect(policy.purposes).toEqual(["HMB", "GRU", "DS"]);
      expect(policy.disclosure.minCellSize).toBe(11);
      const config = resolveDataServiceConfig(
        JSON.parse(await readFile(service.configFile, "utf8")),
        service.dir,
      );
      expect(config.rpcUrl).toBe(
        `http://127.0.0.1:${network.nodes[service.hospitalId - 1]?.rpcPort}`,
      );
      expect(config.jobs.pollIntervalMs).toBe(500);
      expect((await stat(config.recorderKeyFile)).mode & 0o777).toBe(0o600);
    }
    const status = await cli(["network", "status", "--dir", dir, "--json"]);
    const listed = JSON.parse(status.out) as { name: string; dataService?: { up: boolean } }[];
    expect(listed.filter((n) => n.dataService?.up === true)).toHaveLength(4);
  });

  it("put each hospital's synthetic consents on chain, revocations included", async () => {
    // Organisation 2 is hospital-1; its node answers for the whole chain.
    const hospital = data.services[1] as LocalDataServices["services"][number];
    const granted = await csvSubjects(join(hospital.omopDir, "consents.csv"));
    const revoked = await csvSubjects(join(hospital.omopDir, "revocations.csv"));
    const consenting = granted.find((s) => !revoked.includes(s)) as Bytes32;
    const withdrawn = revoked[0] as Bytes32;
    expect(withdrawn).toBeDefined();
    const genesis = JSON.parse(await readFile(network.genesisFile, "utf8")) as {
      contracts: { consentRegistry: string };
    };
    const provider = new JsonRpcProvider(
      `http://127.0.0.1:${network.nodes[1]?.rpcPort}`,
      undefined,
      { staticNetwork: true },
    );
    try {
      const registry = createConsentRegistryClient({
        address: genesis.contracts.consentRegistry,
        runner: provider,
        custodian: hospital.hospitalId,
      });
      const now = Math.floor(Date.now() / 1000);
      const use = purposeCodes.GRU.bit;
      const categories = encodeCategories(["CONDITIONS"]);
      expect((await registry.consentOf(consenting)).status).toBe("active");
      expect(await registry.isPermitted(consenting, use, categories, now)).toBe(true);
      expect((await registry.consentOf(withdrawn)).status).toBe("revoked");
      expect(await registry.isPermitted(withdrawn, use, categories, now)).toBe(false);
    } finally {
      provider.destroy();
    }
    const marker = JSON.parse(
      await readFile(join(hospital.dir, localNetworkFiles.consents), "utf8"),
    ) as { state: string; granted: number; revoked: number };
    expect(marker).toMatchObject({
      state: "loaded",
      granted: granted.length,
      revoked: revoked.length,
    });
  });

  it("writes researcher.json and review-board.json for custos query", async () => {
    const keys = JSON.parse(await readFile(network.keysFile, "utf8")) as DevGenesisKeys;
    for (const [file, key] of [
      [localNetworkFiles.researcherConfig, keys.researcher.privateKey],
      [localNetworkFiles.reviewBoardConfig, keys.reviewBoard.privateKey],
    ] as const) {
      const path = join(dir, file);
      const config = resolveResearcherConfig(JSON.parse(await readFile(path, "utf8")), dir, path);
      expect(config.rpcUrl).toBe(`http://127.0.0.1:${network.nodes[0]?.rpcPort}`);
      expect(Object.keys(config.hospitals)).toEqual(["1", "2", "3", "4"]);
      for (const service of data.services) {
        expect(config.hospitals[String(service.hospitalId)]).toEqual({
          name: service.name,
          dataService: service.url,
        });
      }
      expect((await readFile(config.keyFile, "utf8")).trim()).toBe(key);
      expect((await stat(config.keyFile)).mode & 0o777).toBe(0o600);
    }
  });

  it("network down stops the data services, then the nodes", async () => {
    const pids = await Promise.all(
      (await pidFiles()).map(async (file) => Number(await readFile(file, "utf8"))),
    );
    expect(pids).toHaveLength(8);
    const down = await cli(["network", "down", "--dir", dir]);
    expect(down.code).toBe(0);
    const lines = down.out.trim().split("\n");
    expect(lines.slice(0, 4).every((l) => /\/data-service\s+stopped/.test(l))).toBe(true);
    expect(lines.slice(4).every((l) => /^hospital-\d\s+stopped/.test(l))).toBe(true);
    expect(await first.done).toBe(0);
    expect(await pidFiles()).toEqual([]);
    expect(pids.filter(processAlive)).toEqual([]);
  }, 60_000);

  it("restarts without the flag: data services again, consents not loaded twice, a cut-short load resumed", async () => {
    // As if hospital-0's load had been interrupted: it is resumed, sending only what is missing.
    const marker = join(data.services[0]?.dir as string, localNetworkFiles.consents);
    await writeFile(marker, JSON.stringify({ omopDir: data.omopDir, state: "loading" }));
    const again = await networkUp([]);
    try {
      const out = again.io.out();
      expect(out).toMatch(/^hospital-0\s+consents on chain/m);
      expect(out).not.toMatch(/^hospital-[123]\s+consents on chain/m);
      for (const service of data.services) {
        expect((await fetch(`${service.url}/liveness`)).status).toBe(200);
      }
      expect(JSON.parse(await readFile(marker, "utf8")).state).toBe("loaded");
    } finally {
      again.stop();
    }
    expect(await again.done).toBe(0);
    expect(await pidFiles()).toEqual([]);
  }, 120_000);
});
