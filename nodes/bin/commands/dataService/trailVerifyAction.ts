import { join } from "node:path";
import { createAccessLedgerClient, LedgerRpcProvider } from "../../../../src/ledger/index.ts";
import {
  loadDataServiceConfig,
  SITE_TRAIL_FILE,
  verifySiteTrailOnChain,
} from "../../../dataService/index.ts";
import type { CliIo } from "../../CliCommand.ts";
import { type CliAction, type CliActionInput, cliAction } from "../../cliAction.ts";
import { requireHttpUrl } from "../../requireHttpUrl.ts";
import { usageError } from "../../usageError.ts";

const options = {
  config: {
    type: "string",
    value: "<file>",
    description:
      "the hospital's data-service configuration: data directory, node, hospital, AccessLedger",
  },
  "data-dir": {
    type: "string",
    value: "<dir>",
    description: "the data service's data directory (its site-trail/trail.jsonl is read)",
  },
  file: {
    type: "string",
    value: "<trail.jsonl>",
    description: "a trail file to check instead (a copy the hospital handed over)",
  },
  rpc: { type: "string", value: "<url>", description: "a node's JSON-RPC URL" },
  hospital: { type: "integer", min: 1, description: "the hospital's organisation id" },
  "access-ledger": {
    type: "string",
    value: "<address>",
    description: "the AccessLedger address (genesis `contracts.accessLedger`)",
  },
  "from-block": {
    type: "integer",
    min: 0,
    description: "read anchors from this block (default 0)",
  },
  json: { type: "boolean", description: "print the report as JSON" },
} as const;

async function verify({ values }: CliActionInput<typeof options>, io: CliIo): Promise<number> {
  const config =
    values.config === undefined ? undefined : await loadDataServiceConfig(values.config);
  const dataDir = values["data-dir"] ?? config?.dataDir;
  const file =
    values.file ??
    (dataDir === undefined ? undefined : join(dataDir, "site-trail", SITE_TRAIL_FILE));
  const rpc = values.rpc ?? config?.rpcUrl;
  const hospitalId = values.hospital ?? config?.hospitalId;
  const accessLedger = values["access-ledger"] ?? config?.contracts.accessLedger;
  for (const [flag, value] of [
    ["--data-dir", file],
    ["--rpc", rpc],
    ["--hospital", hospitalId],
    ["--access-ledger", accessLedger],
  ] as const) {
    if (value === undefined) {
      throw usageError("data-service", `${flag} is needed (or --config)`, { flag });
    }
  }
  requireHttpUrl("data-service", rpc as string);
  const provider = new LedgerRpcProvider(rpc, undefined, { cacheTimeout: -1, staticNetwork: true });
  try {
    const report = await verifySiteTrailOnChain({
      file: file as string,
      ledger: createAccessLedgerClient({ address: accessLedger as string, runner: provider }),
      hospitalId: hospitalId as number,
      ...(values["from-block"] === undefined ? {} : { fromBlock: values["from-block"] }),
    });
    if (values.json === true) {
      io.stdout(`${JSON.stringify({ hospitalId, file, ...report }, null, 2)}\n`);
      return 0;
    }
    const kinds = Object.entries(report.kinds)
      .filter(([, n]) => n > 0)
      .map(([kind, n]) => `${n} ${kind}`)
      .join(", ");
    const last =
      report.lastAnchored === null
        ? "no entry anchored yet"
        : `last anchored entry ${report.lastAnchored.seq} (${report.lastAnchored.hash})`;
    io.stdout(
      `verified: the site trail of hospital ${hospitalId} holds ${report.entries} chained entries${kinds === "" ? "" : ` (${kinds})`} and matches all ${report.anchors} on-chain anchors; ${last}; ${report.unanchored} entries after it not anchored yet${report.partialTail > 0 ? `; ${report.partialTail} bytes of an unfinished append at the end` : ""}\n`,
    );
    return 0;
  } finally {
    provider.destroy();
  }
}

/**
 * `custos data-service trail verify`: a regulator's check that a hospital's off-chain site
 * trail was not rewritten — its hash chain holds, and the entry at every sequence the
 * hospital anchored on chain has the anchored hash.
 *
 * @example
 * ```ts
 * await runCli(["data-service", "trail", "verify", "--data-dir", "h1/data-service", "--rpc", url, "--hospital", "1", "--access-ledger", address], io);
 * ```
 */
export function trailVerifyAction(): CliAction {
  return cliAction({
    description:
      "Checks a hospital's site trail (denied and failed requests, site-policy changes, manual releases; docs/data-service.md) against the chain: every entry chains to the one before by its SHA-256, and the entry at every sequence the hospital anchored on AccessLedger has exactly the anchored hash. Reads the trail without changing it, also while the service runs. Exits with 0 and a summary; otherwise prints `error DATA_SERVICE_TRAIL_CORRUPT:` or `error DATA_SERVICE_TRAIL_ANCHOR_MISMATCH:` naming the entry's sequence, and exits with 1. Give --config, or --data-dir (or --file), --rpc, --hospital and --access-ledger.",
    options,
    run: verify,
  });
}
