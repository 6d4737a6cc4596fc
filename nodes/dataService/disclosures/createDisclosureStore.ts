import { mkdir, readdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { buildSortedCohortTree, type CohortTree } from "../../../src/consentIndex/index.ts";
import { CustosError } from "../../../src/errors/index.ts";
import type { PersonMap } from "../buildPersonMap.ts";
import { type ColumnRef, DisclosureColumns } from "./DisclosureColumns.ts";
import {
  buildDisclosureRoster,
  type DisclosureRoster,
  rosterIdOf,
  rosterPositionOf,
} from "./DisclosureRoster.ts";
import {
  type Disclosure,
  type DisclosureStore,
  MAX_DISCLOSURE_PAGE_SIZE,
} from "./DisclosureStore.ts";

const SUBJECT = /^0x[0-9a-fA-F]{64}$/;
const DEFAULT_PAGE = 100;
/** Snapshot trees kept for proofs: the newest queries are the ones asked about most. */
const TREE_CACHE = 4;

interface RosterState {
  readonly roster: DisclosureRoster;
  readonly columns: DisclosureColumns;
}

interface Latest extends ColumnRef {
  readonly rosterId: string;
  readonly seq: number;
}

function subjectBytes(subject: string): Uint8Array {
  if (typeof subject !== "string" || !SUBJECT.test(subject)) {
    throw new CustosError("INVALID_ARGUMENT", "subject must be a 0x-prefixed 32-byte pseudonym", {
      details: { field: "subject" },
    });
  }
  return Buffer.from(subject.slice(2), "hex");
}

function pageOf(page: { readonly cursor?: string; readonly limit?: number }) {
  const limit = page.limit ?? DEFAULT_PAGE;
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_DISCLOSURE_PAGE_SIZE) {
    throw new CustosError("INVALID_ARGUMENT", `limit must be 1 to ${MAX_DISCLOSURE_PAGE_SIZE}`, {
      details: { field: "limit", max: MAX_DISCLOSURE_PAGE_SIZE },
    });
  }
  if (page.cursor !== undefined && !/^\d{1,15}$/.test(page.cursor)) {
    throw new CustosError("INVALID_ARGUMENT", "cursor is not one this list returned", {
      details: { field: "cursor" },
    });
  }
  return {
    limit,
    before: page.cursor === undefined ? Number.POSITIVE_INFINITY : Number(page.cursor),
  };
}

/** The person-map index of an OMOP person id (`personIds` ascending), or -1. */
function personIndexOf(personIds: Float64Array, personId: number): number {
  let lo = 0;
  let hi = personIds.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const value = personIds[mid] as number;
    if (value === personId) return mid;
    if (value < personId) lo = mid + 1;
    else hi = mid;
  }
  return -1;
}

function sortedDistinct(values: Uint32Array): Uint32Array {
  const sorted = Uint32Array.from(values).sort();
  let n = 0;
  for (let i = 0; i < sorted.length; i++) {
    if (n === 0 || sorted[i] !== sorted[n - 1]) sorted[n++] = sorted[i] as number;
  }
  return sorted.slice(0, n);
}

function membersOf(roster: DisclosureRoster, positions: Uint32Array): Uint8Array {
  const members = new Uint8Array(positions.length * 32);
  positions.forEach((p, i) => {
    members.set(roster.sorted.subarray(p * 32, (p + 1) * 32), i * 32);
  });
  return members;
}

async function openRoster(dir: string, roster: DisclosureRoster): Promise<RosterState> {
  const rosterDir = join(dir, roster.id);
  await mkdir(rosterDir, { recursive: true, mode: 0o700 });
  const file = join(rosterDir, "roster.bin");
  const existing = await readFile(file).catch(() => null);
  if (existing === null || existing.length !== roster.sorted.length) {
    await writeFile(`${file}.tmp`, roster.sorted, { flush: true, mode: 0o600 });
    await rename(`${file}.tmp`, file);
  }
  return { roster, columns: await DisclosureColumns.open(rosterDir, roster.size) };
}

async function readRoster(dir: string, id: string): Promise<DisclosureRoster> {
  const file = join(dir, id, "roster.bin");
  const sorted = new Uint8Array(await readFile(file));
  if (sorted.length % 32 !== 0 || rosterIdOf(sorted) !== id) {
    throw new CustosError("DISCLOSURE_STORE_CORRUPT", `the disclosure roster ${file} is damaged`, {
      details: { file, reason: "its hash is not its name" },
    });
  }
  return { id, sorted, size: sorted.length / 32, positionOfPerson: null };
}

/**
 * Opens a data service's disclosure store in `dir` for its current person map. Each person
 * map (roster) keeps its own directory, so the accounting of queries run before a data
 * refresh survives it.
 *
 * @throws CustosError `DISCLOSURE_STORE_CORRUPT` naming a damaged file.
 * @example
 * ```ts
 * const disclosures = await createDisclosureStore(join(dataDir, "disclosures"), persons);
 * ```
 */
export async function createDisclosureStore(
  dir: string,
  persons: PersonMap,
): Promise<DisclosureStore> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const current = await openRoster(dir, buildDisclosureRoster(persons.subjects, persons.count));
  const rosters = new Map<string, RosterState>([[current.roster.id, current]]);
  try {
    for (const name of await readdir(dir)) {
      if (!/^[0-9a-f]{64}$/.test(name) || rosters.has(name)) continue;
      rosters.set(name, await openRoster(dir, await readRoster(dir, name)));
    }
  } catch (error) {
    for (const state of rosters.values()) state.columns.close();
    throw error;
  }
  const latest = new Map<string, Latest>();
  let seq = 0;
  for (const [rosterId, state] of rosters) {
    state.columns.chunks.forEach((entries, chunk) => {
      entries.forEach((entry, column) => {
        seq = Math.max(seq, entry.seq + 1);
        const known = latest.get(entry.queryId);
        if (known === undefined || known.seq < entry.seq) {
          latest.set(entry.queryId, { rosterId, chunk, column, seq: entry.seq });
        }
      });
    });
  }
  const trees = new Map<string, CohortTree>();
  const remember = (key: string, tree: CohortTree) => {
    trees.delete(key);
    trees.set(key, tree);
    if (trees.size > TREE_CACHE) trees.delete(trees.keys().next().value as string);
  };

  const treeOf = (state: RosterState, ref: Latest, root: string): CohortTree => {
    const key = `${ref.rosterId}:${ref.chunk}:${ref.column}`;
    const cached = trees.get(key);
    if (cached !== undefined) return cached;
    const tree = buildSortedCohortTree(
      membersOf(state.roster, state.columns.allowedPositions(ref)),
    );
    if (tree.root !== root) {
      throw new CustosError(
        "DISCLOSURE_STORE_CORRUPT",
        "a recorded snapshot no longer hashes to its root",
        { details: { reason: "root mismatch", file: join(dir, ref.rosterId, "columns.bin") } },
      );
    }
    remember(key, tree);
    return tree;
  };

  return {
    async record(queryId, snapshot, countedPersonIds) {
      const positionOf = current.roster.positionOfPerson as Uint32Array;
      const allowed = sortedDistinct(
        Uint32Array.from(snapshot.allowedIndices, (i) => positionOf[i] as number),
      );
      const counted: number[] = [];
      for (const personId of countedPersonIds) {
        const index = personIndexOf(persons.personIds, personId);
        if (index >= 0) counted.push(positionOf[index] as number);
      }
      const tree = buildSortedCohortTree(membersOf(current.roster, allowed));
      if (tree.root !== snapshot.root.toLowerCase()) {
        throw new CustosError(
          "INTERNAL",
          "the consent snapshot's root is not the root of the persons it allowed",
          { details: { queryId } },
        );
      }
      const entry = { queryId, root: tree.root, seq };
      const ref = await current.columns.record(
        entry,
        allowed,
        sortedDistinct(Uint32Array.from(counted)),
      );
      seq++;
      const at = { rosterId: current.roster.id, ...ref, seq: entry.seq };
      latest.set(queryId, at);
      remember(`${at.rosterId}:${at.chunk}:${at.column}`, tree);
    },

    list(subject, page = {}) {
      const bytes = subjectBytes(subject);
      const { limit, before } = pageOf(page);
      const found: (Disclosure & { seq: number })[] = [];
      for (const [rosterId, state] of rosters) {
        const position = rosterPositionOf(state.roster.sorted, bytes);
        if (position < 0) continue;
        for (const hit of state.columns.hitsAt(position)) {
          const at = latest.get(hit.entry.queryId);
          if (at?.seq !== hit.entry.seq || at.rosterId !== rosterId || hit.entry.seq >= before) {
            continue;
          }
          found.push({
            queryId: hit.entry.queryId,
            consentRoot: hit.entry.root as `0x${string}`,
            counted: hit.counted,
            seq: hit.entry.seq,
          });
        }
      }
      found.sort((a, b) => b.seq - a.seq);
      const items = found.slice(0, limit);
      const last = items.at(-1);
      return {
        items: items.map(({ seq: _, ...item }) => item),
        next: found.length > limit && last !== undefined ? String(last.seq) : null,
      };
    },

    prove(subject, queryId) {
      const bytes = subjectBytes(subject);
      const at = latest.get(queryId);
      if (at === undefined) return undefined;
      const state = rosters.get(at.rosterId) as RosterState;
      const position = rosterPositionOf(state.roster.sorted, bytes);
      if (position < 0) return undefined;
      // One 16-byte read: the column the query's latest record is in.
      const hit = state.columns.hitAt(at, position);
      if (hit === undefined) return undefined;
      const tree = treeOf(state, at, hit.entry.root);
      const proof = tree.prove(subject.toLowerCase());
      if (proof === undefined) return undefined;
      return {
        queryId,
        subject: subject.toLowerCase() as `0x${string}`,
        consentRoot: hit.entry.root as `0x${string}`,
        counted: hit.counted,
        proof,
      };
    },

    close() {
      for (const state of rosters.values()) state.columns.close();
    },
  };
}
