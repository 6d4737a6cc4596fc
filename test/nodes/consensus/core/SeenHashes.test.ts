import { describe, expect, it } from "vitest";
import { SeenHashes } from "../../../../nodes/consensus/core/SeenHashes.ts";

describe("SeenHashes", () => {
  it("remembers the last `capacity` keys and forgets the oldest first", () => {
    const seen = new SeenHashes(3);
    expect(["a", "b", "c"].map((key) => seen.add(key))).toEqual([true, true, true]);
    expect(seen.add("b")).toBe(false);
    expect(seen.add("d")).toBe(true);
    expect(["a", "b", "c", "d"].map((key) => seen.has(key))).toEqual([false, true, true, true]);
    seen.add("e");
    expect(seen.has("b")).toBe(false);
    expect(seen.size).toBe(3);
  });
});
