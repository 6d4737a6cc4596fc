import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Level } from "level";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  AUDIT_VERSION_KEY,
  type AuditBlock,
  type AuditIndex,
  type AuditPage,
  type AuditPageRequest,
  MAX_AUDIT_PAGE_SIZE,
  MAX_AUDIT_SCAN,
  openAuditIndex,
} from "../../../nodes/audit/index.ts";
import type { AuditEntry, QuerySummary } from "../../../src/audit/index.ts";
import type { Hex } from "../../../src/ledger/index.ts";
import { expectCustosError } from "../../expectCustosError.ts";
import { address, hash32, synthetic, syntheticBlock } from "./syntheticAudit.ts";

/**
 * The audit index's reads over synthetic blocks written straight into it: every filter of
 * listQueries, paging with cursors (stable while blocks are added), the caps and their typed
 * errors, a query's trail, a subject's history, budgets, the consent series, governance,
 * entries by block, and what writes refuse.
 */
const T0 = 1_800_000_000;
const DAY = 86_400;
const HMB = 4;
const GRU = 2;
const DS = 8;
const researchers = [address("researcher-a"), address("researcher-b"), address("researcher-c")];
const board = address("board");
const recorder = (h: number) => address(`recorder-${h}`);

interface QueryPlan {
  readonly id: number;
  readonly researcher: Hex;
  readonly org: number;
  readonly targets: number[];
  readonly purpose: number;
  readonly time: number;
}

/** 40 queries, two per block (the same submission time), by three researchers in two orgs. */
const queries: QueryPlan[] = Array.from({ length: 40 }, (_, i) => ({
  id: i + 1,
  researcher: researchers[i % 3] as Hex,
  org: 10 + (i % 2),
  targets: i % 5 === 0 ? [1, 2] : [1 + (i % 4)],
  purpose: [HMB, GRU, DS][i % 3] as number,
  time: T0 + Math.floor(i / 2) * 60,
}));

const subjects = Array.from({ length: 6 }, (_, i) => hash32(`subject-${i}`));

let dir: string;
let index: AuditIndex;
const blocks: AuditBlock[] = [];
/** Every entry written, in chain order. */
const written: AuditEntry[] = [];

function add(block: AuditBlock): AuditBlock {
  blocks.push(block);
  written.push(...block.entries);
  return block;
}

/** The chain the reads run on: queries, their lifecycle, budgets, consents over three days, governance. */
function plan(): AuditBlock[] {
  let n = 0;
  add(syntheticBlock(n++, T0 - 600));
  for (let b = 0; b < 20; b++) {
    const pair = queries.slice(b * 2, b * 2 + 2);
    add(
      syntheticBlock(n++, pair[0]?.time as number, (ctx) =>
        pair.map((q) =>
          synthetic.submitted(ctx.at(), {
            queryId: q.id,
            researcher: q.researcher,
            researcherOrg: q.org,
            purpose: q.purpose,
            targets: q.targets,
            expiry: q.time + 3600,
          }),
        ),
      ),
    );
  }
  const tLife = T0 + 2000;
  // Query 1 (targets 1, 2): approved, a result at 1, a decline at 2, closed. Query 2: closed.
  add(
    syntheticBlock(n++, tLife, (ctx) => [
      synthetic.limitSet(ctx.at(), {
        researcherOrg: 10,
        hospitalId: 1,
        setter: address("admin-1"),
        limit: 5_000_000n,
        spent: 0n,
      }),
      synthetic.approved(ctx.at(), {
        queryId: 1,
        reviewBoardOrg: 7,
        approver: board,
        approvals: 1,
        approved: true,
      }),
    ]),
  );
  add(
    syntheticBlock(n++, tLife + 1, (ctx) => [
      synthetic.result(ctx.at(), {
        queryId: 1,
        hospitalId: 1,
        researcherOrg: 10,
        recorder: recorder(1),
        epsilon: 1_500_000n,
        subjectCount: 120,
      }),
      synthetic.declined(ctx.at(), {
        queryId: 1,
        hospitalId: 2,
        researcherOrg: 10,
        recorder: recorder(2),
        reasonCode: 7,
      }),
      synthetic.result(ctx.at(), {
        queryId: 3,
        hospitalId: 3,
        researcherOrg: 10,
        recorder: recorder(3),
        epsilon: 0n,
        subjectCount: 40,
      }),
    ]),
  );
  add(
    syntheticBlock(n++, tLife + 2, (ctx) => [
      synthetic.closed(ctx.at(), {
        queryId: 1,
        researcherOrg: 10,
        closedBy: researchers[0] as Hex,
        responseCount: 2,
      }),
      synthetic.closed(ctx.at(), {
        queryId: 2,
        researcherOrg: 11,
        closedBy: researchers[1] as Hex,
        responseCount: 0,
      }),
      synthetic.limitSet(ctx.at(), {
        researcherOrg: 11,
        hospitalId: 3,
        setter: address("admin-3"),
        limit: 2_000_000n,
        spent: 0n,
      }),
    ]),
  );
  // Consents on three UTC days: day 0 grants all six (custodian 1: 0–3, custodian 2: 4–5),
  // day 1 updates 0 and revokes 1 and 4, day 2 re-grants 1.
  const day0 = Math.ceil(T0 / DAY) * DAY + 100;
  add(
    syntheticBlock(n++, day0, (ctx) =>
      subjects.map((subject, i) =>
        synthetic.granted(ctx.at(), {
          subject,
          custodian: i < 4 ? 1 : 2,
          actor: recorder(i < 4 ? 1 : 2),
          version: 1,
        }),
      ),
    ),
  );
  add(
    syntheticBlock(n++, day0 + DAY, (ctx) => [
      synthetic.updated(ctx.at(), {
        subject: subjects[0] as Hex,
        custodian: 1,
        actor: recorder(1),
        version: 2,
      }),
      synthetic.revoked(ctx.at(), {
        subject: subjects[1] as Hex,
        custodian: 1,
        actor: recorder(1),
        version: 2,
      }),
      synthetic.revoked(ctx.at(), {
        subject: subjects[4] as Hex,
        custodian: 2,
        actor: recorder(2),
        version: 2,
      }),
      synthetic.accountAdded(ctx.at(), { orgId: 2, account: address("new-admin") }),
    ]),
  );
  add(
    syntheticBlock(n++, day0 + 2 * DAY + 5, (ctx) => [
      synthetic.granted(ctx.at(), {
        subject: subjects[1] as Hex,
        custodian: 1,
        actor: recorder(1),
        version: 3,
      }),
      synthetic.accountAdded(ctx.at(), { orgId: 3, account: address("another-admin") }),
    ]),
  );
  return blocks;
}

async function writeAll(target: AuditIndex, list: readonly AuditBlock[]) {
  for (const block of list) await target.writeBlock(block);
}

/** Reads every page of a read, `limit` at a time, checking each page's size. */
async function allPages<T>(
  read: (page: AuditPageRequest) => Promise<AuditPage<T>>,
  limit: number,
): Promise<{ items: T[]; pages: number }> {
  const items: T[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = await read({ limit, ...(cursor === undefined ? {} : { cursor }) });
    pages++;
    expect(page.items.length).toBeLessThanOrEqual(limit);
    if (page.cursor !== undefined) expect(page.items.length).toBe(limit);
    items.push(...page.items);
    cursor = page.cursor;
  } while (cursor !== undefined);
  return { items, pages };
}

const newestFirst = (a: QueryPlan, b: QueryPlan) => b.time - a.time || b.id - a.id;
const ids = (summaries: readonly QuerySummary[]) => summaries.map((s) => Number(s.queryId));

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "custos-audit-reads-"));
  index = await openAuditIndex({ location: join(dir, "audit") });
  await writeAll(index, plan());
});

afterAll(async () => {
  await index?.close();
  await rm(dir, { recursive: true, force: true });
});

describe("listQueries", () => {
  it("lists every query newest first, a page at a time, and oldest first on request", async () => {
    const desc = await allPages((page) => index.reader.listQueries(page), 7);
    expect(desc.pages).toBe(6);
    expect(ids(desc.items)).toEqual([...queries].sort(newestFirst).map((q) => q.id));
    const asc = await allPages((page) => index.reader.listQueries({ ...page, order: "asc" }), 9);
    expect(ids(asc.items)).toEqual(queries.map((q) => q.id));
    expect((await index.reader.listQueries()).items).toHaveLength(40);
  });

  it("narrows by researcher, organisation, hospital, purpose, time and any combination", async () => {
    const cases: [Parameters<typeof index.reader.listQueries>[0], (q: QueryPlan) => boolean][] = [
      [{ researcher: researchers[1] }, (q) => q.researcher === researchers[1]],
      [
        { researcher: (researchers[2] as string).toUpperCase().replace("0X", "0x") },
        (q) => q.researcher === researchers[2],
      ],
      [{ org: 11 }, (q) => q.org === 11],
      [{ hospital: 2 }, (q) => q.targets.includes(2)],
      [{ hospital: 9 }, () => false],
      [{ purpose: "GRU" }, (q) => q.purpose === GRU],
      [{ purpose: DS }, (q) => q.purpose === DS],
      [{ from: T0 + 300, to: T0 + 600 }, (q) => q.time >= T0 + 300 && q.time <= T0 + 600],
      [{ from: T0 + 1140 }, (q) => q.time >= T0 + 1140],
      [
        { researcher: researchers[0], purpose: "HMB", hospital: 1 },
        (q) => q.researcher === researchers[0] && q.purpose === HMB && q.targets.includes(1),
      ],
      [{ org: 10, to: T0 + 500 }, (q) => q.org === 10 && q.time <= T0 + 500],
    ];
    for (const [filter, keep] of cases) {
      const expected = queries
        .filter(keep)
        .sort(newestFirst)
        .map((q) => q.id);
      const { items } = await allPages(
        (page) => index.reader.listQueries({ ...filter, ...page }),
        3,
      );
      expect(ids(items), JSON.stringify(filter)).toEqual(expected);
    }
  });

  it("keeps cursors stable: the same cursor gives the same page while newer queries arrive", async () => {
    const first = await index.reader.listQueries({ hospital: 1, limit: 4 });
    const second = await index.reader.listQueries({ hospital: 1, limit: 4, cursor: first.cursor });
    expect(await index.reader.listQueries({ hospital: 1, limit: 4, cursor: first.cursor })).toEqual(
      second,
    );
    const ascFirst = await index.reader.listQueries({ order: "asc", limit: 30 });
    // A later query, written after the pages were read.
    const other = await mkdtemp(join(tmpdir(), "custos-audit-reads-more-"));
    const grown = await openAuditIndex({ location: join(other, "audit") });
    try {
      await writeAll(grown, blocks);
      const last = blocks[blocks.length - 1] as AuditBlock;
      await grown.writeBlock(
        syntheticBlock(last.number + 1, last.timestamp + 10, (ctx) => [
          synthetic.submitted(ctx.at(), {
            queryId: 41,
            researcher: researchers[0] as Hex,
            researcherOrg: 10,
            purpose: HMB,
            targets: [1],
            expiry: last.timestamp + 9999,
          }),
        ]),
      );
      expect(
        await grown.reader.listQueries({ hospital: 1, limit: 4, cursor: first.cursor }),
      ).toEqual(second);
      const rest = await grown.reader.listQueries({ order: "asc", cursor: ascFirst.cursor });
      expect(ids(rest.items)).toEqual([31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41]);
      expect(ids((await grown.reader.listQueries({ limit: 1 })).items)).toEqual([41]);
    } finally {
      await grown.close();
      await rm(other, { recursive: true, force: true });
    }
  });

  it("refuses pages above the cap, bad limits, foreign cursors and malformed filters", async () => {
    const r = index.reader;
    const tooLarge = await expectCustosError(
      r.listQueries({ limit: MAX_AUDIT_PAGE_SIZE + 1 }),
      "AUDIT_PAGE_TOO_LARGE",
    );
    expect(tooLarge.details).toMatchObject({
      limit: MAX_AUDIT_PAGE_SIZE + 1,
      max: MAX_AUDIT_PAGE_SIZE,
    });
    expect((await r.listQueries({ limit: MAX_AUDIT_PAGE_SIZE })).items).toHaveLength(40);
    for (const limit of [0, -1, 1.5, Number.NaN]) {
      await expectCustosError(r.listQueries({ limit }), "AUDIT_REQUEST_INVALID");
    }
    const governance = await r.governance({ limit: 1 });
    for (const cursor of ["", "not a cursor!", "AQID", governance.cursor as string]) {
      await expectCustosError(r.listQueries({ cursor }), "AUDIT_CURSOR_INVALID");
    }
    const bad: Parameters<typeof r.listQueries>[0][] = [
      { researcher: "0x1234" },
      { researcher: "researcher" },
      { org: -1 },
      { org: 1.5 },
      { hospital: 2 ** 32 },
      { purpose: "NCU" },
      { purpose: "XYZ" },
      { purpose: 3 },
      { from: -5 },
      { from: 10, to: 5 },
      { order: "sideways" as "asc" },
    ];
    for (const filter of bad) {
      await expectCustosError(r.listQueries(filter), "AUDIT_REQUEST_INVALID");
    }
  });
});

describe("a query's trail", () => {
  it("holds the summary and every entry of the query in chain order, paged", async () => {
    const trail = await index.reader.queryTrail("1");
    const mine = written.filter((e) => "queryId" in e.fields && e.fields.queryId === "1");
    expect(mine.map((e) => e.event)).toEqual([
      "QuerySubmitted",
      "QueryApproved",
      "ResultRecorded",
      "QueryDeclined",
      "QueryClosed",
    ]);
    expect(trail?.items).toEqual(mine);
    expect(trail?.cursor).toBeUndefined();
    const summary = trail?.summary as QuerySummary;
    expect(summary).toMatchObject({
      queryId: "1",
      status: "closed",
      researcher: researchers[0],
      researcherOrg: 10,
      purpose: HMB,
      purposeLabel: "HMB",
      targets: [1, 2],
      responseCount: 2,
      epsilonTotal: "1500000",
      closed: { closedBy: researchers[0] },
    });
    expect(summary.approvals).toEqual([
      { reviewBoardOrg: 7, approver: board, blockNumber: 21, timestamp: T0 + 2000 },
    ]);
    expect(summary.responses.map((r) => [r.hospitalId, r.status, r.epsilon, r.reason])).toEqual([
      [1, "recorded", "1500000", null],
      [2, "declined", null, "cohortTooSmall"],
    ]);
    const paged = await allPages(async (page) => {
      const t = await index.reader.queryTrail(1n, page);
      return t as NonNullable<typeof t>;
    }, 2);
    expect(paged.items).toEqual(mine);
    expect(paged.pages).toBe(3);
  });

  it("is undefined for an unknown query and refuses malformed ids", async () => {
    expect(await index.reader.queryTrail(999)).toBeUndefined();
    for (const id of ["x", "-1", 1.5, "18446744073709551616"]) {
      await expectCustosError(index.reader.queryTrail(id), "AUDIT_REQUEST_INVALID");
    }
  });

  it("lists an open query as submitted, with its targets unanswered", async () => {
    const trail = await index.reader.queryTrail(40);
    expect(trail?.summary.status).toBe("submitted");
    expect(trail?.summary.responses.every((r) => r.status === "none")).toBe(true);
    expect(trail?.items.map((e) => e.event)).toEqual(["QuerySubmitted"]);
  });
});

describe("subject history, budgets, consent series, governance, entries", () => {
  it("gives a consent record's entries in chain order, paged, and nothing for another custodian", async () => {
    const subject = subjects[1] as Hex;
    const mine = written.filter(
      (e) => e.area === "consent" && "subject" in e.fields && e.fields.subject === subject,
    );
    expect(mine.map((e) => e.event)).toEqual([
      "ConsentGranted",
      "ConsentRevoked",
      "ConsentGranted",
    ]);
    const { items, pages } = await allPages(
      (page) => index.reader.subjectHistory(1, subject, page),
      2,
    );
    expect(items).toEqual(mine);
    expect(pages).toBe(2);
    expect((await index.reader.subjectHistory(2, subject)).items).toEqual([]);
    await expectCustosError(index.reader.subjectHistory(1, "0x1234"), "AUDIT_REQUEST_INVALID");
    await expectCustosError(index.reader.subjectHistory(-1, subject), "AUDIT_REQUEST_INVALID");
  });

  it("gives ε budgets per organisation and hospital: limits set and results charged", async () => {
    const all = await index.reader.budgets();
    expect(
      all.items.map((b) => [
        b.researcherOrg,
        b.hospitalId,
        b.limit,
        b.spent,
        b.remaining,
        b.results,
      ]),
    ).toEqual([
      [10, 1, "5000000", "1500000", "3500000", 1],
      [10, 3, "0", "0", "0", 1],
      [11, 3, "2000000", "0", "2000000", 0],
    ]);
    expect((await index.reader.budgets(11)).items).toEqual([all.items[2]]);
    expect((await index.reader.budgets(12)).items).toEqual([]);
    const paged = await allPages((page) => index.reader.budgets(undefined, page), 1);
    expect(paged.items).toEqual(all.items);
    const first = await index.reader.budgets(10, { limit: 1 });
    expect((await index.reader.budgets(10, { cursor: first.cursor })).items).toEqual([
      all.items[1],
    ]);
  });

  it("counts consent grants, updates and revocations per UTC day and custodian", async () => {
    const day0 = Math.ceil(T0 / DAY) * DAY + 100;
    const date = (t: number) => new Date(t * 1000).toISOString().slice(0, 10);
    const series = await index.reader.consentSeries(T0, day0 + 3 * DAY);
    expect(series.items).toEqual([
      { day: date(day0), custodian: 1, grants: 4, updates: 0, revocations: 0 },
      { day: date(day0), custodian: 2, grants: 2, updates: 0, revocations: 0 },
      { day: date(day0 + DAY), custodian: 1, grants: 0, updates: 1, revocations: 1 },
      { day: date(day0 + DAY), custodian: 2, grants: 0, updates: 0, revocations: 1 },
      { day: date(day0 + 2 * DAY), custodian: 1, grants: 1, updates: 0, revocations: 0 },
    ]);
    const middle = await index.reader.consentSeries(day0 + DAY, day0 + DAY + 10);
    expect(middle.items).toEqual(series.items.slice(2, 4));
    const paged = await allPages((page) => index.reader.consentSeries(0, day0 + 9 * DAY, page), 2);
    expect(paged.items).toEqual(series.items);
    await expectCustosError(index.reader.consentSeries(day0, T0), "AUDIT_REQUEST_INVALID");
  });

  it("lists governance entries and entries by block range in chain order", async () => {
    const governance = written.filter((e) => e.area === "governance");
    expect(governance).toHaveLength(2);
    expect((await allPages((page) => index.reader.governance(page), 1)).items).toEqual(governance);
    const range = await allPages(
      (page) => index.reader.entries({ ...page, fromBlock: 21, toBlock: 23 }),
      2,
    );
    expect(range.items).toEqual(
      written.filter((e) => e.at.blockNumber >= 21 && e.at.blockNumber <= 23),
    );
    expect(
      (await allPages((page) => index.reader.entries(page), MAX_AUDIT_PAGE_SIZE)).items,
    ).toEqual(written);
    await expectCustosError(
      index.reader.entries({ fromBlock: 5, toBlock: 4 }),
      "AUDIT_REQUEST_INVALID",
    );
  });

  it("reports the last indexed block", async () => {
    const last = blocks[blocks.length - 1] as AuditBlock;
    expect(await index.reader.status()).toEqual({
      indexedBlock: last.number,
      indexedHash: last.hash,
      headBlock: null,
      behind: null,
      fault: null,
    });
  });
});

describe("writes and the index's life", () => {
  it("refuses a block that does not follow the head, and changes nothing", async () => {
    const last = blocks[blocks.length - 1] as AuditBlock;
    const skipped = syntheticBlock(last.number + 2, last.timestamp + 1);
    await expectCustosError(index.writeBlock(skipped), "AUDIT_INDEX_GAP");
    const forked = {
      ...syntheticBlock(last.number + 1, last.timestamp + 1),
      parentHash: hash32("fork"),
    };
    await expectCustosError(index.writeBlock(forked), "AUDIT_INDEX_GAP");
    await expectCustosError(index.writeBlock(blocks[3] as AuditBlock), "AUDIT_INDEX_GAP");
    await expectCustosError(
      index.advance({ number: last.number, hash: last.hash }),
      "AUDIT_INDEX_GAP",
    );
    expect(index.head()?.number).toBe(last.number);
  });

  it("moves its head over blocks without entries, then files the next block on it", async () => {
    const location = join(dir, "advance");
    const target = await openAuditIndex({ location });
    try {
      await target.advance({ number: 4, hash: hash32("block-4") });
      expect(await target.reader.entries()).toEqual({ items: [] });
      await expectCustosError(target.writeBlock(syntheticBlock(6, T0)), "AUDIT_INDEX_GAP");
      await target.writeBlock(
        syntheticBlock(5, T0, (c) => [
          synthetic.accountAdded(c.at(), { orgId: 1, account: board }),
        ]),
      );
      expect(target.head()).toEqual({ number: 5, hash: hash32("block-5") });
      expect((await target.reader.governance()).items).toHaveLength(1);
    } finally {
      await target.close();
    }
  });

  it("keeps its head across a reopen, refuses reads once closed, and clears another layout version", async () => {
    const location = join(dir, "lifecycle");
    const first = await openAuditIndex({ location });
    await writeAll(first, blocks.slice(0, 3));
    await first.close();
    await expectCustosError(first.reader.listQueries(), "AUDIT_INDEX_UNAVAILABLE");
    await expectCustosError(first.writeBlock(blocks[3] as AuditBlock), "AUDIT_INDEX_UNAVAILABLE");
    const reopened = await openAuditIndex({ location });
    expect(reopened.head()).toEqual({ number: 2, hash: (blocks[2] as AuditBlock).hash });
    expect((await reopened.reader.listQueries()).items).toHaveLength(4);
    await reopened.close();
    const level = new Level<Uint8Array, Uint8Array>(location, {
      keyEncoding: "view",
      valueEncoding: "view",
    });
    await level.put(AUDIT_VERSION_KEY, Uint8Array.of(0, 0, 0, 99));
    await level.close();
    const upgraded = await openAuditIndex({ location });
    expect(upgraded.head()).toBeUndefined();
    expect((await upgraded.reader.listQueries()).items).toEqual([]);
    await upgraded.close();
    const fresh = await openAuditIndex({ location, fresh: true });
    expect(fresh.head()).toBeUndefined();
    await fresh.close();
  });
});

describe("a filter few queries match", () => {
  it(`ends a page after ${MAX_AUDIT_SCAN} keys with a cursor, and the pages still find every match`, async () => {
    const location = join(dir, "scan");
    const big = await openAuditIndex({ location });
    try {
      const researcher = researchers[0] as Hex;
      const total = MAX_AUDIT_SCAN + 500;
      const matching = new Set([5, MAX_AUDIT_SCAN + 400]);
      await big.writeBlock(syntheticBlock(0, T0));
      for (let first = 1, n = 1; first <= total; first += 1000, n++) {
        await big.writeBlock(
          syntheticBlock(n, T0 + n, (ctx) =>
            Array.from({ length: Math.min(1000, total - first + 1) }, (_, i) =>
              synthetic.submitted(ctx.at(), {
                queryId: first + i,
                researcher,
                researcherOrg: 10,
                purpose: matching.has(first + i) ? HMB : GRU,
                targets: [1],
                expiry: T0 + 99_999,
              }),
            ),
          ),
        );
      }
      const filter = { researcher, purpose: "HMB", order: "asc" as const, limit: 10 };
      const page1 = await big.reader.listQueries(filter);
      expect(ids(page1.items)).toEqual([5]);
      expect(page1.cursor).toBeDefined();
      const page2 = await big.reader.listQueries({ ...filter, cursor: page1.cursor });
      expect(ids(page2.items)).toEqual([MAX_AUDIT_SCAN + 400]);
      expect(page2.cursor).toBeUndefined();
    } finally {
      await big.close();
    }
  });
});
