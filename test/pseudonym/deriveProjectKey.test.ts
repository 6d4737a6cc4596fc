import { hkdf } from "@noble/hashes/hkdf.js";
import { hmac } from "@noble/hashes/hmac.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex, hexToBytes, utf8ToBytes } from "@noble/hashes/utils.js";
import { describe, expect, it } from "vitest";
import {
  createMasterKey,
  createPseudonymiser,
  deriveProjectKey,
  PROJECT_KEY_SALT,
  projectKeyInfo,
} from "../../src/pseudonym/index.ts";
import { expectCustosError } from "../expectCustosError.ts";
import { TEST_MASTER_HEX } from "./keys.ts";

describe("deriveProjectKey", () => {
  it("is HKDF-SHA-256 with the documented salt and versioned info", () => {
    const master = createMasterKey(TEST_MASTER_HEX, { version: 2 });
    const key = deriveProjectKey(master, { projectId: "trial-7" });
    expect(key.keyId).toBe("project:trial-7/v2");
    expect(projectKeyInfo("trial-7", 2)).toBe("custos/pseudonym/v1/key2/trial-7");
    const expectedKey = hkdf(
      sha256,
      hexToBytes(TEST_MASTER_HEX.slice(2)),
      utf8ToBytes(PROJECT_KEY_SALT),
      utf8ToBytes("custos/pseudonym/v1/key2/trial-7"),
      32,
    );
    const expected = bytesToHex(hmac(sha256, expectedKey, utf8ToBytes("person_id:42")));
    expect(createPseudonymiser({ key }).pseudonymise("42")).toBe(`0x${expected}`);
  });

  it("gives a new key for a new master version (rotation)", () => {
    const v1 = deriveProjectKey(createMasterKey(TEST_MASTER_HEX), { projectId: "p" });
    const v2 = deriveProjectKey(createMasterKey(TEST_MASTER_HEX, { version: 2 }), {
      projectId: "p",
    });
    expect(createPseudonymiser({ key: v1 }).pseudonymise("1")).not.toBe(
      createPseudonymiser({ key: v2 }).pseudonymise("1"),
    );
  });

  it("refuses project ids that would make the info string ambiguous", () => {
    const master = createMasterKey(TEST_MASTER_HEX);
    for (const projectId of ["", "a/b", "-x", "x".repeat(65), "é"]) {
      expect(
        expectCustosError(() => deriveProjectKey(master, { projectId }), "PSEUDONYM_KEY_INVALID")
          .details,
      ).toEqual({ problem: "project_id" });
    }
  });

  it("refuses a master key not made by createMasterKey", () => {
    const fake = { keyId: "master/v1", version: 1 };
    expectCustosError(() => deriveProjectKey(fake, { projectId: "p" }), "PSEUDONYM_KEY_INVALID");
  });
});
