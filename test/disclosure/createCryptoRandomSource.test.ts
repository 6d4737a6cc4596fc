import { describe, expect, it } from "vitest";
import { createCryptoRandomSource, uniformInteger } from "../../src/disclosure/index.ts";

describe("createCryptoRandomSource", () => {
  it("yields uint32 words across buffer refills", () => {
    const random = createCryptoRandomSource({ bufferWords: 8 });
    const words = Array.from({ length: 100 }, () => random.nextUint32());
    for (const w of words) {
      expect(Number.isInteger(w) && w >= 0 && w < 2 ** 32).toBe(true);
    }
    // 100 CSPRNG words are distinct except with probability ~1e-6.
    expect(new Set(words).size).toBe(100);
    const counts = [0, 0];
    for (let i = 0; i < 10_000; i++) {
      const bit = uniformInteger(random, 2);
      counts[bit] = (counts[bit] ?? 0) + 1;
    }
    // ±10 sd: a working CSPRNG never fails this.
    expect(Math.abs((counts[0] ?? 0) - 5000)).toBeLessThan(500);
  });
});
