/**
 * Switching the accelerator off per node: `execution.accelerate` (default true),
 * `--execution-accelerate=false` and `custos node --no-accelerate`.
 */
import { describe, expect, it } from "vitest";
import { createNodeCommand, nodeConfigOverrides } from "../../../../nodes/bin/commands/node.ts";
import { runCli } from "../../../../nodes/bin/runCli.ts";
import { resolveConfig } from "../../../../nodes/config/index.ts";
import { captureIo } from "../../bin/captureIo.ts";

const resolve = (values: Record<string, unknown>, document: Record<string, unknown> = {}) =>
  resolveConfig(
    { dev: true, ...document },
    { baseDir: "/", cwd: "/", overrides: nodeConfigOverrides(values) },
  ).execution.accelerate;

describe("execution.accelerate", () => {
  it("is on by default and off with --no-accelerate, whatever else says so", () => {
    expect(resolve({})).toBe(true);
    expect(resolve({}, { execution: { accelerate: false } })).toBe(false);
    expect(resolve({ "execution-accelerate": false })).toBe(false);
    expect(resolve({ "no-accelerate": true })).toBe(false);
    expect(resolve({ "no-accelerate": true, "execution-accelerate": true })).toBe(false);
    expect(resolve({ "no-accelerate": false }, { execution: { accelerate: true } })).toBe(true);
  });

  it("is a flag of custos node", async () => {
    const c = captureIo();
    expect(await runCli(["node", "--help"], c.io, [createNodeCommand()])).toBe(0);
    expect(c.out()).toContain("--no-accelerate");
    expect(c.out()).toContain("--execution-accelerate");
    const d = captureIo();
    expect(
      await runCli(["node", "--dev", "--no-accelerate=maybe"], d.io, [createNodeCommand()]),
    ).toBe(2);
    expect(d.err()).toContain("--no-accelerate must be true or false");
  });
});
