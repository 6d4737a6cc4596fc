import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { bytesToHex } from "@ethereumjs/util";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readValidatorKey } from "../../../nodes/node/index.ts";
import { expectCustosError } from "../../expectCustosError.ts";
import { tempDir } from "../stateFixtures.ts";

let dir: { path: string; remove: () => Promise<void> };
beforeEach(async () => {
  dir = await tempDir("custos-key-");
});
afterEach(() => dir.remove());

const KEY = `0x${"ab".repeat(32)}`;

describe("readValidatorKey", () => {
  it("reads 64 hex digits with or without 0x and surrounding whitespace", async () => {
    const a = join(dir.path, "a.key");
    const b = join(dir.path, "b.key");
    await writeFile(a, `${KEY}\n`, { mode: 0o600 });
    await writeFile(b, `  ${KEY.slice(2).toUpperCase()}  `, { mode: 0o600 });
    expect(bytesToHex((await readValidatorKey(a)).privateKey)).toBe(KEY);
    expect(bytesToHex((await readValidatorKey(b)).privateKey)).toBe(KEY);
    expect((await readValidatorKey(a)).exposed).toBe(false);
  });

  it("says when group or others may read the file", async () => {
    const file = join(dir.path, "open.key");
    await writeFile(file, KEY, { mode: 0o644 });
    expect((await readValidatorKey(file)).exposed).toBe(true);
  });

  it("refuses a missing file or other content without echoing it", async () => {
    const cases: [string, string | undefined][] = [
      ["missing.key", undefined],
      ["short.key", "0x1234"],
      ["two.key", `${KEY}\n${KEY}`],
      ["json.key", JSON.stringify({ privateKey: KEY })],
    ];
    for (const [name, content] of cases) {
      const file = join(dir.path, name);
      if (content !== undefined) await writeFile(file, content, { mode: 0o600 });
      const error = await expectCustosError(readValidatorKey(file), "CONFIG_INVALID");
      expect(error.details.field, name).toBe("validator.keyFile");
      expect(JSON.stringify(error)).not.toContain("abab");
      expect(error.message).not.toContain("abab");
    }
  });
});
