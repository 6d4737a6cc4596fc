import { describe, expect, it } from "vitest";
import type { CliCommand } from "../../../nodes/bin/CliCommand.ts";
import { runCli } from "../../../nodes/bin/runCli.ts";
import packageJson from "../../../package.json" with { type: "json" };
import { CustosError } from "../../../src/errors/index.ts";
import { captureIo } from "./captureIo.ts";

const echo: CliCommand = {
  name: "echo",
  summary: "prints its arguments",
  run: async (args, io) => {
    if (args[0] === "--fail") throw new CustosError("INVALID_ARGUMENT", "asked to fail");
    if (args[0] === "--crash") throw new TypeError("bad state");
    io.stdout(`${args.join(" ")}\n`);
    return 0;
  },
};

describe("runCli", () => {
  it("prints the version", async () => {
    const c = captureIo();
    expect(await runCli(["--version"], c.io, [])).toBe(0);
    expect(c.out()).toBe(`${packageJson.version}\n`);
  });

  it("lists commands in --help", async () => {
    const c = captureIo();
    expect(await runCli(["--help"], c.io, [echo])).toBe(0);
    expect(c.out()).toContain("Usage: custos <command>");
    expect(c.out()).toMatch(/echo\s+prints its arguments/);
  });

  it("dispatches to a command", async () => {
    const c = captureIo();
    expect(await runCli(["echo", "a", "b"], c.io, [echo])).toBe(0);
    expect(c.out()).toBe("a b\n");
  });

  it("rejects an unknown command with a usage error", async () => {
    const c = captureIo();
    expect(await runCli(["frobnicate"], c.io, [echo])).toBe(2);
    expect(c.err()).toBe('error CLI_USAGE: unknown command "frobnicate" (see custos --help)\n');
  });

  it("prints typed errors by code and untyped ones as INTERNAL", async () => {
    const typed = captureIo();
    expect(await runCli(["echo", "--fail"], typed.io, [echo])).toBe(1);
    expect(typed.err()).toBe("error INVALID_ARGUMENT: asked to fail\n");
    const untyped = captureIo();
    expect(await runCli(["echo", "--crash"], untyped.io, [echo])).toBe(1);
    expect(untyped.err()).toBe("error INTERNAL: bad state\n");
  });
});
