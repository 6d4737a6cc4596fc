import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { patientFieldPrefixes, REDACTED, scrubLogFields } from "../../../nodes/log/index.ts";

describe("scrubLogFields", () => {
  it("returns the same record when nothing needs scrubbing", () => {
    const record = { a: 1, nested: { b: [1, { c: "x" }] } };
    expect(scrubLogFields(record)).toBe(record);
  });

  it("matches patient field names case-insensitively by prefix", () => {
    const result = scrubLogFields({
      Subject: 1,
      PATIENT_ID: 2,
      pseudonymKey: 3,
      identifiers: 4,
      mrn: 5,
      DateOfBirth: 6,
      ok: 7,
    });
    expect(result).toEqual({ ok: 7, droppedFields: 6 });
  });

  it("leaves class instances such as errors and byte arrays untouched", () => {
    const bytes = new Uint8Array([1, 2]);
    const error = new Error("x");
    const result = scrubLogFields({ bytes, error });
    expect(result.bytes).toBe(bytes);
    expect(result.error).toBe(error);
  });

  it("never lets a patient-named field through at any depth (property)", () => {
    const name = fc.oneof(
      fc
        .constantFrom(...patientFieldPrefixes)
        .chain((p) => fc.string({ maxLength: 4 }).map((s) => p + s)),
      fc.constantFrom("height", "hash", "status", "component"),
    );
    const tree = fc.letrec((tie) => ({
      node: fc.oneof(
        { depthSize: "small" },
        fc.string({ maxLength: 6 }).map((s) => `v${s}`),
        fc.array(tie("node"), { maxLength: 3 }),
        fc.dictionary(name, tie("node"), { maxKeys: 4 }),
      ),
    })).node;
    fc.assert(
      fc.property(fc.dictionary(name, tree, { maxKeys: 5 }), (record) => {
        const text = JSON.stringify(scrubLogFields(record));
        for (const prefix of patientFieldPrefixes)
          expect(text.toLowerCase()).not.toContain(`"${prefix}`);
      }),
      { seed: 20261123, numRuns: 500 },
    );
  });

  it("redacts secret-named fields inside arrays", () => {
    expect(scrubLogFields({ keys: [{ key: "a" }, { password: "b" }] })).toEqual({
      keys: [{ key: REDACTED }, { password: REDACTED }],
    });
  });
});
