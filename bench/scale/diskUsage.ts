/**
 * Disk use of the STOPPED solo node: `du` of its data directory (and of each directory in it:
 * the chain database, the audit index) per consent stored, and the
 * chain database's logical bytes (keys + values) per consent for each one-byte keyspace
 * prefix (nodes/db/keyspaces.ts). The database is opened the way the node opens it
 * (`defaultChainDbOptions.storage`: no compression) — level's defaults would compress, and
 * rewrite tables in that form when compacting. `du` runs before the database is opened, since
 * opening may compact it.
 */
import { execFileSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { defaultChainDbOptions, keyspaces, openChainLevel } from "../../nodes/db/index.ts";
import { chainDirectories } from "../../nodes/node/index.ts";
import { round } from "../node/stats.ts";
import type { DiskRecord, KeyspaceRecord } from "./scaleProgress.ts";

/** Entries fetched per iterator call. */
const ENTRIES_PER_READ = 1_000;
/** A progress line every this many records (a 10 M-consent database holds tens of millions). */
const REPORT_EVERY = 5_000_000;

const names = new Map<number, string>(
  Object.entries(keyspaces).map(([name, prefix]) => [prefix as number, name]),
);

function duBytes(path: string, apparent: boolean): number {
  const out = execFileSync("du", ["-s", apparent ? "-b" : "-B1", path], { encoding: "utf8" });
  return Number(out.split(/\s/)[0]);
}

/**
 * Measures the data directory of a stopped node holding `consents` consents. Keyspaces are
 * named as in `keyspaces`; a prefix that is none of them is reported as `0x..`.
 *
 * @throws CustosError from openChainLevel when the database is in use (the node still runs)
 *   or damaged; Error when `du` fails.
 * @example
 * ```ts
 * const disk = await measureDisk("/work/bench/.scale-work/solo", 10_000_000, console.log);
 * ```
 */
export async function measureDisk(
  dataDir: string,
  consents: number,
  say: (line: string) => void,
): Promise<DiskRecord> {
  const started = performance.now();
  const du = duBytes(dataDir, false);
  const apparent = duBytes(dataDir, true);
  // The chain database and the audit index apart: what a node without the index would hold.
  const directories = Object.fromEntries(
    readdirSync(dataDir, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => {
        const bytes = duBytes(join(dataDir, entry.name), false);
        return [entry.name, { duBytes: bytes, bytesPerConsent: round(bytes / consents, 1) }];
      }),
  );
  say(
    `disk: du ${du.toLocaleString("en")} bytes (${round(du / consents, 1)} per consent): ` +
      Object.entries(directories)
        .map(([name, d]) => `${name} ${d.bytesPerConsent}`)
        .join(", "),
  );
  const level = await openChainLevel(join(dataDir, chainDirectories.chain), {
    storage: defaultChainDbOptions.storage,
    create: false,
  });
  const totals = new Map<number, { records: number; keyBytes: number; valueBytes: number }>();
  let records = 0;
  try {
    const iterator = level.iterator();
    try {
      for (;;) {
        const entries = await iterator.nextv(ENTRIES_PER_READ);
        if (entries.length === 0) break;
        for (const [key, value] of entries) {
          const prefix = key[0] as number;
          const total = totals.get(prefix) ?? { records: 0, keyBytes: 0, valueBytes: 0 };
          total.records++;
          total.keyBytes += key.length;
          total.valueBytes += value.length;
          totals.set(prefix, total);
        }
        const before = records;
        records += entries.length;
        if (Math.floor(records / REPORT_EVERY) > Math.floor(before / REPORT_EVERY)) {
          say(`disk: ${records.toLocaleString("en")} records read`);
        }
      }
    } finally {
      await iterator.close();
    }
  } finally {
    await level.close();
  }
  const keyspaceRecords: Record<string, KeyspaceRecord> = {};
  let logical = 0;
  for (const [prefix, total] of [...totals].sort(([a], [b]) => a - b)) {
    const hex = `0x${prefix.toString(16).padStart(2, "0")}`;
    logical += total.keyBytes + total.valueBytes;
    keyspaceRecords[names.get(prefix) ?? hex] = {
      prefix: hex,
      ...total,
      bytesPerConsent: round((total.keyBytes + total.valueBytes) / consents, 2),
    };
  }
  const disk: DiskRecord = {
    consents,
    duBytes: du,
    apparentBytes: apparent,
    bytesPerConsent: round(du / consents, 1),
    apparentBytesPerConsent: round(apparent / consents, 1),
    directories,
    chainDbLogicalBytesPerConsent: round(logical / consents, 1),
    keyspaces: keyspaceRecords,
    seconds: round((performance.now() - started) / 1000, 1),
  };
  say(
    `disk: ${records.toLocaleString("en")} records, logical ${disk.chainDbLogicalBytesPerConsent} ` +
      `bytes per consent: ${Object.entries(keyspaceRecords)
        .map(([name, k]) => `${name} ${k.bytesPerConsent}`)
        .join(", ")}`,
  );
  return disk;
}
