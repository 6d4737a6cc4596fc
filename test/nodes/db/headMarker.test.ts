import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  decodeHeadMarker,
  encodeHeadMarker,
  readHeadMarker,
  writeHeadMarker,
} from "../../../nodes/db/index.ts";
import { expectCustosError } from "../../expectCustosError.ts";
import { tempDir } from "../stateFixtures.ts";

const marker = { number: 251n, hash: new Uint8Array(32).fill(0xab), logFrom: 200n };
let dir: { path: string; remove: () => Promise<void> };

beforeEach(async () => {
  dir = await tempDir("custos-marker-");
});
afterEach(async () => {
  await dir.remove();
});

describe("head marker", () => {
  it("round-trips through its text form", () => {
    const text = encodeHeadMarker(marker);
    expect(text.endsWith("\n")).toBe(true);
    expect(decodeHeadMarker(text, "m")).toEqual(marker);
  });

  it("tells a damaged marker (edited field, bad JSON, unknown format) by CHAIN_DB_CORRUPT naming the file", () => {
    const text = encodeHeadMarker(marker);
    for (const damaged of [
      text.replace('"number":"251"', '"number":"250"'),
      text.slice(0, 20),
      text.replace("custos-head-marker/1", "custos-head-marker/9"),
    ]) {
      const error = expectCustosError(
        () => decodeHeadMarker(damaged, "/data/chain-head.json"),
        "CHAIN_DB_CORRUPT",
      );
      expect(error.details.file).toBe("/data/chain-head.json");
    }
  });

  it("is written durably by replacing the file, and reads back; a missing one reads as undefined", async () => {
    const path = join(dir.path, "chain-head.json");
    expect(await readHeadMarker(path)).toBeUndefined();
    await writeHeadMarker(path, marker);
    await writeHeadMarker(path, { ...marker, number: 252n });
    expect((await readHeadMarker(path))?.number).toBe(252n);
    expect(await readdir(dir.path)).toEqual(["chain-head.json"]);
    await writeFile(path, (await readFile(path, "utf8")).replace("252", "253"));
    await expectCustosError(readHeadMarker(path), "CHAIN_DB_CORRUPT");
  });
});
