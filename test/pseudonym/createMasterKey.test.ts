import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { isCustosError } from "../../src/errors/index.ts";
import { createMasterKey, deriveProjectKey } from "../../src/pseudonym/index.ts";
import { TEST_MASTER_HEX } from "./keys.ts";

function codeOf(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return isCustosError(error) ? { code: error.code, details: error.details } : error;
  }
  return "no error";
}

describe("createMasterKey", () => {
  it("accepts 32 bytes as hex or bytes and labels the version", () => {
    expect(createMasterKey(TEST_MASTER_HEX).keyId).toBe("master/v1");
    expect(createMasterKey(new Uint8Array(48).fill(3), { version: 3 }).keyId).toBe("master/v3");
  });

  it("refuses short, non-hex and badly versioned keys without echoing them", () => {
    expect(codeOf(() => createMasterKey("ab".repeat(31)))).toEqual({
      code: "PSEUDONYM_KEY_INVALID",
      details: { problem: "too_short" },
    });
    expect(codeOf(() => createMasterKey("zz".repeat(32)))).toEqual({
      code: "PSEUDONYM_KEY_INVALID",
      details: { problem: "not_hex" },
    });
    expect(codeOf(() => createMasterKey("abc"))).toEqual({
      code: "PSEUDONYM_KEY_INVALID",
      details: { problem: "not_hex" },
    });
    expect(codeOf(() => createMasterKey(TEST_MASTER_HEX, { version: 0 }))).toEqual({
      code: "PSEUDONYM_KEY_INVALID",
      details: { problem: "version" },
    });
    try {
      createMasterKey("zz".repeat(32));
    } catch (error) {
      expect(String(error)).not.toContain("zz");
    }
  });

  it("redacts itself in every printable form", () => {
    const master = createMasterKey(TEST_MASTER_HEX);
    const project = deriveProjectKey(master, { projectId: "p1" });
    const secretHex = TEST_MASTER_HEX.slice(2);
    for (const key of [master, project]) {
      for (const text of [
        String(key),
        `${key}`,
        JSON.stringify(key),
        JSON.stringify({ nested: [key] }),
        inspect(key, { showHidden: true, depth: 5 }),
        Object.keys(key).join(","),
      ]) {
        expect(text).not.toContain(secretHex.slice(0, 8));
        expect(text).not.toMatch(/a1a1a1|5c5c5c/);
      }
    }
    expect(String(project)).toBe("[redacted key project:p1/v1]");
    expect(JSON.parse(JSON.stringify(master))).toEqual({ keyId: "master/v1", redacted: true });
  });

  it("copies the caller's bytes", () => {
    const bytes = new Uint8Array(32).fill(9);
    const a = deriveProjectKey(createMasterKey(bytes), { projectId: "p" });
    const reference = deriveProjectKey(createMasterKey(new Uint8Array(32).fill(9)), {
      projectId: "p",
    });
    bytes.fill(0);
    expect(JSON.stringify(a)).toBe(JSON.stringify(reference));
  });
});
