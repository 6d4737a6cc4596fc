import { createHash } from "node:crypto";
import { appendFile, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { PersonMap } from "../../../../nodes/dataService/buildPersonMap.ts";
import {
  createDisclosureStore,
  DISCLOSURE_CHUNK_WIDTH,
  type DisclosureStore,
} from "../../../../nodes/dataService/disclosures/index.ts";
import { buildCohortTree, verifyInclusion } from "../../../../src/consentIndex/index.ts";
import { expectCustosError } from "../../../expectCustosError.ts";

const dirs: string[] = [];
const stores: DisclosureStore[] = [];

afterEach(async () => {
  for (const store of stores.splice(0)) store.close();
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "custos-disclosures-"));
  dirs.push(dir);
  return dir;
}

async function open(dir: string, persons: PersonMap): Promise<DisclosureStore> {
  const store = await createDisclosureStore(dir, persons);
  stores.push(store);
  return store;
}

/** The one roster directory of a store's directory. */
async function rosterDirOf(dir: string): Promise<string> {
  const names = (await readdir(dir)).filter((name) => /^[0-9a-f]{64}$/.test(name));
  expect(names).toHaveLength(1);
  return join(dir, names[0] as string);
}

function pseudonym(seed: string, i: number): Uint8Array {
  return createHash("sha256").update(`${seed}:${i}`).digest();
}

function hex(bytes: Uint8Array): `0x${string}` {
  return `0x${Buffer.from(bytes).toString("hex")}`;
}

/** Persons 1000.. with pseudonyms from `seed`; `duplicate` gives the last person the first's. */
function personMap(count: number, seed = "a", duplicate = false): PersonMap {
  const subjects = new Uint8Array(count * 32);
  for (let i = 0; i < count; i++) subjects.set(pseudonym(seed, i), i * 32);
  if (duplicate) subjects.set(pseudonym(seed, 0), (count - 1) * 32);
  return {
    count,
    subjects,
    personIds: Float64Array.from({ length: count }, (_, i) => 1000 + i * 3),
  };
}

function subjectOf(persons: PersonMap, index: number): `0x${string}` {
  return hex(persons.subjects.subarray(index * 32, (index + 1) * 32));
}

/** A deterministic pick of person indices, ascending, by a query's number. */
function pick(count: number, query: number, share: number): Uint32Array {
  const picked: number[] = [];
  for (let i = 0; i < count; i++) {
    const draw = createHash("sha256").update(`${query}/${i}`).digest().readUInt16BE(0);
    if (draw / 65536 < share) picked.push(i);
  }
  return Uint32Array.from(picked);
}

function snapshotOf(persons: PersonMap, allowed: Uint32Array) {
  const members = new Uint8Array(allowed.length * 32);
  for (const [k, i] of allowed.entries()) {
    members.set(persons.subjects.subarray(i * 32, (i + 1) * 32), k * 32);
  }
  return { allowedIndices: allowed, root: buildCohortTree(members).root };
}

interface Recorded {
  readonly queryId: string;
  readonly allowed: Set<number>;
  readonly counted: Set<number>;
  readonly root: string;
}

async function recordQuery(
  store: DisclosureStore,
  persons: PersonMap,
  query: number,
): Promise<Recorded> {
  const allowed = pick(persons.count, query, 0.7);
  const counted = Uint32Array.from(allowed).filter((_, k) => k % 3 === 0);
  const snapshot = snapshotOf(persons, allowed);
  await store.record(
    String(query),
    snapshot,
    Float64Array.from(counted, (i) => persons.personIds[i] as number),
  );
  return {
    queryId: String(query),
    allowed: new Set(allowed),
    counted: new Set(counted),
    root: snapshot.root,
  };
}

/**
 * What a subject's accounting must hold: every query that allowed one of the persons with
 * their pseudonym, newest first.
 */
function expected(recorded: readonly Recorded[], person: number, ...sharing: number[]) {
  const persons = [person, ...sharing];
  return recorded
    .filter((r) => persons.some((p) => r.allowed.has(p)))
    .reverse()
    .map((r) => ({
      queryId: r.queryId,
      consentRoot: r.root,
      counted: persons.some((p) => r.counted.has(p)),
    }));
}

function listAll(store: DisclosureStore, subject: string, limit: number) {
  const items = [];
  let cursor: string | undefined;
  do {
    const page = store.list(subject, { limit, ...(cursor === undefined ? {} : { cursor }) });
    expect(page.items.length).toBeLessThanOrEqual(limit);
    items.push(...page.items);
    cursor = page.next ?? undefined;
  } while (cursor !== undefined);
  return items;
}

describe("createDisclosureStore", () => {
  it("lists every query whose snapshot held a subject, newest first, across chunks and pages", async () => {
    const persons = personMap(300);
    const store = await open(await tempDir(), persons);
    const recorded: Recorded[] = [];
    for (let q = 1; q <= DISCLOSURE_CHUNK_WIDTH * 2 + 5; q++) {
      recorded.push(await recordQuery(store, persons, q));
    }
    for (const person of [0, 17, 150, 299]) {
      const subject = subjectOf(persons, person);
      expect(store.list(subject, { limit: 1000 }).items).toEqual(expected(recorded, person));
      expect(listAll(store, subject, 7)).toEqual(expected(recorded, person));
    }
    const stranger = hex(pseudonym("nobody", 1));
    expect(store.list(stranger)).toEqual({ items: [], next: null });
  });

  it("proves each listed disclosure against the recorded root, and nothing else", async () => {
    const persons = personMap(400);
    const store = await open(await tempDir(), persons);
    const recorded: Recorded[] = [];
    for (let q = 1; q <= 70; q++) recorded.push(await recordQuery(store, persons, q));
    for (const person of [3, 222]) {
      const subject = subjectOf(persons, person);
      for (const r of recorded) {
        const proof = store.prove(subject, r.queryId);
        if (!r.allowed.has(person)) {
          expect(proof).toBeUndefined();
          continue;
        }
        expect(proof?.consentRoot).toBe(r.root);
        expect(proof?.counted).toBe(r.counted.has(person));
        expect(verifyInclusion(r.root, subject, proof?.proof as never)).toBe(true);
      }
    }
    expect(store.prove(subjectOf(persons, 3), "999")).toBeUndefined();
  });

  it("keeps everything across a restart, a torn append and a data refresh", async () => {
    const dir = await tempDir();
    const before = personMap(200, "a", true);
    const store = await open(dir, before);
    const recorded: Recorded[] = [];
    for (let q = 1; q <= DISCLOSURE_CHUNK_WIDTH + 3; q++) {
      recorded.push(await recordQuery(store, before, q));
    }
    store.close();
    stores.splice(0);
    // A crash in the middle of sealing the next chunk leaves a partial region behind.
    await appendFile(join(await rosterDirOf(dir), "columns.bin"), new Uint8Array(100).fill(0xff));
    const reopened = await open(dir, before);
    // Persons 0 and 199 share one pseudonym: one subject, counted once per query.
    expect(reopened.list(subjectOf(before, 0), { limit: 1000 }).items).toEqual(
      expected(recorded, 0, 199),
    );
    expect(reopened.list(subjectOf(before, 5), { limit: 1000 }).items).toEqual(
      expected(recorded, 5),
    );
    reopened.close();
    stores.splice(0);
    const after = personMap(150, "b");
    const refreshed = await open(dir, after);
    const later = await recordQuery(refreshed, after, 500);
    expect(refreshed.list(subjectOf(before, 5), { limit: 1000 }).items).toEqual(
      expected(recorded, 5),
    );
    expect(refreshed.list(subjectOf(after, 10), { limit: 1000 }).items).toEqual(
      expected([later], 10),
    );
    const old = recorded.find((r) => r.allowed.has(5)) as Recorded;
    const proof = refreshed.prove(subjectOf(before, 5), old.queryId);
    expect(verifyInclusion(old.root, subjectOf(before, 5), proof?.proof as never)).toBe(true);
  });

  it("lets a re-run of a query supersede its first record", async () => {
    const persons = personMap(120);
    const store = await open(await tempDir(), persons);
    const first = await recordQuery(store, persons, 1);
    const rerunAllowed = Uint32Array.from({ length: 60 }, (_, i) => i * 2);
    const rerun = snapshotOf(persons, rerunAllowed);
    await store.record("1", rerun, new Float64Array(0));
    const odd = [...first.allowed].find((i) => i % 2 === 1) as number;
    expect(store.list(subjectOf(persons, odd)).items).toEqual([]);
    expect(store.list(subjectOf(persons, 4)).items).toEqual([
      { queryId: "1", consentRoot: rerun.root, counted: false },
    ]);
  });

  it("refuses a snapshot whose persons do not hash to its root, and bad arguments", async () => {
    const persons = personMap(50);
    const store = await open(await tempDir(), persons);
    const snapshot = snapshotOf(persons, Uint32Array.of(1, 2, 3));
    await expectCustosError(
      store.record("1", { ...snapshot, allowedIndices: Uint32Array.of(1, 2) }, new Float64Array(0)),
      "INTERNAL",
    );
    expect(store.list(subjectOf(persons, 1)).items).toEqual([]);
    expectCustosError(() => store.list("0x1234"), "INVALID_ARGUMENT");
    expectCustosError(() => store.list(subjectOf(persons, 1), { limit: 1001 }), "INVALID_ARGUMENT");
    expectCustosError(() => store.list(subjectOf(persons, 1), { cursor: "x" }), "INVALID_ARGUMENT");
  });

  it("names a damaged chunk index instead of answering from it", async () => {
    const dir = await tempDir();
    const persons = personMap(40);
    const store = await open(dir, persons);
    await recordQuery(store, persons, 1);
    store.close();
    stores.splice(0);
    const index = join(await rosterDirOf(dir), "chunks.json");
    await writeFile(index, "{not json");
    const error = await expectCustosError(
      createDisclosureStore(dir, persons),
      "DISCLOSURE_STORE_CORRUPT",
    );
    expect(error.details?.file).toBe(index);
  });
});
