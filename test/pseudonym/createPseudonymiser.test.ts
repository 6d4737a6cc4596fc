import { hmac } from "@noble/hashes/hmac.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex, utf8ToBytes } from "@noble/hashes/utils.js";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isCustosError } from "../../src/errors/index.ts";
import {
  canonicaliseIdentifier,
  createMasterKey,
  createPseudonymiser,
  deriveProjectKey,
  type IdentifierKind,
  identifierKinds,
  type ProjectKey,
} from "../../src/pseudonym/index.ts";
import { type SecretKey, secretBytes } from "../../src/pseudonym/secretKey.ts";
import { expectCustosError } from "../expectCustosError.ts";
import { projectA, projectB, TEST_MASTER_HEX } from "./keys.ts";

const kinds = Object.keys(identifierKinds) as IdentifierKind[];
const SEED = 7_3_2026;

/** The definition, computed independently of the pseudonymiser's fast path and buffers. */
function reference(key: ProjectKey, kind: IdentifierKind, id: string): string {
  const message = utf8ToBytes(`${kind}:${canonicaliseIdentifier(id, kind)}`);
  return `0x${bytesToHex(hmac(sha256, secretBytes(key as unknown as SecretKey), message))}`;
}

const identifierLike = fc.oneof(
  fc.stringMatching(/^ {0,2}[0-9]{1,20} {0,2}$/),
  fc.stringMatching(/^[ A-Za-z0-9.\-/_]{0,20}$/),
  fc.string({ unit: "grapheme", maxLength: 10 }),
  fc.constantFrom(
    "943 476 5919",
    "9434765919",
    "ＡＢ１２",
    "000",
    "0001",
    "\u00e9t\u00e9",
    "AB\u201012",
    "\u00a0123\u00a0",
    "\uff10\uff14\uff12",
  ),
);

describe("createPseudonymiser", () => {
  it("is HMAC-SHA-256 over kind:canonical, as bytes32 hex", () => {
    const master = createMasterKey(TEST_MASTER_HEX);
    const key = deriveProjectKey(master, { projectId: "p" });
    const p = createPseudonymiser({ key, kind: "mrn" });
    const out = p.pseudonymise(" AB-123 ");
    expect(out).toMatch(/^0x[0-9a-f]{64}$/);
    expect(out).toBe(p.pseudonymise("ab123"));
    expect(out).not.toBe(createPseudonymiser({ key, kind: "opaque" }).pseudonymise("ab123"));
    expect(p.keyId).toBe("project:p/v1");
    expect(p.kind).toBe("mrn");
  });

  it("equals HMAC-SHA-256(key, kind:canonical) on every input (property, every kind)", () => {
    fc.assert(
      fc.property(identifierLike, fc.constantFrom(...kinds), (id, kind) => {
        const p = createPseudonymiser({ key: projectA, kind });
        let expected: string;
        try {
          expected = reference(projectA, kind, id);
        } catch (error) {
          expect(isCustosError(error, "PSEUDONYM_IDENTIFIER_INVALID")).toBe(true);
          expectCustosError(() => p.pseudonymise(id), "PSEUDONYM_IDENTIFIER_INVALID");
          return;
        }
        expect(p.pseudonymise(id)).toBe(expected);
      }),
      { seed: SEED, numRuns: 3000 },
    );
  });

  it("is deterministic per key and unlinkable across keys (property)", () => {
    const a = createPseudonymiser({ key: projectA });
    const a2 = createPseudonymiser({
      key: deriveProjectKey(createMasterKey(TEST_MASTER_HEX), { projectId: "trial-a" }),
    });
    const b = createPseudonymiser({ key: projectB });
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 2n ** 62n }), (n) => {
        const id = n.toString();
        expect(a.pseudonymise(id)).toBe(a2.pseudonymise(id));
        expect(a.pseudonymise(id)).not.toBe(b.pseudonymise(id));
      }),
      { seed: SEED, numRuns: 1000 },
    );
  });

  it("spreads pseudonyms evenly (distribution sanity)", () => {
    const ids = Array.from({ length: 4096 }, (_, i) => String(i));
    const bytes = createPseudonymiser({ key: projectA }).pseudonymiseMany(ids);
    const firstNibble = new Array<number>(16).fill(0);
    let ones = 0;
    for (let i = 0; i < ids.length; i++) {
      const first = bytes[i * 32] ?? 0;
      firstNibble[first >> 4] = (firstNibble[first >> 4] ?? 0) + 1;
    }
    for (const b of bytes) for (let x = b; x !== 0; x &= x - 1) ones++;
    // 4096/16 = 256 per nibble; chi-square with 15 d.o.f., 99.9 % quantile ≈ 37.7.
    const chi = firstNibble.reduce((s, c) => s + (c - 256) ** 2 / 256, 0);
    expect(chi).toBeLessThan(37.7);
    const total = bytes.length * 8;
    expect(Math.abs(ones / total - 0.5)).toBeLessThan(0.005);
    const distinct = new Set<string>();
    for (let i = 0; i < ids.length; i++)
      distinct.add(bytesToHex(bytes.subarray(i * 32, i * 32 + 32)));
    expect(distinct.size).toBe(ids.length);
  });

  it("batches: pseudonymiseMany equals per-identifier results and names the bad index", () => {
    const p = createPseudonymiser({ key: projectA, kind: "nhs" });
    const ids = ["943 476 5919", "401 023 2137", "9434765919"];
    const many = p.pseudonymiseMany(ids);
    ids.forEach((id, i) => {
      expect(`0x${bytesToHex(many.subarray(i * 32, i * 32 + 32))}`).toBe(p.pseudonymise(id));
    });
    expect(
      expectCustosError(
        () => p.pseudonymiseMany(["9434765919", "", "x"]),
        "PSEUDONYM_IDENTIFIER_INVALID",
      ).details,
    ).toEqual({ kind: "nhs", problem: "empty", index: 1 });
    const out = new Uint8Array(40);
    p.pseudonymiseInto("9434765919", out, 8);
    expect(`0x${bytesToHex(out.subarray(8))}`).toBe(p.pseudonymise("9434765919"));
    expectCustosError(() => p.pseudonymiseInto("9434765919", out, 9), "INVALID_ARGUMENT");
  });

  it("refuses keys that are not project keys", () => {
    const master = createMasterKey(TEST_MASTER_HEX);
    expectCustosError(
      () => createPseudonymiser({ key: master as unknown as ProjectKey }),
      "PSEUDONYM_KEY_INVALID",
    );
  });
});
