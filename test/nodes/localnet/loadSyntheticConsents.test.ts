import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { loadSyntheticConsents } from "../../../nodes/localnet/loadSyntheticConsents.ts";
import { CustosError } from "../../../src/errors/index.ts";
import type { BatchEntry, BatchResult } from "../../../src/ledger/index.ts";
import { expectCustosError } from "../../expectCustosError.ts";

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

const hex = (i: number) => `0x${i.toString(16).padStart(64, "0")}`;

async function hospitalDir(grants: number, revocations: number): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "custos-synthetic-consents-"));
  dirs.push(dir);
  const csv = (from: number, n: number) =>
    `subject,documentHash\n${Array.from({ length: n }, (_, i) => `${hex(from + i)},${hex(9000 + i)}`).join("\n")}\n`;
  await writeFile(join(dir, "consents.csv"), csv(1, grants));
  await writeFile(join(dir, "revocations.csv"), csv(1, revocations));
  return dir;
}

/** A registry whose chunks of 10 fail while `fails(call, chunk)` says so; records what landed. */
function flakyRegistry(fails: (call: number, chunk: number) => boolean) {
  const landed = { grant: [] as string[], revoke: [] as string[] };
  let calls = 0;
  const run = (kind: "grant" | "revoke", entries: readonly BatchEntry[]): BatchResult => {
    const call = calls++;
    const result = { total: entries.length, landed: [], failed: [], remaining: [], aborted: false };
    for (let start = 0; start < entries.length; start += 10) {
      const chunk = { index: start / 10, start, entries: entries.slice(start, start + 10) };
      if (fails(call, chunk.index)) {
        (result.failed as unknown[]).push({
          ...chunk,
          outcome: "failed",
          error: new CustosError("LEDGER_UNAVAILABLE", "timed out"),
        });
      } else {
        landed[kind].push(...chunk.entries.map((e) => e.subject));
        (result.landed as unknown[]).push({ ...chunk, outcome: "landed" });
      }
    }
    return result;
  };
  return {
    landed,
    registry: {
      batchGrant: async (entries: readonly BatchEntry[]) => run("grant", entries),
      batchRevoke: async (entries: readonly BatchEntry[]) => run("revoke", entries),
    },
  };
}

describe("loadSyntheticConsents", () => {
  it("sends again what did not land, so every consent is on chain exactly once", async () => {
    const dir = await hospitalDir(35, 12);
    // The first grant round loses chunks 1 and 3; the first revoke round loses chunk 0.
    const { registry, landed } = flakyRegistry(
      (call, chunk) => (call === 0 && (chunk === 1 || chunk === 3)) || (call === 2 && chunk === 0),
    );
    expect(await loadSyntheticConsents(dir, registry as never)).toEqual({
      granted: 35,
      revoked: 12,
    });
    expect([...landed.grant].sort()).toEqual(Array.from({ length: 35 }, (_, i) => hex(1 + i)));
    expect([...landed.revoke].sort()).toEqual(Array.from({ length: 12 }, (_, i) => hex(1 + i)));
  });

  it("fails with the chain's error when consents still do not land", async () => {
    const dir = await hospitalDir(20, 0);
    // Chunk 1 fails in the first round, and the node stays down for the retries.
    const { registry } = flakyRegistry((call, chunk) => call > 0 || chunk === 1);
    const error = await expectCustosError(
      loadSyntheticConsents(dir, registry as never),
      "LEDGER_UNAVAILABLE",
    );
    expect(error.details).toMatchObject({ notLanded: 10, total: 20 });
  });
});
