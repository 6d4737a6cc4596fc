import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../../nodes/config/index.ts";

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "custos-config-"));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("loadConfig", () => {
  it("reads a JSON file and resolves its relative paths against the file's directory", async () => {
    const file = join(dir, "node.json");
    await writeFile(
      file,
      JSON.stringify({ dataDir: "db", chain: { genesisFile: "genesis.json" } }),
    );
    const config = await loadConfig({ file, cwd: "/somewhere/else" });
    expect(config.dataDir).toBe(join(dir, "db"));
    expect(config.chain.genesisFile).toBe(join(dir, "genesis.json"));
    expect(Object.isFrozen(config)).toBe(true);
  });

  it("resolves a relative file name against cwd and applies overrides", async () => {
    await writeFile(join(dir, "rel.json"), JSON.stringify({ dataDir: "db", dev: true }));
    const overrides = [{ path: "rpc.port", value: 9000, source: "--rpc-port" }];
    const config = await loadConfig({ file: "rel.json", cwd: dir, overrides });
    expect(config.rpc.port).toBe(9000);
  });

  it("builds a config from overrides alone when no file is given", async () => {
    const overrides = [
      { path: "dataDir", value: "d", source: "--data-dir" },
      { path: "dev", value: true, source: "--dev" },
    ];
    const config = await loadConfig({ overrides, cwd: "/work" });
    expect(config.dataDir).toBe("/work/d");
  });

  it("reports an unreadable file and invalid JSON as CONFIG_INVALID", async () => {
    await expect(loadConfig({ file: join(dir, "missing.json") })).rejects.toMatchObject({
      code: "CONFIG_INVALID",
      shortMessage: expect.stringContaining("config file cannot be read"),
    });
    const bad = join(dir, "bad.json");
    await writeFile(bad, "{ dataDir: ");
    await expect(loadConfig({ file: bad })).rejects.toMatchObject({
      code: "CONFIG_INVALID",
      shortMessage: expect.stringContaining("config file is not valid JSON"),
    });
  });

  it("reports schema violations from the file with the field path", async () => {
    const file = join(dir, "port.json");
    await writeFile(file, JSON.stringify({ dataDir: "d", dev: true, rpc: { port: -1 } }));
    await expect(loadConfig({ file })).rejects.toThrow(
      "CONFIG_INVALID: rpc.port: must be an integer 0..65535",
    );
  });
});
