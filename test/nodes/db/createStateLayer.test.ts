import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createStateLayer, type StateLayer } from "../../../nodes/db/createStateLayer.ts";
import { type JournalRecord, readJournalRecord } from "../../../nodes/db/droppedStateJournal.ts";
import { keyspaces } from "../../../nodes/db/keyspaces.ts";

/** A database as the persists leave it: full key (keyspace byte ‖ key) in hex → value. */
type Disk = Map<string, Uint8Array>;

const hexOf = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");
const spaceHex = (space: number) => space.toString(16).padStart(2, "0");
const stateHex = spaceHex(keyspaces.state);
const journalHex = spaceHex(keyspaces.droppedState);

function persist(layer: StateLayer, disk: Disk): void {
  for (const op of layer.ops()) {
    if (op.type === "put") disk.set(hexOf(op.key), op.value);
    else disk.delete(hexOf(op.key));
  }
  layer.persisted();
}

/** The journal records on disk, as a restart reads them. */
function journalOf(disk: Disk): JournalRecord[] {
  return [...disk]
    .filter(([key]) => key.startsWith(journalHex))
    .map(([key, value]) => readJournalRecord(Buffer.from(key, "hex"), value));
}

/** The state keys (hex) the journal records on disk list. */
function journaledKeys(disk: Disk): Set<string> {
  return new Set(journalOf(disk).flatMap((record) => record.keys.map(hexOf)));
}

/** The keys (hex, without keyspace) stored in one keyspace. */
function keysIn(disk: Disk, space: string): Set<string> {
  const keys = new Set<string>();
  for (const key of disk.keys()) if (key.startsWith(space)) keys.add(key.slice(2));
  return keys;
}

/** One block of the random history: which live nodes it drops, and how many it writes. */
interface BlockPlan {
  readonly drops: readonly number[];
  readonly fresh: number;
  readonly rewrites: readonly number[];
  readonly revives: readonly number[];
  readonly persist: boolean;
}

const blockPlan = fc.record({
  drops: fc.array(fc.nat(), { maxLength: 6 }),
  fresh: fc.nat({ max: 6 }),
  rewrites: fc.array(fc.nat(), { maxLength: 2 }),
  revives: fc.array(fc.nat(), { maxLength: 2 }),
  persist: fc.boolean(),
});

/**
 * Runs a history against a model of the state (what is live, what recent blocks dropped)
 * and checks, after every block and persist, what a reader and a restart would see.
 */
function runHistory(plans: readonly BlockPlan[], retainBlocks: number, retainBytes: number) {
  const layer = createStateLayer({ retainBlocks, retainBytes });
  const disk: Disk = new Map();
  const live = new Map<string, Uint8Array>();
  /** Dropped nodes that recent states still read, by the block that dropped them. */
  const retained = new Map<string, { value: Uint8Array; number: number }>();
  const everDropped = new Set<string>();
  const writtenSincePersist = new Set<string>();
  let next = 1;

  const readable = (hex: string, value: Uint8Array) => {
    const held = layer.get(hex);
    expect(held, `node ${hex} is readable`).not.toBeNull();
    expect(held ?? disk.get(stateHex + hex), `node ${hex} has its bytes`).toEqual(value);
  };

  plans.forEach((plan, i) => {
    const number = i + 1;
    // A stored node written again and dropped before the next persist is the documented
    // unjournaled case (garbage after a crash, never a hole): not generated.
    const liveKeys = [...live.keys()]
      .filter((hex) => !(writtenSincePersist.has(hex) && disk.has(stateHex + hex)))
      .sort();
    const dropped = new Set(plan.drops.map((d) => liveKeys[d % Math.max(1, liveKeys.length)]));
    dropped.delete(undefined);
    const writes: { key: Uint8Array; value: Uint8Array }[] = [];
    // A node recreated with the same bytes while it is held in memory only (never on disk:
    // a rewrite of a stored node dropped later is the documented unjournaled case).
    const inMemory = liveKeys.filter((hex) => !disk.has(stateHex + hex) && !dropped.has(hex));
    for (const r of plan.rewrites) {
      const hex = inMemory[r % Math.max(1, inMemory.length)];
      if (hex !== undefined)
        writes.push({ key: Buffer.from(hex, "hex"), value: live.get(hex) as Uint8Array });
    }
    // A dropped node recreated by a later block (a slot set back to an earlier value).
    const retainedKeys = [...retained.keys()].filter((hex) => !dropped.has(hex)).sort();
    for (const r of plan.revives) {
      const hex = retainedKeys[r % Math.max(1, retainedKeys.length)];
      if (hex !== undefined && !writes.some((w) => hexOf(w.key) === hex)) {
        writes.push({
          key: Buffer.from(hex, "hex"),
          value: retained.get(hex)?.value as Uint8Array,
        });
      }
    }
    for (let f = 0; f < plan.fresh; f++, next++) {
      writes.push({
        key: Uint8Array.of(next >> 8, next & 0xff),
        value: Uint8Array.of(next & 0xff, 7),
      });
    }
    const deletes = [...dropped].map((hex) => Uint8Array.from(Buffer.from(hex as string, "hex")));
    layer.apply(BigInt(number), writes, deletes);

    for (const hex of dropped as Set<string>) {
      retained.set(hex, { value: live.get(hex) as Uint8Array, number });
      live.delete(hex);
      everDropped.add(hex);
    }
    for (const { key, value } of writes) {
      live.set(hexOf(key), value);
      retained.delete(hexOf(key));
      writtenSincePersist.add(hexOf(key));
    }
    for (const [hex, { number: at }] of retained) {
      if (at <= number - retainBlocks || retainBytes === 0) retained.delete(hex);
    }

    if (plan.persist) {
      persist(layer, disk);
      writtenSincePersist.clear();
      const stored = keysIn(disk, stateHex);
      const journal = journaledKeys(disk);
      for (const hex of stored) {
        expect(live.has(hex) || retained.has(hex), `stored ${hex} is live or retained`).toBe(true);
        // Everything on disk beyond the state just persisted is journaled for a restart.
        if (!live.has(hex)) expect(journal.has(hex), `retained ${hex} is journaled`).toBe(true);
      }
      // A listed key is on disk for a retained state, or deleted already; never live.
      for (const hex of journal) expect(live.has(hex), `journaled ${hex} is not live`).toBe(false);
      for (const hex of live.keys()) expect(stored.has(hex), `live ${hex} is stored`).toBe(true);
      for (const hex of everDropped) {
        if (!live.has(hex) && !retained.has(hex)) expect(stored.has(hex)).toBe(false);
      }

      // A crash now: the restarted layer knows only the journal, and its first persist
      // leaves exactly the persisted state on disk.
      const restarted = new Map(disk);
      const reopened = createStateLayer({ retainBlocks, retainBytes, journal: journalOf(disk) });
      persist(reopened, restarted);
      expect(keysIn(restarted, stateHex)).toEqual(new Set(live.keys()));
      expect(keysIn(restarted, journalHex).size).toBe(0);
    }
    for (const [hex, value] of live) readable(hex, value);
    for (const [hex, { value }] of retained) readable(hex, value);
  });

  // A clean stop: every retained drop goes, and the disk holds exactly the head's state.
  layer.releaseAll();
  persist(layer, disk);
  expect(keysIn(disk, stateHex)).toEqual(new Set(live.keys()));
  expect(keysIn(disk, journalHex).size).toBe(0);
  for (const [hex, value] of live) readable(hex, value);
  expect(layer.dirty).toBe(false);
}

describe("createStateLayer", () => {
  it("keeps every live and retained node readable, persists no garbage and journals what a crash would leave", () => {
    fc.assert(
      fc.property(
        fc.array(blockPlan, { minLength: 1, maxLength: 40 }),
        fc.integer({ min: 1, max: 5 }),
        (plans, retainBlocks) => runHistory(plans, retainBlocks, 2 ** 30),
      ),
      { numRuns: 300 },
    );
  });

  it("lets drops go at once when the byte budget is spent, still losing no live node", () => {
    fc.assert(
      fc.property(fc.array(blockPlan, { minLength: 1, maxLength: 30 }), (plans) =>
        runHistory(plans, 4, 0),
      ),
      { numRuns: 150 },
    );
  });

  it("persists only what a block's successors did not supersede", () => {
    const layer = createStateLayer({ retainBlocks: 1, retainBytes: 2 ** 30 });
    const node = (n: number) => ({ key: Uint8Array.of(n), value: Uint8Array.of(n, n) });
    layer.apply(1n, [node(1), node(2)], []);
    layer.apply(2n, [node(3)], [Uint8Array.of(2)]);
    layer.apply(3n, [], [Uint8Array.of(3)]);
    const puts = layer
      .ops()
      .filter((op) => op.type === "put")
      .map((op) => hexOf(op.key));
    expect(puts).toEqual([`${stateHex}01`]);
    expect(layer.get("01")).toEqual(Uint8Array.of(1, 1));
    // Node 3 was dropped by the last block: still readable; node 2's drop is let go.
    expect(layer.get("03")).toEqual(Uint8Array.of(3, 3));
    expect(layer.get("02")).toBeNull();
  });

  it("journals a node dropped again after it was revived, so a crash leaves no garbage", () => {
    const layer = createStateLayer({ retainBlocks: 8, retainBytes: 2 ** 30 });
    const disk: Disk = new Map();
    const a = { key: Uint8Array.of(0xa), value: Uint8Array.of(1) };
    const b = { key: Uint8Array.of(0xb), value: Uint8Array.of(2) };
    layer.apply(1n, [a, b], []);
    persist(layer, disk);
    layer.apply(2n, [], [a.key, b.key]);
    persist(layer, disk);
    expect(journaledKeys(disk)).toEqual(new Set(["0a", "0b"]));
    // A is live again: its record must not delete it after a crash.
    layer.apply(3n, [a], []);
    persist(layer, disk);
    expect(journaledKeys(disk)).toEqual(new Set(["0b"]));
    // Dropped once more while B's record is still open: journaled anew.
    layer.apply(4n, [], [a.key]);
    persist(layer, disk);
    expect(journaledKeys(disk)).toEqual(new Set(["0a", "0b"]));
    const restarted = new Map(disk);
    persist(
      createStateLayer({ retainBlocks: 8, retainBytes: 2 ** 30, journal: journalOf(disk) }),
      restarted,
    );
    expect(keysIn(restarted, stateHex).size).toBe(0);
    expect(keysIn(restarted, journalHex).size).toBe(0);
  });

  it("journals thousands of drops in a few chunk records and deletes each once its keys are gone", () => {
    const layer = createStateLayer({ retainBlocks: 2, retainBytes: 2 ** 30 });
    const disk: Disk = new Map();
    const nodes = Array.from({ length: 5000 }, (_, n) => ({
      key: Uint8Array.of(n >> 8, n & 0xff),
      value: Uint8Array.of(n & 0xff),
    }));
    layer.apply(1n, nodes, []);
    persist(layer, disk);
    layer.apply(
      2n,
      [],
      nodes.map((node) => node.key),
    );
    persist(layer, disk);
    const records = journalOf(disk);
    expect(records.map((record) => record.keys.length)).toEqual([4096, 904]);
    expect(journaledKeys(disk).size).toBe(5000);
    layer.apply(3n, [], []);
    layer.apply(4n, [], []);
    persist(layer, disk);
    expect(keysIn(disk, stateHex).size).toBe(0);
    expect(keysIn(disk, journalHex).size).toBe(0);
  });

  it("deletes the nodes of a one-key journal record of the earlier layout at the first persist", () => {
    const disk: Disk = new Map([
      [`${stateHex}0c`, Uint8Array.of(3)],
      [`${journalHex}0c`, new Uint8Array(8)],
    ]);
    const layer = createStateLayer({
      retainBlocks: 2,
      retainBytes: 2 ** 30,
      journal: journalOf(disk),
    });
    expect(layer.get("0c")).toBeNull();
    persist(layer, disk);
    expect(disk.size).toBe(0);
  });
});
