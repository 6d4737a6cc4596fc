import { describe, expect, it } from "vitest";
import { configFlags } from "../../../nodes/config/index.ts";

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
