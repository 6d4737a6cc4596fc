import { describe, expect, it } from "vitest";
import { cliAction } from "../../../nodes/bin/cliAction.ts";
import { defineCommand } from "../../../nodes/bin/defineCommand.ts";
import { parseCommandLine } from "../../../nodes/bin/parseCommandLine.ts";
import { runCli } from "../../../nodes/bin/runCli.ts";
import { expectCustosError } from "../../expectCustosError.ts";
import { captureIo } from "./captureIo.ts";

const options = {
  out: { type: "string", value: "<file>", required: true, description: "where to write" },
  count: { type: "integer", min: 1, max: 64, default: 4, description: "how many" },
  offset: { type: "integer", description: "where to start" },
  tags: { type: "list", description: "labels, comma-separated" },
  force: { type: "boolean", description: "overwrite" },
} as const;

/** `custos make <name>` and `custos batch <run|stop>`: what every command is built from. */
const seen: unknown[] = [];
const make = cliAction({
  description: "Makes a thing.",
  positionals: ["<name>"],
  options,
  run: async ({ values, positionals }, io) => {
    seen.push({ values, positionals });
    io.stdout("made\n");
    return 0;
  },
});
const commands = [
  defineCommand("make", { summary: "make a thing", action: make }),
  defineCommand("batch", {
    summary: "batches of things",
    description: "Batches share a queue.",
    subcommands: {
      run: make,
      stop: cliAction({ description: "Stops.", options: {}, run: async () => 0 }),
    },
  }),
];

async function cli(...args: string[]) {
  const c = captureIo();
  const code = await runCli(args, c.io, commands);
  return { code, out: c.out(), err: c.err() };
}

describe("parseCommandLine", () => {
  it("types values: integers, lists, booleans, defaults; a later flag wins", () => {
    const parsed = parseCommandLine(
      ["thing", "--out", "a.json", "--out=b.json", "--offset=-3", "--tags", "x, y,,z", "--force"],
      { command: "make", options, positionals: ["<name>"] },
    );
    expect(parsed).toEqual({
      help: false,
      positionals: ["thing"],
      values: { out: "b.json", count: 4, offset: -3, tags: ["x", "y", "z"], force: true },
    });
    const off = parseCommandLine(["--out", "a", "--force=false", "--", "--name"], {
      command: "make",
      options,
      positionals: ["<name>"],
    });
    expect(off).toMatchObject({ positionals: ["--name"], values: { force: false } });
  });

  it("asks for the help on --help or -h anywhere, whatever else is wrong", () => {
    for (const args of [["--help"], ["-h"], ["--bogus", "x", "--help"], ["--count", "x", "-h"]]) {
      expect(parseCommandLine(args, { command: "make", options })).toEqual({ help: true });
    }
  });

  it.each([
    [["n", "--bogus"], "--bogus", "unknown option --bogus"],
    [["n", "-x", "--out", "a"], "-x", "unknown option -x"],
    [["n", "--out"], "--out", "--out needs a value"],
    [["n", "--out", "--force"], "--out", "--out needs a value"],
    [["n", "--out", "a", "--count", "x"], "--count", "--count must be an integer from 1 to 64"],
    [["n", "--out", "a", "--count", "65"], "--count", "--count must be an integer from 1 to 64"],
    [["n", "--out", "a", "--count", "2.5"], "--count", "--count must be an integer from 1 to 64"],
    [["n", "--out", "a", "--offset", "1e3"], "--offset", "--offset must be an integer"],
    [["n", "--out", "a", "--force=yes"], "--force", "--force must be true or false"],
    [["n"], "--out", "--out is required"],
  ])("refuses %j naming %s", (args, flag, message) => {
    const error = expectCustosError(
      () => parseCommandLine(args, { command: "make", options, positionals: ["<name>"] }),
      "CLI_USAGE",
    );
    expect(error.details).toMatchObject({ command: "make", flag });
    expect(error.shortMessage).toBe(`${message} (see custos make --help)`);
  });

  it("refuses a missing or extra positional argument naming it", () => {
    const missing = expectCustosError(
      () => parseCommandLine(["--out", "a"], { command: "make", options, positionals: ["<name>"] }),
      "CLI_USAGE",
    );
    expect(missing.details.argument).toBe("<name>");
    const extra = expectCustosError(
      () =>
        parseCommandLine(["a", "b", "--out", "a"], {
          command: "make",
          options,
          positionals: ["<name>"],
        }),
      "CLI_USAGE",
    );
    expect(extra.details.argument).toBe("b");
  });
});

describe("commands declared with cliAction and defineCommand", () => {
  it("exit with 2 on a usage error, naming the flag, and with 0 on success", async () => {
    expect(await cli("make", "n", "--out", "a", "--count", "x")).toEqual({
      code: 2,
      out: "",
      err: "error CLI_USAGE: --count must be an integer from 1 to 64 (see custos make --help)\n",
    });
    expect(await cli("batch", "run", "n", "--bogus")).toEqual({
      code: 2,
      out: "",
      err: "error CLI_USAGE: unknown option --bogus (see custos batch --help)\n",
    });
    expect((await cli("batch", "frob")).err).toBe(
      'error CLI_USAGE: unknown batch sub-command "frob" (see custos batch --help)\n',
    );
    seen.length = 0;
    expect(await cli("batch", "run", "n", "--out", "o", "--tags=a,b")).toMatchObject({ code: 0 });
    expect(seen).toEqual([
      { values: { out: "o", count: 4, tags: ["a", "b"] }, positionals: ["n"] },
    ]);
  });

  it("print the help made from the declaration", async () => {
    const help = await cli("make", "--help");
    expect(help.code).toBe(0);
    expect(help.out).toBe(
      [
        "Usage: custos make <name> --out <file> [--count N] [--offset N] [--tags <list>] [--force]",
        "",
        "Makes a thing.",
        "",
        "Options:",
        "  --out <file>   where to write",
        "  --count N      how many (default 4)",
        "  --offset N     where to start",
        "  --tags <list>  labels, comma-separated",
        "  --force        overwrite",
        "  -h, --help     show this help",
        "",
      ].join("\n"),
    );
    const group = await cli("batch");
    expect(group.code).toBe(0);
    expect(group.out).toContain("Usage: custos batch run <name> --out <file>");
    expect(group.out).toContain("       custos batch stop\n");
    expect(group.out).toMatch(/^run {3}Makes a thing\.$/m);
    expect(group.out).toContain("Batches share a queue.");
    expect((await cli("batch", "--help")).out).toBe(group.out);
    expect((await cli("batch", "stop", "-h")).out).toMatch(/^Usage: custos batch stop\n\nStops\./);
    expect((await cli("--help")).out).toMatch(/batch\s+batches of things/);
  });
});
