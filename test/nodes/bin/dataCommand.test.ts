import { createHash } from "node:crypto";
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createDataCommand } from "../../../nodes/bin/commands/data.ts";
import { runCli } from "../../../nodes/bin/runCli.ts";
import { tempDir } from "../stateFixtures.ts";
import { captureIo } from "./captureIo.ts";

const FILES = [
  "CDM_SOURCE.csv",
  "CONCEPT.csv",
  "CONDITION_OCCURRENCE.csv",
  "DRUG_EXPOSURE.csv",
  "MEASUREMENT.csv",
  "OBSERVATION_PERIOD.csv",
  "PERSON.csv",
  "VISIT_OCCURRENCE.csv",
  "consents.csv",
  "pseudonym-key.json",
  "revocations.csv",
];

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
});

async function scratch(): Promise<string> {
  const dir = await tempDir("custos-data-");
  cleanups.push(dir.remove);
  return dir.path;
}

/** Runs `custos data …` with a fake clock (10 ms a call) and no terminal. */
async function data(args: readonly string[], stderrIsTty = false) {
  const c = captureIo();
  let now = 0;
  const command = createDataCommand({ stderrIsTty, clock: () => (now += 10) });
  const code = await runCli(["data", ...args], c.io, [command]);
  return { code, out: c.out(), err: c.err() };
}

/** SHA-256 of every file under `dir`, by relative path. */
async function hashes(dir: string): Promise<Record<string, string>> {
  const result: Record<string, string> = {};
  for (const hospital of (await readdir(dir)).sort()) {
    for (const file of (await readdir(join(dir, hospital))).sort()) {
      const bytes = await readFile(join(dir, hospital, file));
      result[`${hospital}/${file}`] = createHash("sha256").update(bytes).digest("hex");
    }
  }
  return result;
}

describe("custos data generate", () => {
  it("writes the layout, byte-identical for the same arguments", async () => {
    const root = await scratch();
    const args = ["generate", "--persons", "301", "--hospitals", "3", "--seed", "4"];
    const first = await data([...args, "--out", join(root, "a"), "--progress"]);
    expect(first.code).toBe(0);
    expect(first.err).toMatch(/^generate \d+\/301 persons [\d.]+% ETA/);
    expect(first.err).toContain("generate 301/301 persons 100.0% ETA 0s\n");
    const report = JSON.parse(first.out);
    expect(report.persons).toBe(301);
    expect(report.hospitals.map((h: { persons: number }) => h.persons)).toEqual([101, 100, 100]);
    expect(await readdir(join(root, "a"))).toEqual(["hospital-0", "hospital-1", "hospital-2"]);
    expect((await readdir(join(root, "a", "hospital-1"))).sort()).toEqual(FILES);
    expect(await readFile(join(root, "a", "hospital-2", "CDM_SOURCE.csv"), "utf8")).toContain(
      ",v5.4,756265,",
    );

    const second = await data([...args, "--out", join(root, "b")]);
    expect(second.code).toBe(0);
    expect(second.err).toBe("");
    expect(await hashes(join(root, "b"))).toEqual(await hashes(join(root, "a")));
    const reseeded = await data([...args.slice(0, -1), "5", "--out", join(root, "c")]);
    expect(reseeded.code).toBe(0);
    const [a, c] = [await hashes(join(root, "a")), await hashes(join(root, "c"))];
    expect(c["hospital-0/PERSON.csv"]).not.toBe(a["hospital-0/PERSON.csv"]);
  });

  it("exits 2 for bad counts and rates, writing nothing", async () => {
    const out = join(await scratch(), "out");
    const base = ["generate", "--out", out];
    for (const [args, flag] of [
      [["--persons", "0", "--hospitals", "1"], "--persons"],
      [["--persons", "10", "--hospitals", "65"], "--hospitals"],
      [["--persons", "3", "--hospitals", "4"], "--persons"],
      [["--persons", "10", "--hospitals", "2", "--consent-rate", "1.2"], "--consent-rate"],
      [["--persons", "10", "--hospitals", "2", "--revocation-rate", "-0.1"], "--revocation-rate"],
      [["--persons", "10", "--hospitals", "2", "--revocation-rate", "x"], "--revocation-rate"],
      [["--hospitals", "2"], "--persons"],
    ] as const) {
      const result = await data([...base, ...args]);
      expect(result.code, args.join(" ")).toBe(2);
      expect(result.err).toContain("error CLI_USAGE:");
      expect(result.err).toContain(flag);
    }
    await expect(readdir(out)).rejects.toThrow();
  });

  it("refuses a non-empty --out unless --force, and replaces old hospitals with it", async () => {
    const out = await scratch();
    await writeFile(join(out, "notes.txt"), "keep me");
    const args = ["generate", "--persons", "20", "--hospitals", "2", "--out", out];
    const refused = await data(args);
    expect(refused.code).toBe(1);
    expect(refused.err).toContain("error INVALID_ARGUMENT:");
    expect(refused.err).toContain("--force");
    expect(await readdir(out)).toEqual(["notes.txt"]);

    // A stale hospital of a bigger earlier run and a half-written one both go.
    await mkdir(join(out, "hospital-5"));
    await mkdir(join(out, ".hospital-1.partial"));
    const forced = await data([...args, "--force"]);
    expect(forced.code).toBe(0);
    expect((await readdir(out)).sort()).toEqual(["hospital-0", "hospital-1", "notes.txt"]);
    expect(await readFile(join(out, "notes.txt"), "utf8")).toBe("keep me");
  });
});
