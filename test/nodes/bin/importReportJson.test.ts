import { describe, expect, it } from "vitest";
import { importReportJson } from "../../../nodes/bin/commands/consent/importReportJson.ts";

function written(report: Record<string, unknown>): string[] {
  const out: string[] = [];
  importReportJson({ stdout: (t) => void out.push(t), stderr: () => undefined }, report);
  return out;
}

describe("importReportJson", () => {
  it("writes what JSON.stringify(report, null, 2) gives, with a line break", () => {
    const reports = [
      {},
      { file: "a.csv", rows: 3, failed: [] },
      {
        file: 'a "b".csv',
        rows: 2,
        failed: [
          { line: 3, reason: "CONSENT_IMPORT_INVALID", problem: "not JSON" },
          { line: 4, reason: "NOT_ATTEMPTED", subject: `0x${"ab".repeat(32)}` },
        ],
        interrupted: undefined,
        verification: { mismatch: { line: 5, field: "status", expected: "active" } },
      },
      { nested: [[1, [2]], { a: [] }], last: null },
    ];
    for (const report of reports) {
      expect(written(report).join("")).toBe(`${JSON.stringify(report, null, 2)}\n`);
    }
  });

  it("writes a long array in bounded pieces", () => {
    const failed = Array.from({ length: 25_000 }, (_, i) => ({ line: i + 2, reason: "X" }));
    const out = written({ file: "big.csv", failed, landed: 0 });
    expect(out.join("")).toBe(
      `${JSON.stringify({ file: "big.csv", failed, landed: 0 }, null, 2)}\n`,
    );
    expect(Math.max(...out.map((piece) => piece.length))).toBeLessThan(600_000);
    // "{", file, "failed": [, three pieces of at most 10,000 rows, "],", landed, "}".
    expect(out.length).toBe(9);
  });
});
