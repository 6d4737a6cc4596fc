import { access, mkdir, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createNetworkCommand } from "../../../nodes/bin/commands/network.ts";
import { resolveResearcherConfig } from "../../../nodes/bin/commands/query/loadResearcherConfig.ts";
import type { DevGenesisKeys } from "../../../nodes/chain/index.ts";
import { resolveDataServiceConfig } from "../../../nodes/dataService/index.ts";
import {
  createLocalNetwork,
  type LocalNetwork,
  localDataServicePolicy,
  localNetworkFiles,
  readLocalDataServices,
  writeLocalDataServices,
} from "../../../nodes/localnet/index.ts";
import { expectCustosError } from "../../expectCustosError.ts";
import { captureIo } from "../bin/captureIo.ts";

let root: string;
let network: LocalNetwork;
let keys: DevGenesisKeys;

/** A directory shaped like `custos data generate` output: only what the writer checks. */
async function omopSet(name: string, hospitals: number): Promise<string> {
  const dir = join(root, name);
  for (let i = 0; i < hospitals; i++) {
    await mkdir(join(dir, `hospital-${i}`), { recursive: true });
    await writeFile(join(dir, `hospital-${i}`, "pseudonym-key.json"), "{}\n");
  }
  return dir;
}

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), "custos-local-data-"));
  network = await createLocalNetwork({ dir: join(root, "net"), hospitals: 3, basePort: 18545 });
  keys = JSON.parse(await readFile(network.keysFile, "utf8")) as DevGenesisKeys;
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe("writeLocalDataServices", () => {
  it("writes a data service config per hospital that the data service accepts", async () => {
    const omopDir = await omopSet("omop", 4);
    const data = await writeLocalDataServices(network, { omopDir, basePort: 40100 });
    expect(data.services.map((s) => [s.name, s.hospitalId, s.url])).toEqual([
      ["hospital-0", 1, "http://127.0.0.1:40100"],
      ["hospital-1", 2, "http://127.0.0.1:40101"],
      ["hospital-2", 3, "http://127.0.0.1:40102"],
    ]);
    for (const [i, service] of data.services.entries()) {
      const document = JSON.parse(await readFile(service.configFile, "utf8"));
      const config = resolveDataServiceConfig(document, service.dir);
      expect(config.hospitalId).toBe(i + 1);
      expect(config.rpcUrl).toBe(`http://127.0.0.1:${18545 + i}`);
      expect(config.omop).toEqual({ engine: "duckdb", path: join(omopDir, `hospital-${i}`) });
      expect(config.pseudonymKeyFile).toBe(join(omopDir, `hospital-${i}`, "pseudonym-key.json"));
      expect(config.dataDir).toBe(join(service.dir, localNetworkFiles.dataServiceData));
      expect(config.http).toEqual({ host: "127.0.0.1", port: 40100 + i });
      expect(config.policy.purposes).toEqual(localDataServicePolicy.purposes);
      expect(config.policy.measures).toEqual(localDataServicePolicy.measures);
      expect(config.policy.minCellSize).toBe(11);
      expect(config.jobs.pollIntervalMs).toBe(500);
      // Relative in the file, so the network directory can move.
      expect(document.recorderKeyFile).toBe(localNetworkFiles.recorderKey);
      expect((await readFile(config.recorderKeyFile, "utf8")).trim()).toBe(
        keys.hospitals[i]?.recorder.privateKey,
      );
      expect((await stat(config.recorderKeyFile)).mode & 0o777).toBe(0o600);
    }
  });

  it("writes the researcher's and review board's configs for custos query", async () => {
    const data = await writeLocalDataServices(network, {
      omopDir: await omopSet("omop", 3),
      basePort: 40200,
    });
    const genesis = JSON.parse(await readFile(network.genesisFile, "utf8"));
    for (const [file, key] of [
      [localNetworkFiles.researcherConfig, keys.researcher.privateKey],
      [localNetworkFiles.reviewBoardConfig, keys.reviewBoard.privateKey],
    ] as const) {
      const path = join(network.dir, file);
      const config = resolveResearcherConfig(
        JSON.parse(await readFile(path, "utf8")),
        network.dir,
        path,
      );
      expect(config.rpcUrl).toBe("http://127.0.0.1:18545");
      expect(config.contracts).toEqual({
        accessLedger: genesis.contracts.accessLedger,
        consortium: genesis.contracts.consortium,
      });
      expect(config.hospitals).toEqual(
        Object.fromEntries(
          data.services.map((s) => [String(s.hospitalId), { name: s.name, dataService: s.url }]),
        ),
      );
      expect((await readFile(config.keyFile, "utf8")).trim()).toBe(key);
      expect((await stat(config.keyFile)).mode & 0o777).toBe(0o600);
    }
  });

  it("keeps the ports of the first run when written again", async () => {
    const omopDir = await omopSet("omop", 3);
    const firstRun = await writeLocalDataServices(network, { omopDir });
    const again = await writeLocalDataServices(network, { omopDir });
    expect(again.basePort).toBe(firstRun.basePort);
    expect(await readLocalDataServices(network.dir)).toEqual(again);
  });

  it("refuses a data set with fewer hospitals than the network", async () => {
    const error = await expectCustosError(
      writeLocalDataServices(network, { omopDir: await omopSet("omop", 2) }),
      "INVALID_ARGUMENT",
    );
    expect(error.details).toMatchObject({
      field: "omopDir",
      hospital: 2,
    });
  });

  it("refuses another data set than the one whose consents are on chain", async () => {
    const loaded = await omopSet("omop", 3);
    await writeFile(
      join(network.nodes[1]?.dir as string, localNetworkFiles.consents),
      JSON.stringify({ omopDir: loaded, state: "loaded", granted: 1, revoked: 0 }),
    );
    await writeLocalDataServices(network, { omopDir: loaded });
    const error = await expectCustosError(
      writeLocalDataServices(network, { omopDir: await omopSet("other", 3) }),
      "INVALID_ARGUMENT",
    );
    expect(error.details).toMatchObject({
      field: "omopDir",
      loaded,
      node: "hospital-1",
    });
  });

  it("refuses data service ports past 65535", async () => {
    const error = await expectCustosError(
      writeLocalDataServices(network, { omopDir: await omopSet("omop", 3), basePort: 65534 }),
      "INVALID_ARGUMENT",
    );
    expect(error.details).toMatchObject({ field: "basePort" });
  });
});

describe("network up --with-data: usage", () => {
  function up(args: readonly string[]): Promise<number> {
    const command = createNetworkCommand({ stopSignal: () => Promise.resolve() });
    return command.run(["up", "--hospitals", "3", ...args], captureIo().io);
  }

  it("names --with-data for a data set that does not fit, before writing anything", async () => {
    const fresh = join(root, "fresh");
    const error = await expectCustosError(
      up(["--dir", fresh, "--with-data", await omopSet("omop", 2)]),
      "CLI_USAGE",
    );
    expect(error.details).toMatchObject({ flag: "--with-data" });
    await expect(access(fresh)).rejects.toThrow();
  });

  it("names --data-base-port given without a data set", async () => {
    const error = await expectCustosError(
      up(["--dir", join(root, "fresh"), "--data-base-port", "9000"]),
      "CLI_USAGE",
    );
    expect(error.details).toMatchObject({ flag: "--data-base-port" });
  });
});
