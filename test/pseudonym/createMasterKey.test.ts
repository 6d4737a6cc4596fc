import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { createMasterKey, deriveProjectKey } from "../../src/pseudonym/index.ts";
import { expectCustosError } from "../expectCustosError.ts";
import { TEST_MASTER_HEX } from "./keys.ts";

function refusal(run: () => unknown): unknown {
  return expectCustosError(run, "PSEUDONYM_KEY_INVALID").details;
}

describe("createMasterKey", () => {
  it("accepts 32 bytes as hex or bytes and labels the version", () => {
    expect(createMasterKey(TEST_MASTER_HEX).keyId).toBe("master/v1");
    expect(createMasterKey(new Uint8Array(48).fill(3), { version: 3 }).keyId).toBe("master/v3");
  });

  it("refuses short, non-hex and badly versioned keys without echoing them", () => {
    expect(refusal(() => createMasterKey("ab".repeat(31)))).toEqual({ problem: "too_short" });
    expect(refusal(() => createMasterKey("zz".repeat(32)))).toEqual({ problem: "not_hex" });
    expect(refusal(() => createMasterKey("abc"))).toEqual({ problem: "not_hex" });
    expect(refusal(() => createMasterKey(TEST_MASTER_HEX, { version: 0 }))).toEqual({
      problem: "version",
    });
    const error = expectCustosError(
      () => createMasterKey("zz".repeat(32)),
      "PSEUDONYM_KEY_INVALID",
    );
    expect(String(error)).not.toContain("zz");
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
