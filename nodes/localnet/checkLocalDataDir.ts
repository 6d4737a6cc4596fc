import { access } from "node:fs/promises";
import { join } from "node:path";
import { CustosError } from "../../src/errors/index.ts";

/**
 * Checks that `omopDir` is a data set written by `custos data generate` for at least
 * `hospitals` hospitals: `hospital-<i>/` with its `pseudonym-key.json` for every i below
 * `hospitals` (more hospitals are fine; the first ones are used).
 *
 * @throws CustosError `INVALID_ARGUMENT` (field `omopDir`) naming the first hospital missing.
 * @example
 * ```ts
 * await checkLocalDataDir("/tmp/omop", network.hospitals);
 * ```
 */
export async function checkLocalDataDir(omopDir: string, hospitals: number): Promise<void> {
  for (let i = 0; i < hospitals; i++) {
    const keyFile = join(omopDir, `hospital-${i}`, "pseudonym-key.json");
    try {
      await access(keyFile);
    } catch {
      throw new CustosError(
        "INVALID_ARGUMENT",
        `${omopDir} holds no synthetic data for hospital-${i} (no ${keyFile}); write ${hospitals} hospitals with custos data generate --hospitals ${hospitals}`,
        { details: { field: "omopDir", dir: omopDir, hospital: i, hospitals } },
      );
    }
  }
}
