import { describe, expect, it } from "vitest";
import { importProgress } from "../../../nodes/bin/commands/consent/importProgress.ts";
import { importVerifyProgress } from "../../../nodes/bin/commands/consent/importVerifyProgress.ts";
import type { ConsentImportReport } from "../../../src/consentImport/index.ts";

function recorder() {
  const err: string[] = [];
  let now = 0;
  return {
    io: { stdout: () => undefined, stderr: (t: string) => void err.push(t) },
    clock: () => now,
    err,
    at(ms: number) {
      now = ms;
    },
  };
}

const REPORT: ConsentImportReport = {
  rows: 10_000,
  skipped: 2_000,
  landed: 8_000,
  recovered: 0,
  failed: [{ line: 7, reason: "CONSENT_IMPORT_INVALID", problem: "not JSON" }],
  interrupted: false,
  notLanded: 0,
  landedInAll: 10_000,
};

describe("importProgress", () => {
  it("prints in a log at most every 10 s with the recent rate and ETA, then the last state and a summary", () => {
    const r = recorder();
    const progress = importProgress(r.io, r.clock, { tty: false });
    r.at(1_000);
    progress.update({ landed: 500, failed: 0, total: 8_000 });
    for (let s = 2; s <= 20; s++) {
      r.at(s * 1000);
      progress.update({ landed: 500 * s, failed: 0, total: 8_000 });
    }
    r.at(20_500);
    progress.update({ landed: 8_000, failed: 0, total: 8_000 });
    r.at(21_000);
    progress.finish(REPORT);
    expect(r.err).toEqual([
      "import 6.3% 500/8000 ETA 15s (500 rows/s)\n",
      "import 68.8% 5500/8000 ETA 5s (500 rows/s)\n",
      "import 100.0% 8000/8000 ETA 0s (381 rows/s)\n",
      "imported 8000 rows in 21s (381 rows/s); 1 failed, 2000 skipped\n",
    ]);
  });

  it("redraws one line on a terminal at most every 250 ms and ends it before the summary", () => {
    const r = recorder();
    const progress = importProgress(r.io, r.clock, { tty: true });
    r.at(100);
    progress.update({ landed: 10, failed: 0, total: 100 });
    r.at(200);
    progress.update({ landed: 20, failed: 0, total: 100 });
    r.at(400);
    progress.update({ landed: 40, failed: 10, total: 100 });
    progress.finish({ ...REPORT, landed: 40, failed: [], skipped: 0, recovered: 3 });
    expect(r.err).toEqual([
      "\rimport 10.0% 10/100 ETA 1s (100 rows/s)",
      "\rimport 40.0% 40/100 ETA 1s (100 rows/s)",
      "\n",
      "imported 40 rows in 0s (100 rows/s); 0 failed, 0 skipped, 3 recovered\n",
    ]);
  });

  it("says ? while the rate is unknown and formats long ETAs in hours", () => {
    const r = recorder();
    const progress = importProgress(r.io, r.clock, { tty: false });
    progress.update({ landed: 0, failed: 0, total: 10_000_000 });
    r.at(10_000);
    progress.update({ landed: 10_000, failed: 0, total: 10_000_000 });
    expect(r.err).toEqual([
      "import 0.0% 0/10000000 ETA ? (? rows/s)\n",
      "import 0.1% 10000/10000000 ETA 2h46m (1000 rows/s)\n",
    ]);
  });
});

describe("importVerifyProgress", () => {
  it("prints each phase and its count at a bounded rate", () => {
    const r = recorder();
    const onProgress = importVerifyProgress(r.io, r.clock, false);
    onProgress({ phase: "sample", done: 100 });
    r.at(1_000);
    onProgress({ phase: "sample", done: 200 });
    onProgress({ phase: "events", done: 10_000 });
    r.at(12_000);
    onProgress({ phase: "events", done: 20_000 });
    expect(r.err).toEqual([
      "verify: drawing the sample: 100\n",
      "verify: reading consent events: 10000\n",
      "verify: reading consent events: 20000\n",
    ]);
  });
});
