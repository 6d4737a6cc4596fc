import { once } from "node:events";
import { createWriteStream, type WriteStream } from "node:fs";
import { mkdir, readdir, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import { finished } from "node:stream/promises";
import { CustosError } from "../../../../src/errors/index.ts";
import {
  checkOmopGeneratorOptions,
  generateOmopHospital,
  type OmopFile,
  type OmopGeneratorOptions,
  type OmopHospitalSummary,
} from "../../../../src/omop/index.ts";

/** Options of {@link writeOmopData}. */
export interface WriteOmopDataOptions extends OmopGeneratorOptions {
  /** The directory to write `hospital-<i>/` into; created when missing. */
  readonly out: string;
  /** Write into a non-empty `out`, replacing its `hospital-<i>` directories. */
  readonly force?: boolean;
  /** Called as persons are generated (often: throttle before printing). */
  readonly onProgress?: (done: number, total: number) => void;
}

/** What {@link writeOmopData} wrote. */
export interface OmopDataReport {
  readonly out: string;
  readonly persons: number;
  readonly hospitals: readonly (OmopHospitalSummary & { readonly dir: string })[];
}

/** A finished hospital's directory, and the one it is written in until it is complete. */
const HOSPITAL_DIR = /^(?:hospital-\d+|\.hospital-\d+\.partial)$/;

/** Writes one hospital's chunks to `dir`, waiting for the disk whenever a stream is full. */
async function writeHospital(
  dir: string,
  chunks: Generator<{ file: OmopFile; text: string; persons: number }, OmopHospitalSummary>,
  progress: (persons: number) => void,
): Promise<OmopHospitalSummary> {
  const streams = new Map<OmopFile, WriteStream>();
  let failure: Error | undefined;
  try {
    let step = chunks.next();
    for (; !step.done; step = chunks.next()) {
      const { file, text, persons } = step.value;
      let stream = streams.get(file);
      if (stream === undefined) {
        stream = createWriteStream(join(dir, file), {
          encoding: "utf8",
          // The key file is synthetic, but a key file is a key file: owner-only.
          ...(file === "pseudonym-key.json" ? { mode: 0o600 } : {}),
        });
        // Remembered, not thrown here: an error between writes surfaces at the next await.
        stream.on("error", (error) => {
          failure ??= error;
        });
        streams.set(file, stream);
      }
      if (failure !== undefined) throw failure;
      if (!stream.write(text)) await once(stream, "drain");
      progress(persons);
    }
    await Promise.all([...streams.values()].map((stream) => finished(stream.end())));
    if (failure !== undefined) throw failure;
    return step.value;
  } finally {
    for (const stream of streams.values()) if (!stream.closed) stream.destroy();
  }
}

/**
 * Generates a synthetic OMOP CDM v5.4 data set (see `generateOmopHospital`) and writes it to
 * `out/hospital-<i>/`, hospital after hospital. Each hospital is written into
 * `out/.hospital-<i>.partial/` and renamed when all its files are flushed, so an interrupted
 * run never leaves a directory that looks complete. Streams are written with backpressure, so
 * memory stays flat whatever the size.
 *
 * @throws CustosError `INVALID_ARGUMENT` with `details.field` for bad generator options, or
 *   `"out"` when `out` is a non-empty directory and `force` is not set — both before anything
 *   is written; file system errors as they come.
 * @example
 * ```ts
 * await writeOmopData({ out: "/tmp/omop", persons: 10_000, hospitals: 4, seed: 1 });
 * ```
 */
export async function writeOmopData(options: WriteOmopDataOptions): Promise<OmopDataReport> {
  const checked = checkOmopGeneratorOptions(options);
  const { out } = options;
  const entries = await readdir(out).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return [];
    throw error;
  });
  if (entries.length > 0 && options.force !== true) {
    throw new CustosError(
      "INVALID_ARGUMENT",
      `output directory ${out} is not empty; refusing to overwrite it (pass --force to replace its hospital directories)`,
      { details: { field: "out", problem: "not_empty" } },
    );
  }
  await mkdir(out, { recursive: true });
  // Stale hospitals of an earlier run (possibly with more hospitals) would mix into this one.
  for (const name of entries.filter((entry) => HOSPITAL_DIR.test(entry))) {
    await rm(join(out, name), { recursive: true, force: true });
  }
  const hospitals: (OmopHospitalSummary & { dir: string })[] = [];
  let before = 0;
  for (let h = 0; h < checked.hospitals; h++) {
    const partial = join(out, `.hospital-${h}.partial`);
    const dir = join(out, `hospital-${h}`);
    await mkdir(partial, { recursive: true });
    const summary = await writeHospital(partial, generateOmopHospital(checked, h), (persons) =>
      options.onProgress?.(before + persons, checked.persons),
    );
    await rename(partial, dir);
    before += summary.persons;
    hospitals.push({ ...summary, dir });
  }
  return { out, persons: checked.persons, hospitals };
}
