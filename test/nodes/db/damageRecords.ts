import { Level } from "level";

/**
 * Opens the closed database's LevelDB directly (as damage does) to delete or overwrite raw
 * records.
 *
 * @example
 * ```ts
 * await damageRecords(dir, async (level) => level.del(key));
 * ```
 */
export async function damageRecords(
  location: string,
  change: (level: Level<Uint8Array, Uint8Array>) => Promise<unknown>,
): Promise<void> {
  const level = new Level<Uint8Array, Uint8Array>(location, {
    keyEncoding: "view",
    valueEncoding: "view",
  });
  await level.open();
  try {
    await change(level);
  } finally {
    await level.close();
  }
}
