import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";

const ROOT = new URL("../../", import.meta.url).pathname;

/** What the running network's node served at the URLs the demo printed. */
interface Served {
  readonly dashboard: number;
  readonly auditStatus: { readonly height: string; readonly validators: readonly string[] };
}

/** Fetches the dashboard and the audit API's status from the URL the demo printed. */
async function visit(stdout: string): Promise<Served> {
  const base = /^Dashboard .*: (http:\/\/127\.0\.0\.1:\d+)\/dashboard$/m.exec(stdout)?.[1];
  if (base === undefined) throw new Error("the demo printed no dashboard URL");
  const dashboard = (await fetch(`${base}/dashboard`)).status;
  const auditStatus = (await (
    await fetch(`${base}/audit/v1/status`)
  ).json()) as Served["auditStatus"];
  return { dashboard, auditStatus };
}

/**
 * Runs `npm start`'s script until it says it stays up, visits the dashboard it printed, then
 * stops it as a user would (Ctrl-C).
 */
function runDemo(): Promise<{ stdout: string; code: number | null; served: Served | Error }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["scripts/demo.ts"], {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    let interrupted = false;
    let served: Served | Error = new Error("not visited");
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`the demo did not finish in time:\n${stdout}\n${stderr}`));
    }, 360_000);
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      if (!interrupted && stdout.includes("Specs are described in docs/query.md")) {
        interrupted = true;
        visit(stdout)
          .then((visited) => {
            served = visited;
          })
          .catch((error: Error) => {
            served = error;
          })
          .finally(() => child.kill("SIGINT"));
      }
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ stdout, code, served });
    });
  });
}

describe("npm start (scripts/demo.ts)", () => {
  it("runs the whole flow on a 4-hospital network with data services, stays up, and stops on Ctrl-C", async () => {
    const { stdout, code, served } = await runDemo();
    expect(code).toBe(0);
    // While it stays up, the node it names serves the dashboard and the audit API.
    expect(served).toMatchObject({
      dashboard: 200,
      auditStatus: { validators: expect.any(Array) },
    });
    expect(stdout).toMatch(/^Patient portal: http:\/\/127\.0\.0\.1:\d+\/portal$/m);
    // After the demo query, a patient who took part finds it in their accounting, proven.
    expect(stdout).toMatch(
      /^• a patient of hospital 1 \(record 0x[0-9a-f]{8}…\) sees the query in their accounting of disclosures: .* verifies$/m,
    );
    expect(stdout).toMatch(
      /^ {2}a patient who took part: http:\/\/127\.0\.0\.1:\d+\/portal#custodian=1&subject=0x[0-9a-f]{64}$/m,
    );
    expect(stdout).toMatch(/^Custos demo — .* 4-hospital network \(http:\/\/127\.0\.0\.1:\d+\)$/m);
    // Each hospital's synthetic consents on chain and its data service up.
    expect(
      stdout.match(/^hospital-\d: \d+ synthetic consents granted and \d+ revoked on chain/gm),
    ).toHaveLength(4);
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
      "AccessLedger.QuerySubmitted",
      "AccessLedger.QueryApproved",
      "ConsentRegistry.ConsentRevoked",
      "Consortium.ValidatorSetScheduled",
    ]) {
      expect(stdout).toContain(event);
    }
    // Every hospital recorded a result whose consent snapshot is at or after the approval
    // block and before the block recording it; the researcher verified and pooled all four.
    const approvedIn = Number(/block (\d+) {2}AccessLedger\.QueryApproved/.exec(stdout)?.[1]);
    const recorded = [
      ...stdout.matchAll(
        /block (\d+) {2}AccessLedger\.ResultRecorded hospital=(\d) consentBlock=(\d+)/g,
      ),
    ];
    expect(recorded.map((r) => Number(r[2])).sort()).toEqual([1, 2, 3, 4]);
    for (const [, block, , consentBlock] of recorded) {
      expect(Number(consentBlock)).toBeGreaterThanOrEqual(approvedIn);
      expect(Number(consentBlock)).toBeLessThan(Number(block));
    }
    expect(stdout).toContain("query 1: complete — all 4 hospitals contributed");
    expect(stdout.match(/hospital-\d\): verified, [\d,]+ consenting subjects/g)).toHaveLength(4);
    expect(stdout).toMatch(/patients \(count\): [\d,]+\n/);
    expect(stdout).toMatch(/ckdIncidence \(incidenceRate\): [\d.]+ per 1,000 person-years/);
    expect(stdout).toContain("isPermitted(Alice) after revocation: false");
    // A signature made before the revocation is refused as stale, and the revocation holds.
    expect(stdout).toMatch(
      /refused: ConsentRegistryStaleSignature\(current nonce (\d+), signed \d+\)/,
    );
    expect(stdout).toContain("isPermitted(Alice) still: false");
    expect(stdout).toContain("Demo complete: every step succeeded.");
    expect(stdout).toMatch(/The network keeps running until Ctrl-C[\s\S]*Stopping the network…\n$/);
  }, 400_000);
});
