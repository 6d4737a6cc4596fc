import { describe, expect, it } from "vitest";
import { createBoundedCache } from "../../src/auditProof/createBoundedCache.ts";

describe("createBoundedCache", () => {
  it("holds up to its capacity, dropping the least recently used", () => {
    const cache = createBoundedCache<number>(2);
    cache.set("a", 1);
    cache.set("b", 2);
    expect(cache.get("a")).toBe(1); // a is now the most recently used
    cache.set("c", 3);
    expect(cache.get("b")).toBeUndefined();
    expect(cache.get("a")).toBe(1);
    expect(cache.get("c")).toBe(3);
    expect(cache.size).toBe(2);
    cache.set("a", 4);
    expect(cache.get("a")).toBe(4);
    expect(cache.size).toBe(2);
    cache.clear();
    expect(cache.size).toBe(0);
  });

  it("holds nothing at capacity 0", () => {
    const cache = createBoundedCache<number>(0);
    cache.set("a", 1);
    expect(cache.get("a")).toBeUndefined();
    expect(cache.size).toBe(0);
  });
});
