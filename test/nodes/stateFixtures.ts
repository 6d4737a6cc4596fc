/**
 * Fixtures of the state-path tests: the dev-chain fixtures they share with the benchmarks,
 * and readers of the flat-state records a chain database keeps.
 */
import { bytesToHex } from "@ethereumjs/util";
import { Level } from "level";
import { type FlatWrite, keyOf, keyspaces } from "../../nodes/db/index.ts";

export {
  batchGrantCalldata,
  buildSealedBlock,
  devGenesis,
  grantCalldata,
  openChain,
  recorderOf,
  registryInterface,
  seededRandomBytes,
  signedTx,
  tempDir,
} from "../../scripts/chainFixtures.ts";

/** Flat-state records (hex key → hex value) as a list of flat writes would store them. */
export function flatRecords(writes: Iterable<FlatWrite>): Map<string, string> {
  const records = new Map<string, string>();
  for (const write of writes) {
    const key =
      write.kind === "account"
        ? keyOf(keyspaces.flatAccount, write.addressHash)
        : keyOf(keyspaces.flatStorage, write.addressHash, write.slotHash);
    if (write.value === undefined) records.delete(bytesToHex(key));
    else records.set(bytesToHex(key), bytesToHex(write.value));
  }
  return records;
}

/** The state keyspace's keys (hex, without the keyspace byte) of a closed chain database. */
export async function storedStateKeys(location: string): Promise<Set<string>> {
  const level = new Level<Uint8Array, Uint8Array>(location, {
    keyEncoding: "view",
    valueEncoding: "view",
  });
  await level.open();
  const keys = new Set<string>();
  try {
    for await (const key of level.keys({
      gte: Uint8Array.of(keyspaces.state),
      lt: Uint8Array.of(keyspaces.state + 1),
    })) {
      keys.add(Buffer.from(key.subarray(1)).toString("hex"));
    }
  } finally {
    await level.close();
  }
  return keys;
}

/** The flat-state records stored in the database at `location` (closed), by hex key. */
export async function storedFlatRecords(location: string): Promise<Map<string, string>> {
  const level = new Level<Uint8Array, Uint8Array>(location, {
    keyEncoding: "view",
    valueEncoding: "view",
  });
  await level.open();
  const records = new Map<string, string>();
  try {
    for (const space of [keyspaces.flatAccount, keyspaces.flatStorage]) {
      for await (const [key, value] of level.iterator({
        gte: Uint8Array.of(space),
        lt: Uint8Array.of(space + 1),
      })) {
        records.set(bytesToHex(key), bytesToHex(value));
      }
    }
  } finally {
    await level.close();
  }
  return records;
}
