import { describe, expect, it } from "vitest";
import {
  configFileOption,
  configOptions,
  configOverrides,
} from "../../../nodes/bin/configOptions.ts";
import { parseCommandLine } from "../../../nodes/bin/parseCommandLine.ts";
import { loadConfig } from "../../../nodes/config/index.ts";
import { expectCustosError } from "../../expectCustosError.ts";

const options = { config: configFileOption, ...configOptions() };

function parsed(args: readonly string[]) {
  const result = parseCommandLine(args, { command: "node", options });
  if (result.help) throw new Error("unexpected help");
  return result.values as Readonly<Record<string, unknown>>;
}

describe("the config flags on the command line", () => {
  it("reads --flag value and --flag=value, typed by field kind", () => {
    expect(
      configOverrides(
        parsed([
          "--rpc-port",
          "9545",
          "--rpc-cors=https://a.org, https://b.org",
          "--log-pretty",
          "--metrics-enabled=false",
          "--log-level",
          "debug",
        ]),
      ),
    ).toEqual([
      { path: "rpc.port", value: 9545, source: "--rpc-port" },
      { path: "rpc.cors", value: ["https://a.org", "https://b.org"], source: "--rpc-cors" },
      { path: "log.level", value: "debug", source: "--log-level" },
      { path: "log.pretty", value: true, source: "--log-pretty" },
      { path: "metrics.enabled", value: false, source: "--metrics-enabled" },
    ]);
  });

  it("names the config file with --config; a later flag wins", () => {
    const values = parsed(["--config", "node.json", "--data-dir=d", "--data-dir", "e"]);
    expect(values.config).toBe("node.json");
    expect(configOverrides(values)).toEqual([
      { path: "dataDir", value: "e", source: "--data-dir" },
    ]);
  });

  it("refuses a missing value or a value of the wrong type as a usage error naming the flag", () => {
    for (const [args, flag] of [
      [["--rpc-port"], "--rpc-port"],
      [["--data-dir", "--dev"], "--data-dir"],
      [["--config"], "--config"],
      [["--rpc-port", "eighty"], "--rpc-port"],
      [["--dev=maybe"], "--dev"],
    ] as const) {
      const error = expectCustosError(() => parsed(args), "CLI_USAGE");
      expect(error.details.flag).toBe(flag);
    }
  });

  it("lets flags win over the file and leaves the range to the config's validation", async () => {
    const config = await loadConfig({
      overrides: configOverrides(parsed(["--dev", "--rpc-port", "9000"])),
      cwd: "/work",
    });
    expect(config.rpc.port).toBe(9000);
    await expectCustosError(
      loadConfig({ overrides: configOverrides(parsed(["--dev", "--rpc-port", "99999"])) }),
      "CONFIG_INVALID",
    );
  });
});
