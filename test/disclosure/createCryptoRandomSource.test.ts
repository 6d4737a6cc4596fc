import { describe, expect, it } from "vitest";
import { createCryptoRandomSource } from "../../src/disclosure/index.ts";
import { uniformInteger } from "../../src/disclosure/uniformInteger.ts";

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

describe("purity of the disclosure core", () => {
  it("imports no I/O: only the CSPRNG edge file (re-exported by index.ts) touches node:", async () => {
    const { readdir, readFile } = await import("node:fs/promises");
    const dir = new URL("../../src/disclosure/", import.meta.url);
    const files = (await readdir(dir)).filter((f) => f.endsWith(".ts"));
    expect(files.length).toBeGreaterThan(20);
    for (const file of files) {
      const source = await readFile(new URL(file, dir), "utf8");
      const imports = [...source.matchAll(/from "([^"]+)"/g)].map((m) => m[1] ?? "");
      const io = imports.filter((i) => !i.startsWith("."));
      expect({ file, io }).toEqual({
        file,
        io: file === "createCryptoRandomSource.ts" ? ["node:crypto"] : [],
      });
      if (file !== "index.ts") {
        expect(imports).not.toContain("./createCryptoRandomSource.ts");
      }
      expect(source).not.toMatch(/Math\.random|Date\.now|new Date\(/);
    }
  });
});
