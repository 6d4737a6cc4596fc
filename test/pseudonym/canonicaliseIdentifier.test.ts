import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isCustosError } from "../../src/errors/index.ts";
import {
  canonicaliseIdentifier,
  type IdentifierKind,
  identifierKinds,
} from "../../src/pseudonym/index.ts";
import { expectCustosError } from "../expectCustosError.ts";

const kinds = Object.keys(identifierKinds) as IdentifierKind[];

function problemOf(value: unknown, kind: IdentifierKind): unknown {
  try {
    canonicaliseIdentifier(value, kind);
    return "accepted";
  } catch (error) {
    if (!isCustosError(error, "PSEUDONYM_IDENTIFIER_INVALID")) throw error;
    return error.details.problem;
  }
}

describe("canonicaliseIdentifier", () => {
  it("merges the spellings of one identifier", () => {
    expect(canonicaliseIdentifier(" AB-12.34/5 ", "mrn")).toBe("ab12345");
    expect(canonicaliseIdentifier("ＡＢ１２", "mrn")).toBe("ab12");
    expect(canonicaliseIdentifier("943 476 5919", "nhs")).toBe("9434765919");
    expect(canonicaliseIdentifier("943-476-5919", "nhs")).toBe("9434765919");
    expect(canonicaliseIdentifier("\u3000000042\t", "person_id")).toBe("42");
    expect(canonicaliseIdentifier("0", "person_id")).toBe("0");
    expect(canonicaliseIdentifier("  Token-Ab.c ", "opaque")).toBe("Token-Ab.c");
    expect(canonicaliseIdentifier("ﬁ", "opaque")).toBe("fi");
  });

  it("names the problem of refused identifiers", () => {
    expect(problemOf("   ", "mrn")).toBe("empty");
    expect(problemOf("", "opaque")).toBe("empty");
    expect(problemOf(42, "person_id")).toBe("not_a_string");
    expect(problemOf("\uD800x", "opaque")).toBe("malformed_unicode");
    expect(problemOf("a\u200Bb", "opaque")).toBe("control_character");
    expect(problemOf("a\nb", "mrn")).toBe("control_character");
    expect(problemOf("ab_12", "mrn")).toBe("characters_not_allowed");
    expect(problemOf("x".repeat(65), "mrn")).toBe("too_long");
    expect(problemOf("943476591", "nhs")).toBe("length");
    expect(problemOf("9434765918", "nhs")).toBe("check_digit");
    expect(problemOf("12a", "person_id")).toBe("characters_not_allowed");
    expect(problemOf("-1", "person_id")).toBe("characters_not_allowed");
    expect(problemOf("9223372036854775808", "person_id")).toBe("out_of_range");
    expect(problemOf("9223372036854775807", "person_id")).toBe("accepted");
    expect(problemOf("x".repeat(257), "opaque")).toBe("too_long");
  });

  it("never echoes the identifier in the error", () => {
    const secret = "SECRET-PATIENT-7";
    try {
      canonicaliseIdentifier(secret, "nhs");
      expect.unreachable();
    } catch (error) {
      expect(JSON.stringify(error)).not.toMatch(/SECRET|PATIENT/);
      expect(String(error)).not.toMatch(/SECRET|PATIENT/);
    }
  });

  it("refuses an unknown kind", () => {
    expect(
      expectCustosError(
        () => canonicaliseIdentifier("1", "ssn" as IdentifierKind),
        "INVALID_ARGUMENT",
      ).details,
    ).toEqual({ field: "kind" });
  });

  it("is idempotent on every accepted input (property)", () => {
    const pieces = fc.oneof(
      fc.string({ unit: "grapheme", maxLength: 12 }),
      fc.stringMatching(/^[ A-Za-z0-9.\-/ＡＢ１２\u3000]{0,14}$/),
      fc.string({ unit: "binary", maxLength: 8 }),
    );
    fc.assert(
      fc.property(pieces, fc.constantFrom(...kinds), (value, kind) => {
        let once: string;
        try {
          once = canonicaliseIdentifier(value, kind);
        } catch (error) {
          expect(isCustosError(error, "PSEUDONYM_IDENTIFIER_INVALID")).toBe(true);
          return;
        }
        expect(canonicaliseIdentifier(once, kind)).toBe(once);
      }),
      { seed: 20261123, numRuns: 3000 },
    );
  });
});
