import { describe, expect, it } from "vitest";
import { runCli } from "../../../nodes/bin/runCli.ts";
import { captureIo } from "./captureIo.ts";

describe("custos data-service trail verify", () => {
  it("needs a trail, a node, a hospital and an AccessLedger (or --config)", async () => {
    const missing = captureIo();
    expect(
      await runCli(
        ["data-service", "trail", "verify", "--data-dir", "/tmp/none", "--hospital", "1"],
        missing.io,
      ),
    ).toBe(2);
    expect(missing.err()).toMatch(/^error CLI_USAGE: .*--rpc/);
    const badUrl = captureIo();
    expect(
      await runCli(
        [
          "data-service",
          "trail",
          "verify",
          "--file",
          "/tmp/none.jsonl",
          "--rpc",
          "ftp://x",
          "--hospital",
          "1",
          "--access-ledger",
          `0x${"aa".repeat(20)}`,
        ],
        badUrl.io,
      ),
    ).toBe(2);
    expect(badUrl.err()).toMatch(/^error CLI_USAGE: .*--rpc/);
  });

  it("prints its help", async () => {
    const help = captureIo();
    expect(await runCli(["data-service", "trail", "verify", "--help"], help.io)).toBe(0);
    expect(help.out()).toContain("--access-ledger");
  });
});
