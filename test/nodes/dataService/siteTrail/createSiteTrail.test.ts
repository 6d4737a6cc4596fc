import { createHash } from "node:crypto";
import { appendFile, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  createSiteTrail,
  readSiteTrail,
  type SiteTrail,
  type SiteTrailEntry,
  verifySiteTrail,
} from "../../../../nodes/dataService/index.ts";
import {
  checkSiteTrailEntry,
  EMPTY_TRAIL_HASH,
  type RunFailedDetails,
  siteTrailEntryHash,
} from "../../../../nodes/dataService/siteTrail/index.ts";
import { canonicalJson } from "../../../../src/canonical/index.ts";
import { expectCustosError } from "../../../expectCustosError.ts";
import { runCrashLoop } from "../../crashHarness.ts";

const T0 = 1_900_000_000;

const failed = (queryId: string, attempt = 1): RunFailedDetails => ({
  queryId,
  attempt,
  errorCode: "OMOP_STORE_UNAVAILABLE",
  timedOut: false,
  interrupted: false,
  retry: true,
});

/** The lines of a trail file, parsed. */
async function linesOf(file: string): Promise<SiteTrailEntry[]> {
  const text = await readFile(file, "utf8");
  return text
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => JSON.parse(l) as SiteTrailEntry);
}

/** Rewrites entry `seq` with `change`; with `rechain`, recomputes every hash from there on. */
async function rewrite(
  file: string,
  seq: number,
  change: (entry: SiteTrailEntry) => SiteTrailEntry,
  rechain: boolean,
): Promise<void> {
  const entries = await linesOf(file);
  let prevHash = EMPTY_TRAIL_HASH;
  const out = entries.map((entry) => {
    let next = entry.seq === seq ? change(entry) : entry;
    if (rechain && entry.seq >= seq) {
      const body = { ...next, prevHash } as Omit<SiteTrailEntry, "hash">;
      next = { ...body, hash: siteTrailEntryHash(body) } as SiteTrailEntry;
    }
    prevHash = next.hash;
    return next;
  });
  await writeFile(file, out.map((e) => `${JSON.stringify(e)}\n`).join(""));
}

let dir: string;
let now: number;
let trail: SiteTrail | undefined;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "custos-site-trail-"));
  now = T0;
});

afterEach(async () => {
  await trail?.close();
  trail = undefined;
  await rm(dir, { recursive: true, force: true });
});

const open = async (anchor?: { seq: number; hash: `0x${string}` }) => {
  trail = await createSiteTrail(join(dir, "trail"), {
    now: () => now,
    ...(anchor === undefined ? {} : { anchor }),
  });
  return trail;
};

describe("the site trail", () => {
  it("chains entries: numbered from 1, each holding the hash before it and SHA-256 of its canonical JSON", async () => {
    const t = await open();
    expect(t.head()).toEqual({ seq: 0, hash: EMPTY_TRAIL_HASH });
    const first = await t.append("runFailed", failed("7"));
    now += 5;
    const second = await t.append("queryDeclined", {
      queryId: "7",
      reason: "failed",
      reasonCode: 12,
      errorCode: "OMOP_STORE_UNAVAILABLE",
      attempts: 3,
    });
    expect([first.seq, first.time, first.prevHash]).toEqual([1, T0, EMPTY_TRAIL_HASH]);
    expect([second.seq, second.time, second.prevHash]).toEqual([2, T0 + 5, first.hash]);
    for (const entry of [first, second]) {
      const body = canonicalJson({
        seq: entry.seq,
        time: entry.time,
        kind: entry.kind,
        details: entry.details,
        prevHash: entry.prevHash,
      });
      expect(entry.hash).toBe(`0x${createHash("sha256").update(body).digest("hex")}`);
    }
    expect(t.head()).toEqual({ seq: 2, hash: second.hash });
    // Each line of the file is the entry, as RFC 8785 JSON.
    const text = await readFile(t.file, "utf8");
    expect(text).toBe(`${canonicalJson(first)}\n${canonicalJson(second)}\n`);
  });

  it("has an entry on disk when its append resolves, and numbers concurrent appends in call order", async () => {
    const t = await open();
    const appends = Array.from({ length: 50 }, (_, i) => t.append("runFailed", failed(String(i))));
    const first = await appends[0];
    // Durable at once: another reader sees it without the trail being closed.
    expect((await linesOf(t.file)).map((e) => e.seq)).toContain(first?.seq);
    const entries = await Promise.all(appends);
    expect(entries.map((e) => [e.seq, e.details.queryId])).toEqual(
      Array.from({ length: 50 }, (_, i) => [i + 1, String(i)]),
    );
    expect((await linesOf(t.file)).map((e) => e.seq)).toEqual(entries.map((e) => e.seq));
  });

  it("refuses an entry that is not JSON on its own, and goes on with the others", async () => {
    const t = await open();
    const bad = t.append("runFailed", { ...failed("1"), attempt: Number.NaN });
    const good = t.append("runFailed", failed("2"));
    await expectCustosError(bad, "INVALID_ARGUMENT");
    expect((await good).seq).toBe(1);
    expect((await t.append("runFailed", failed("3"))).seq).toBe(2);
    expect((await linesOf(t.file)).map((e) => (e.details as { queryId: string }).queryId)).toEqual([
      "2",
      "3",
    ]);
  });

  it("carries on from its head after a reopen, and refuses appends once closed", async () => {
    const t = await open();
    await t.append("runFailed", failed("1"));
    const last = await t.append("runFailed", failed("2"));
    await t.close();
    await expectCustosError(t.append("runFailed", failed("3")), "INTERNAL");
    const again = await open();
    expect(again.head()).toEqual({ seq: 2, hash: last.hash });
    const next = await again.append("runFailed", failed("3"));
    expect([next.seq, next.prevHash]).toEqual([3, last.hash]);
    const reading = await readSiteTrail(again.file);
    expect(reading.head).toEqual({ seq: 3, hash: next.hash });
  });

  it("cuts an append a crash left half written, and chains the next entry to the last whole one", async () => {
    const t = await open();
    const whole = await t.append("runFailed", failed("1"));
    await t.close();
    const torn = `${canonicalJson({ ...whole, seq: 2 })}`.slice(0, 40);
    await appendFile(t.file, torn);
    expect((await readSiteTrail(t.file)).partialTail).toBe(torn.length);
    const again = await open();
    expect(again.head()).toEqual({ seq: 1, hash: whole.hash });
    const next = await again.append("runFailed", failed("2"));
    expect([next.seq, next.prevHash]).toEqual([2, whole.hash]);
    expect((await readSiteTrail(again.file)).partialTail).toBe(0);
    expect((await linesOf(again.file)).map((e) => e.seq)).toEqual([1, 2]);
  });

  it("keeps every acknowledged entry across kill -9, and always reopens on a whole chain", async () => {
    const trailDir = join(dir, "crash");
    let acked = 0;
    await runCrashLoop({
      script: new URL("./trailCrashWorker.ts", import.meta.url).pathname,
      args: [trailDir],
      kills: 4,
      seed: 20261206,
      minDelayMs: 50,
      maxDelayMs: 400,
      check: async (round, lines) => {
        for (const line of lines) {
          const match = /^acked (\d+)$/.exec(line);
          if (match !== null) acked = Math.max(acked, Number(match[1]));
        }
        const reopened = await createSiteTrail(trailDir, { now: () => now });
        try {
          expect(reopened.head().seq, `round ${round}`).toBeGreaterThanOrEqual(acked);
          const reading = await readSiteTrail(reopened.file);
          expect(reading.partialTail).toBe(0);
          expect(reading.head).toEqual(reopened.head());
        } finally {
          await reopened.close();
        }
      },
    });
    expect(acked).toBeGreaterThan(0);
  }, 60_000);
});

describe("tampering with the site trail", () => {
  async function trailOf(count: number): Promise<SiteTrailEntry[]> {
    const t = await open();
    const entries: SiteTrailEntry[] = [];
    for (let i = 1; i <= count; i++) entries.push(await t.append("runFailed", failed(String(i))));
    await t.close();
    trail = undefined;
    return entries;
  }
  const file = () => join(dir, "trail", "trail.jsonl");

  it("is caught at the entry whose fields changed, whose line went, or whose hash was forged", async () => {
    await trailOf(6);
    await rewrite(
      file(),
      4,
      (e) => ({ ...e, details: { ...e.details, queryId: "99" } }) as SiteTrailEntry,
      false,
    );
    let error = await expectCustosError(readSiteTrail(file()), "DATA_SERVICE_TRAIL_CORRUPT");
    expect(error.details).toMatchObject({ seq: 4, line: 4, fault: "hash" });

    await rm(join(dir, "trail"), { recursive: true });
    const entries = await trailOf(6);
    const lines = (await readFile(file(), "utf8")).split("\n");
    lines.splice(2, 1); // entry 3 removed
    await writeFile(file(), lines.join("\n"));
    error = await expectCustosError(readSiteTrail(file()), "DATA_SERVICE_TRAIL_CORRUPT");
    expect(error.details).toMatchObject({ seq: 3, line: 3, fault: "sequence" });

    // A forged entry numbered right but chained to something else.
    const forged = { ...entries[2], prevHash: `0x${"ab".repeat(32)}` } as SiteTrailEntry;
    error = expectCustosError(
      () =>
        checkSiteTrailEntry(
          JSON.stringify(forged),
          {
            seq: 2,
            hash: entries[1]?.hash as `0x${string}`,
          },
          3,
        ),
      "DATA_SERVICE_TRAIL_CORRUPT",
    );
    expect(error.details).toMatchObject({ seq: 3, fault: "prevHash" });
    error = expectCustosError(
      () => checkSiteTrailEntry("{not json", { seq: 0, hash: EMPTY_TRAIL_HASH }, 1),
      "DATA_SERVICE_TRAIL_CORRUPT",
    );
    expect(error.details).toMatchObject({ seq: 1, fault: "json" });
    error = expectCustosError(
      () =>
        checkSiteTrailEntry(
          JSON.stringify({ ...entries[0], extra: 1 }),
          { seq: 0, hash: EMPTY_TRAIL_HASH },
          1,
        ),
      "DATA_SERVICE_TRAIL_CORRUPT",
    );
    expect(error.details).toMatchObject({ seq: 1, fault: "format" });
  });

  it("is caught at the anchored sequence when an anchored entry is rewritten and the chain recomputed", async () => {
    const entries = await trailOf(8);
    const anchors = [3, 6].map((seq) => ({
      seq,
      head: entries[seq - 1]?.hash as `0x${string}`,
      blockNumber: 10 * seq,
      transactionHash: `0x${String(seq).repeat(64)}`,
    }));
    const clean = await verifySiteTrail(file(), anchors);
    expect(clean).toMatchObject({
      entries: 8,
      anchors: 2,
      lastAnchored: { seq: 6, hash: entries[5]?.hash },
      unanchored: 2,
      partialTail: 0,
    });
    expect(clean.kinds.runFailed).toBe(8);

    // Entry 6 rewritten and every later hash recomputed: the chain holds, the anchor does not.
    await rewrite(
      file(),
      6,
      (e) => ({ ...e, details: { ...e.details, retry: false } }) as SiteTrailEntry,
      true,
    );
    expect((await readSiteTrail(file())).head.seq).toBe(8);
    const error = await expectCustosError(
      verifySiteTrail(file(), anchors),
      "DATA_SERVICE_TRAIL_ANCHOR_MISMATCH",
    );
    expect(error.details).toMatchObject({
      seq: 6,
      onChain: entries[5]?.hash,
      blockNumber: 60,
      transactionHash: `0x${"6".repeat(64)}`,
    });
    expect((error.details as { local: string }).local).not.toBe(entries[5]?.hash);
    // The service refuses to open on it.
    await expectCustosError(
      open({ seq: 6, hash: entries[5]?.hash as `0x${string}` }),
      "DATA_SERVICE_TRAIL_ANCHOR_MISMATCH",
    );
  });

  it("is caught when entries up to an anchor were cut off, or the trail was started over", async () => {
    const entries = await trailOf(5);
    const anchor = {
      seq: 5,
      head: entries[4]?.hash as `0x${string}`,
      blockNumber: 50,
      transactionHash: `0x${"5".repeat(64)}`,
    };
    const lines = (await readFile(file(), "utf8")).split("\n").slice(0, 3);
    await writeFile(file(), `${lines.join("\n")}\n`);
    const error = await expectCustosError(
      verifySiteTrail(file(), [anchor]),
      "DATA_SERVICE_TRAIL_ANCHOR_MISMATCH",
    );
    expect(error.details).toMatchObject({ seq: 5, local: null });
    await rm(join(dir, "trail"), { recursive: true });
    await expectCustosError(
      open({ seq: 5, hash: anchor.head }),
      "DATA_SERVICE_TRAIL_ANCHOR_MISMATCH",
    );
  });
});
