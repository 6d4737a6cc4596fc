import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const run = promisify(execFile);
const ROOT = new URL("../../", import.meta.url).pathname;

describe("npm start (scripts/demo.ts)", () => {
  it("runs the whole flow against a real node process and exits 0", async () => {
    const { stdout } = await run(process.execPath, ["scripts/demo.ts"], {
      cwd: ROOT,
      timeout: 240_000,
    });
    expect(stdout).toMatch(/^Custos demo — .* hospital node \(http:\/\/127\.0\.0\.1:\d+\)$/m);
    for (const event of [
      "ConsentRegistry.ConsentGranted",
      "ConsentRegistry.ConsentUpdated",
      "AccessLedger.QueryApproved",
      "AccessLedger.ResultRecorded",
      "ConsentRegistry.ConsentRevoked",
      "Consortium.ValidatorSetScheduled",
    ]) {
      expect(stdout).toContain(event);
    }
    expect(stdout).toContain("isPermitted(Alice) after revocation: false");
    // A signature made before the revocation is refused as stale, and the revocation holds.
    expect(stdout).toMatch(
      /refused: ConsentRegistryStaleSignature\(current nonce (\d+), signed \d+\)/,
    );
    expect(stdout).toContain("isPermitted(Alice) still: false");
    // The result's consent snapshot is the approval block, before the block that records it.
    const approvedIn = /block (\d+) {2}AccessLedger\.QueryApproved/.exec(stdout)?.[1];
    const recorded =
      /block (\d+) {2}AccessLedger\.ResultRecorded .*result=\[0x[0-9a-f]+…, (\d+),/.exec(stdout);
    expect(recorded?.[2]).toBe(approvedIn);
    expect(Number(recorded?.[1])).toBeGreaterThan(Number(approvedIn));
    expect(stdout).toMatch(/Demo complete: every step succeeded\.\n$/);
  }, 300_000);
});
