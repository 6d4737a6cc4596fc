import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { Bytes32 } from "../../src/consent/index.ts";
import { ConsentImportRoot, type ImportedConsentRecord } from "../../src/consentImport/index.ts";
import { expectCustosError } from "../expectCustosError.ts";

const subject = (i: number) => `0x${i.toString(16).padStart(64, "7")}` as Bytes32;
const RECORD: ImportedConsentRecord = {
  status: "active",
  purposes: 0x104,
  categories: 8,
  validFrom: 1_700_000_000,
  validUntil: 2 ** 40 - 1,
  custodian: 3,
};
const h = (...parts: Uint8Array[]) => {
  const hash = createHash("sha256");
  for (const part of parts) hash.update(part);
  return new Uint8Array(hash.digest());
};

/** The leaf input written out field by field, as the documented layout says. */
function leafInput(s: Bytes32, r: ImportedConsentRecord): Uint8Array {
  const bytes = new Uint8Array(58);
  bytes[0] = 0;
  bytes.set(Buffer.from(s.slice(2), "hex"), 1);
  bytes[33] = { none: 0, active: 1, revoked: 2 }[r.status];
  const view = new DataView(bytes.buffer);
  view.setUint32(34, r.purposes);
  view.setUint32(38, r.categories);
  view.setUint16(42, Math.floor(r.validFrom / 2 ** 32));
  view.setUint32(44, r.validFrom >>> 0);
  view.setUint16(48, Math.floor(r.validUntil / 2 ** 32));
  view.setUint32(50, r.validUntil >>> 0);
  view.setUint32(54, r.custodian);
  return bytes;
}

/** The root computed level by level (pairs hashed, an odd last node carried up). */
function naiveRoot(records: readonly [Bytes32, ImportedConsentRecord][]): string {
  let level: Uint8Array[] = records.map(([s, r]) => h(leafInput(s, r)));
  while (level.length > 1) {
    const up: Uint8Array[] = [];
    for (let i = 0; i < level.length; i += 2) {
      const right = level[i + 1];
      up.push(
        right === undefined
          ? (level[i] as Uint8Array)
          : h(Uint8Array.of(1), level[i] as Uint8Array, right),
      );
    }
    level = up;
  }
  const count = new Uint8Array(8);
  new DataView(count.buffer).setBigUint64(0, BigInt(records.length));
  return `0x${Buffer.from(h(Uint8Array.of(2), count, level[0] ?? new Uint8Array(32))).toString("hex")}`;
}

describe("ConsentImportRoot", () => {
  it("streams the same root as the tree built level by level, for every size up to 40", () => {
    for (let n = 0; n <= 40; n++) {
      const records = Array.from({ length: n }, (_, i): [Bytes32, ImportedConsentRecord] => [
        subject(i),
        { ...RECORD, purposes: i },
      ]);
      const root = new ConsentImportRoot();
      for (const [s, r] of records) root.add(s, r);
      expect(root.count).toBe(n);
      expect(root.root()).toBe(naiveRoot(records));
    }
  });

  it("changes with any field, the subject and the row order", () => {
    const base = (edit: (records: [Bytes32, ImportedConsentRecord][]) => void) => {
      const records: [Bytes32, ImportedConsentRecord][] = [0, 1, 2].map((i) => [
        subject(i),
        RECORD,
      ]);
      edit(records);
      const root = new ConsentImportRoot();
      for (const [s, r] of records) root.add(s, r);
      return root.root();
    };
    const roots = new Set([
      base(() => undefined),
      base((r) => {
        r[1] = [subject(1), { ...RECORD, status: "revoked" }];
      }),
      base((r) => {
        r[1] = [subject(1), { ...RECORD, validUntil: 0 }];
      }),
      base((r) => {
        r[1] = [subject(1), { ...RECORD, custodian: 4 }];
      }),
      base((r) => {
        r[1] = [subject(9), RECORD];
      }),
      base((r) => r.reverse()),
      base((r) => r.pop()),
    ]);
    expect(roots.size).toBe(7);
  });

  it("refuses a subject that is not bytes32 hex", () => {
    expectCustosError(
      () => new ConsentImportRoot().add("0x12" as Bytes32, RECORD),
      "INVALID_ARGUMENT",
    );
  });
});
