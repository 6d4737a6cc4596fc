import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const run = promisify(execFile);
const ROOT = new URL("../../", import.meta.url).pathname;

describe("npm start (scripts/demo.ts)", () => {
  it("runs the whole flow on a 4-hospital network of node processes and exits 0", async () => {
    const { stdout } = await run(process.execPath, ["scripts/demo.ts"], {
      cwd: ROOT,
      timeout: 300_000,
    });
    expect(stdout).toMatch(/^Custos demo — .* 4-hospital network \(http:\/\/127\.0\.0\.1:\d+\)$/m);
    // A block finalised by a quorum of commit seals, then by exactly 3 of 4 with one node down.
    expect(stdout).toMatch(
      /block \d+ finalised: proposed by 0x[0-9a-f]{40}, commit seals from [34] of 4 validators \(a quorum is 3\)/,
    );
    expect(stdout).toMatch(
      /block \d+ finalised by 3 of 4 signatures \(Hospital D's is missing: true\)/,
    );
    expect(stdout).toMatch(/Hospital D's node restarted, synced .* signs again: block \d+/);
    expect(stdout).toContain("Hospital C's own node answers the same");
    expect(stdout).toMatch(/validators at block \d+: 4, from block \d+: 5/);
    expect(stdout).toMatch(/block \d+ carries [45] of 5 commit seals, Hospital E's among them/);
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
  }, 330_000);
});
