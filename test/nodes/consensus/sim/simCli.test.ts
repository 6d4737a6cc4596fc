import { spawnSync } from "node:child_process";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";

const SCRIPT = resolve(import.meta.dirname, "../../../../scripts/sim.ts");

function sim(...args: string[]) {
  return spawnSync(process.execPath, [SCRIPT, ...args], { encoding: "utf8" });
}

describe("scripts/sim.ts", () => {
  it("refuses bad arguments with a usage error and exit code 2", () => {
    for (const args of [
      [],
      ["--validators", "4"],
      ["--validators", "four", "--seeds", "1"],
      ["--validators", "4", "--seeds", "0"],
      ["--validators", "4", "--seeds", "1", "--heights", "-3"],
      ["--validators", "4", "--seeds", "1", "--bogus"],
      ["--validators", "4", "--seeds", "1", "extra"],
      ["--validators", "4", "--seed", "4294967296"],
    ]) {
      const run = sim(...args);
      expect(run.status, args.join(" ")).toBe(2);
      expect(run.stderr).toContain("CLI_USAGE");
      expect(run.stderr).toContain("usage: npm run sim");
    }
  });

  it("runs seeds, summarises them on stdout and exits 0 when all pass", () => {
    const run = sim("--validators", "4", "--seeds", "3", "--seed", "11", "--heights", "3");
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/seeds run\s+3 \(11\.\.13\)/);
    expect(run.stdout).toMatch(/safety violations\s+0/);
    expect(run.stdout).toMatch(/liveness failures\s+0/);
    expect(run.stdout).toMatch(/messages\/height\s+\d/);
  });

  it("replays one seed with its event log on --verbose, the same way twice", () => {
    const first = sim("--validators", "4", "--seed", "5", "--heights", "3", "--verbose");
    const second = sim("--validators", "4", "--seed", "5", "--heights", "3", "--verbose");
    expect(first.status).toBe(0);
    expect(first.stderr).toMatch(/node \d commits 1 at round \d/);
    expect(first.stderr).toMatch(/seed 5 {2}ok .* trace [0-9a-f]{16}/);
    expect(second.stderr).toBe(first.stderr);
  });
});
