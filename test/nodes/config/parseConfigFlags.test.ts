import { describe, expect, it } from "vitest";
import { configFlags, parseConfigFlags } from "../../../nodes/config/index.ts";
import { isCustosError } from "../../../src/errors/index.ts";

describe("configFlags", () => {
  it("derives one kebab-case flag per leaf field", () => {
    const flags = new Map(configFlags().map((f) => [f.flag, f]));
    expect(flags.get("--rpc-port")).toMatchObject({
      path: "rpc.port",
      kind: "integer",
      default: 8545,
    });
    expect(flags.get("--data-dir")).toMatchObject({ path: "dataDir", kind: "string" });
    expect(flags.get("--dev")).toMatchObject({ path: "dev", kind: "boolean", default: false });
    expect(flags.get("--rpc-cors")).toMatchObject({ path: "rpc.cors", kind: "list" });
    expect(flags.get("--rpc-get-logs-max-block-range")?.path).toBe("rpc.getLogs.maxBlockRange");
    expect(flags.get("--validator-key-file")?.path).toBe("validator.keyFile");
    expect(flags.get("--chain-genesis-file")?.path).toBe("chain.genesisFile");
    expect(new Set(configFlags().map((f) => f.path)).size).toBe(configFlags().length);
    for (const f of configFlags()) expect(f.description.length).toBeGreaterThan(0);
  });
});

describe("parseConfigFlags", () => {
  it("reads --flag value and --flag=value, typed by field kind", () => {
    const parsed = parseConfigFlags([
      "--rpc-port",
      "9545",
      "--rpc-cors=https://a.org, https://b.org",
      "--log-pretty",
      "--metrics-enabled=false",
      "--log-level",
      "debug",
    ]);
    expect(parsed.overrides).toEqual([
      { path: "rpc.port", value: 9545, source: "--rpc-port" },
      { path: "rpc.cors", value: ["https://a.org", "https://b.org"], source: "--rpc-cors" },
      { path: "log.pretty", value: true, source: "--log-pretty" },
      { path: "metrics.enabled", value: false, source: "--metrics-enabled" },
      { path: "log.level", value: "debug", source: "--log-level" },
    ]);
    expect(parsed.rest).toEqual([]);
    expect(parsed.file).toBeUndefined();
  });

  it("extracts --config and leaves other arguments for the command", () => {
    const parsed = parseConfigFlags([
      "--config",
      "node.json",
      "start",
      "--verbose",
      "--data-dir=d",
    ]);
    expect(parsed.file).toBe("node.json");
    expect(parsed.rest).toEqual(["start", "--verbose"]);
    expect(parsed.overrides).toEqual([{ path: "dataDir", value: "d", source: "--data-dir" }]);
  });

  it("keeps unparsable numbers as text so validation can name the field", () => {
    expect(parseConfigFlags(["--rpc-port", "eighty"]).overrides[0]?.value).toBe("eighty");
  });

  it("refuses a value flag without a value as a usage error", () => {
    for (const argv of [["--rpc-port"], ["--data-dir", "--dev"], ["--config"]]) {
      try {
        parseConfigFlags(argv);
        expect.unreachable();
      } catch (error) {
        expect(isCustosError(error, "CLI_USAGE")).toBe(true);
      }
    }
  });
});
