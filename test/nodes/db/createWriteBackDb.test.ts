import { MerklePatriciaTrie } from "@ethereumjs/mpt";
import { MapDB, utf8ToBytes, ValueEncoding } from "@ethereumjs/util";
import { Level } from "level";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  createLevelTrieDb,
  createNodeCache,
  createWriteBackDb,
  keyOf,
  keyspaces,
  type TrieDb,
} from "../../../nodes/db/index.ts";
import { expectCustosError } from "../../expectCustosError.ts";
import { tempDir } from "../stateFixtures.ts";

/** Level returns Buffers (a Uint8Array subclass): compare contents. */
function bytes(value: string | Uint8Array | undefined): number[] | undefined {
  return value === undefined || typeof value === "string" ? undefined : [...value];
}

describe("createLevelTrieDb", () => {
  let dir: { path: string; remove: () => Promise<void> };
  let level: Level<Uint8Array, Uint8Array>;
  let db: TrieDb;
  beforeEach(async () => {
    dir = await tempDir();
    level = new Level<Uint8Array, Uint8Array>(dir.path, {
      keyEncoding: "view",
      valueEncoding: "view",
    });
    db = createLevelTrieDb(level);
    await db.open();
  });
  afterEach(async () => {
    await level.close();
    await dir.remove();
  });

  it("returns undefined for a missing key and round-trips bytes inside the state keyspace", async () => {
    expect(await db.get(new Uint8Array([1, 2]) as unknown as string)).toBeUndefined();
    await db.put(new Uint8Array([1, 2]) as unknown as string, new Uint8Array([9]));
    expect(bytes(await db.get(new Uint8Array([1, 2]) as unknown as string))).toEqual([9]);
    expect(bytes(await level.get(keyOf(keyspaces.state, new Uint8Array([1, 2]))))).toEqual([9]);
  });

  it("maps the 'string' encoding to UTF-8", async () => {
    await db.put("0a0b", "välue", { valueEncoding: "string" });
    expect(await db.get("0a0b", { valueEncoding: "string" })).toBe("välue");
    expect(bytes(await db.get("0a0b", { valueEncoding: "view" }))).toEqual([
      ...utf8ToBytes("välue"),
    ]);
    await db.batch([{ type: "del", key: "0a0b" }]);
    expect(await db.get("0a0b")).toBeUndefined();
  });

  it("stores a hex key as the bytes it names, and refuses a key that is not hex", async () => {
    await db.put("c0ffee", new Uint8Array([5]));
    expect(bytes(await db.get(new Uint8Array([0xc0, 0xff, 0xee]) as unknown as string))).toEqual([
      5,
    ]);
    await expectCustosError(db.put("key", new Uint8Array([5])), "INTERNAL");
  });

  it("reads synchronously by hex key, keys of any length one after the other, and refuses a key that is not hex", async () => {
    const stateDb = createLevelTrieDb(level);
    const account = "ab".repeat(32);
    const storage = "cd".repeat(64);
    await level.put(keyOf(keyspaces.state, Buffer.from(account, "hex")), Uint8Array.of(1));
    await level.put(keyOf(keyspaces.state, Buffer.from(storage, "hex")), Uint8Array.of(2));
    // The same reads twice, interleaved: each key is built afresh over the last one's bytes.
    for (let round = 0; round < 2; round++) {
      expect(bytes(stateDb.getSync(storage))).toEqual([2]);
      expect(bytes(stateDb.getSync(account))).toEqual([1]);
      expect(stateDb.getSync("ef".repeat(64))).toBeUndefined();
      expect(stateDb.getSync(`${"cd".repeat(63)}ce`)).toBeUndefined();
    }
    for (const bad of ["abc", "zz".repeat(32), `${"ab".repeat(31)}g0`]) {
      expect(() => stateDb.getSync(bad)).toThrowError(
        expect.objectContaining({ code: "INTERNAL" }),
      );
    }
  });

  it("backs an EthereumJS trie whose root reloads", async () => {
    const trie = new MerklePatriciaTrie({
      db,
      useKeyHashing: true,
      valueEncoding: ValueEncoding.Bytes,
    });
    await trie.put(utf8ToBytes("a"), utf8ToBytes("1"));
    await trie.put(utf8ToBytes("b"), utf8ToBytes("2"));
    const reloaded = new MerklePatriciaTrie({
      db,
      root: trie.root(),
      useKeyHashing: true,
      valueEncoding: ValueEncoding.Bytes,
    });
    expect(await reloaded.get(utf8ToBytes("b"))).toEqual(utf8ToBytes("2"));
  });
});

describe("createWriteBackDb", () => {
  it("buffers writes: reads see them, the base does not until committed", async () => {
    const base = new MapDB<string, string | Uint8Array>();
    const cache = createNodeCache(10);
    const db = createWriteBackDb(base, cache);
    await db.put(new Uint8Array([1]) as unknown as string, new Uint8Array([7]));
    await db.batch([
      { type: "put", key: new Uint8Array([2]) as unknown as string, value: new Uint8Array([8]) },
    ]);
    expect(await db.get(new Uint8Array([1]) as unknown as string)).toEqual(new Uint8Array([7]));
    expect(base._database.size).toBe(0);
    expect(db.writes().map((w) => [...w.key])).toEqual([[1], [2]]);
    db.committed();
    expect(db.writes()).toEqual([]);
    expect(cache.size).toBe(2);
    // Still readable after handing off: from the node cache.
    expect(await db.get(new Uint8Array([2]) as unknown as string)).toEqual(new Uint8Array([8]));
  });

  it("hands over byte keys unchanged and hex string keys as the bytes they name", async () => {
    const db = createWriteBackDb(new MapDB<string, string | Uint8Array>());
    await db.put(new Uint8Array([0xab, 0x00, 0xff]) as unknown as string, new Uint8Array([1]));
    await db.put("c0ffee", new Uint8Array([2]));
    expect(db.writes().map((w) => [...w.key])).toEqual([
      [0xab, 0x00, 0xff],
      [0xc0, 0xff, 0xee],
    ]);
    expect(await db.get(new Uint8Array([0xab, 0x00, 0xff]) as unknown as string)).toEqual(
      new Uint8Array([1]),
    );
  });

  it("discard drops the block's writes", async () => {
    const db = createWriteBackDb(new MapDB<string, string | Uint8Array>());
    await db.put(new Uint8Array([1]) as unknown as string, new Uint8Array([7]));
    db.discard();
    expect(db.writes()).toEqual([]);
    expect(await db.get(new Uint8Array([1]) as unknown as string)).toBeUndefined();
  });

  it("ignores EthereumJS's deletes (its trie deletes nodes other roots may use)", async () => {
    const db = createWriteBackDb(new MapDB<string, string | Uint8Array>());
    await db.put("0c", "v", { valueEncoding: "string" });
    await db.del("0c");
    expect(await db.get("0c", { valueEncoding: "string" })).toBe("v");
    expect(db.deletes()).toEqual([]);
  });

  it("hands over dropped nodes as deletes, except those written again", async () => {
    const db = createWriteBackDb(new MapDB<string, string | Uint8Array>());
    db.drop("0a");
    db.drop("0b");
    await db.put("0b", new Uint8Array([1]));
    expect(db.deletes()).toEqual([Uint8Array.of(0x0a)]);
    db.committed();
    expect(db.deletes()).toEqual([]);
    db.drop("0c");
    db.discard();
    expect(db.deletes()).toEqual([]);
  });

  it("an aborted trie block leaves the committed root intact", async () => {
    const dir = await tempDir();
    const level = new Level<Uint8Array, Uint8Array>(dir.path, {
      keyEncoding: "view",
      valueEncoding: "view",
    });
    const base = createLevelTrieDb(level);
    const first = createWriteBackDb(base);
    const trie = new MerklePatriciaTrie({
      db: first,
      useKeyHashing: true,
      valueEncoding: ValueEncoding.Bytes,
    });
    await trie.put(utf8ToBytes("a"), utf8ToBytes("1"));
    for (const w of first.writes()) await base.put(w.key as unknown as string, w.value);
    const root = trie.root();
    const second = createWriteBackDb(base);
    const next = new MerklePatriciaTrie({
      db: second,
      root,
      useKeyHashing: true,
      valueEncoding: ValueEncoding.Bytes,
    });
    await next.put(utf8ToBytes("a"), utf8ToBytes("2"));
    second.discard();
    const reread = new MerklePatriciaTrie({
      db: createWriteBackDb(base),
      root,
      useKeyHashing: true,
      valueEncoding: ValueEncoding.Bytes,
    });
    expect(await reread.get(utf8ToBytes("a"))).toEqual(utf8ToBytes("1"));
    expect(await reread.checkRoot(next.root())).toBe(false);
    await level.close();
    await dir.remove();
  });
});

describe("createNodeCache", () => {
  it("keeps recently used entries and drops the oldest generation beyond its bound", () => {
    const cache = createNodeCache(4);
    cache.set("a", new Uint8Array([1]));
    cache.set("b", new Uint8Array([2]));
    cache.set("c", new Uint8Array([3])); // a, b become the old generation
    expect(cache.get("a")).toEqual(new Uint8Array([1])); // moved forward
    cache.set("d", new Uint8Array([4])); // c, a become old; b is dropped
    cache.set("e", new Uint8Array([5]));
    expect(cache.get("b")).toBeUndefined();
    expect(cache.get("d")).toEqual(new Uint8Array([4]));
    expect(cache.size).toBeLessThanOrEqual(4);
  });

  it("never exceeds its bound under a long run of inserts", () => {
    const cache = createNodeCache(100);
    for (let i = 0; i < 1000; i++) cache.set(`k${i}`, new Uint8Array([i & 0xff]));
    expect(cache.size).toBeLessThanOrEqual(100);
    expect(cache.get("k999")).toEqual(new Uint8Array([999 & 0xff]));
  });

  it("counts the bytes of its keys and values, per generation, replacements included", () => {
    const cache = createNodeCache(4);
    cache.set("ab", new Uint8Array(10));
    cache.set("cd", new Uint8Array(20));
    expect(cache.bytes).toBe(34);
    cache.set("ab", new Uint8Array(5)); // replaced in place
    expect(cache.bytes).toBe(29);
    cache.set("ef", new Uint8Array(1)); // ab, cd become the old generation
    expect(cache.bytes).toBe(32);
    expect(cache.get("ab")).toHaveLength(5); // moved forward: counted in both generations
    expect(cache.bytes).toBe(39);
    cache.set("gh", new Uint8Array(1)); // ef, ab become old; the first generation is dropped
    expect(cache.bytes).toBe(13);
  });
});
