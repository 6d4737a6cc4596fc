import { describe, expect, it } from "vitest";
import { LandedLines } from "../../src/consentImport/index.ts";
import { expectCustosError } from "../expectCustosError.ts";

describe("LandedLines", () => {
  it("keeps landed lines as merged ranges, in any order", () => {
    const landed = new LandedLines();
    for (const line of [5, 2, 3, 9, 4, 7, 8, 3]) landed.add(line);
    expect(landed.count).toBe(7);
    expect([1, 2, 5, 6, 7, 9, 10].map((line) => landed.has(line))).toEqual([
      false,
      true,
      true,
      false,
      true,
      true,
      false,
    ]);
    expect(JSON.parse(landed.toCheckpoint())).toEqual({
      format: 2,
      landedRanges: [
        [2, 5],
        [7, 9],
      ],
    });
    landed.add(6);
    expect(JSON.parse(landed.toCheckpoint()).landedRanges).toEqual([[2, 9]]);
  });

  it("holds a clean import of 10 M rows as one range", () => {
    const landed = new LandedLines();
    for (let line = 2; line <= 10_000_001; line++) landed.add(line);
    expect(landed.count).toBe(10_000_000);
    expect(landed.toCheckpoint()).toBe('{"format":2,"landedRanges":[[2,10000001]]}\n');
  });

  it("reads its own checkpoints and those of format 1", () => {
    const text = '{"format":2,"landedRanges":[[2,4],[9,9],[5,6]]}';
    const landed = LandedLines.fromCheckpoint(text);
    expect(landed.count).toBe(6);
    expect(LandedLines.fromCheckpoint(landed.toCheckpoint()).toCheckpoint()).toBe(
      '{"format":2,"landedRanges":[[2,6],[9,9]]}\n',
    );
    const old = LandedLines.fromCheckpoint('{"format":1,"landedLines":[2,4,7,3]}\n');
    expect(old.toCheckpoint()).toBe('{"format":2,"landedRanges":[[2,4],[7,7]]}\n');
  });

  it("keeps the block rows not landed were sent after, through its checkpoint", () => {
    const landed = LandedLines.fromCheckpoint('{"format":2,"landedRanges":[[2,4]]}');
    expect(landed.sentAfterBlock).toBeUndefined();
    landed.sentAfterBlock = 1207;
    const text = landed.toCheckpoint();
    expect(text).toBe('{"format":2,"landedRanges":[[2,4]],"sentAfterBlock":1207}\n');
    expect(LandedLines.fromCheckpoint(text).sentAfterBlock).toBe(1207);
    expect(
      LandedLines.fromCheckpoint('{"format":2,"landedRanges":[],"sentAfterBlock":0}')
        .sentAfterBlock,
    ).toBe(0);
  });

  it("refuses a malformed checkpoint", () => {
    for (const text of [
      "",
      "{",
      "[]",
      '{"format":3,"landedRanges":[]}',
      '{"format":2,"landedLines":[1]}',
      '{"format":2,"landedRanges":[[3,2]]}',
      '{"format":2,"landedRanges":[[0,2]]}',
      '{"format":2,"landedRanges":[[1,2,3]]}',
      '{"format":1,"landedLines":[1.5]}',
      '{"format":2,"landedRanges":[],"sentAfterBlock":-1}',
      '{"format":2,"landedRanges":[],"sentAfterBlock":"12"}',
      '{"format":2,"landedRanges":[],"sentAfterBlock":null}',
    ]) {
      const error = expectCustosError(
        () => LandedLines.fromCheckpoint(text),
        "CONSENT_IMPORT_INVALID",
      );
      expect(error.details.field).toBe("checkpoint");
    }
  });
});
