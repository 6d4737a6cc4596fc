/**
 * bench/results/scale.json, built from the progress file alone, so that any run — partial,
 * resumed, or one that only did one phase — writes the same shape. Figures named after the
 * issue's sizes (`load10MSeconds`, `load1MConsentsPerSec4`, loadCurve keys) appear only when
 * measured at those sizes; a smaller run says what it measured instead.
 */
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { machineFacts } from "../node/benchSettings.ts";
import { median, round } from "../node/stats.ts";
import type { ScaleProgress, StreamProgress } from "./scaleProgress.ts";
import { ONE_MILLION, type ScaleSettings, TEN_MILLION } from "./scaleSettings.ts";

const consentIndexFile = fileURLToPath(new URL("../results/consent-index.json", import.meta.url));

/** The two consent-index figures, copied from bench:consent-index's latest results. */
function consentIndexFigures() {
  if (!existsSync(consentIndexFile)) {
    return { filterCohort10MMs: null, checkAccessP99Us: null, source: null };
  }
  const json = JSON.parse(readFileSync(consentIndexFile, "utf8")) as Record<string, unknown>;
  const figure = (key: string) => (typeof json[key] === "number" ? (json[key] as number) : null);
  return {
    filterCohort10MMs: figure("filterCohort10MMs"),
    checkAccessP99Us: figure("checkAccessP99Us"),
    source: {
      file: "bench/results/consent-index.json",
      modifiedAt: statSync(consentIndexFile).mtime.toISOString(),
      subjects: figure("subjects"),
      loadAverage: json.loadAverage ?? null,
    },
  };
}

/** Totals of a consent load: overall rate and CPU per node process. */
function streamSummary(phase: StreamProgress) {
  const seconds = phase.loadSeconds;
  const stored = phase.state.stored;
  return {
    status: phase.status,
    consentsStored: stored,
    loadSeconds: round(seconds, 1),
    consentsPerSec: seconds > 0 ? round(stored / seconds) : null,
    segmentConsentsPerSecMedian:
      phase.segments.length === 0
        ? null
        : round(median(phase.segments.map((s) => s.consentsPerSec))),
    cpuSecondsPerNode: phase.cpuSeconds.map((c) => round(c, 1)),
    cpuSharePerNode: phase.cpuSeconds.map((c) => (seconds > 0 ? round(c / seconds, 2) : null)),
    consentsPerCpuSecPerNode: phase.cpuSeconds.map((c) => (c > 0 ? round(stored / c) : null)),
    chunk: phase.chunk,
    chain: phase.chain,
    segments: phase.segments,
    runs: phase.runs,
  };
}

/** Each measured point's rate over the first point's (the comparison within the run). */
function curveRatios(load: ScaleProgress["load"]): Record<string, number> {
  const first = load?.curve[String(load.points[0])];
  if (load === null || first === undefined) return {};
  return Object.fromEntries(
    load.points
      .filter((p) => load.curve[String(p)] !== undefined)
      .map((p) => [
        String(p),
        round((load.curve[String(p)]?.consentsPerSec ?? 0) / first.consentsPerSec, 2),
      ]),
  );
}

/**
 * The results object of `progress` (see the module comment).
 *
 * @example
 * ```ts
 * const results = scaleResults(settings, progress, loadavg());
 * ```
 */
export function scaleResults(
  settings: ScaleSettings,
  progress: ScaleProgress,
  loadavgAtStart: readonly number[],
) {
  const { load, network, grants } = progress;
  const imported = progress.import?.result ?? null;
  const bulk = progress.bulkImport ?? null;
  const tenMillion = load !== null && load.target === TEN_MILLION;
  const loadTargetSeconds = load?.targetSeconds ?? null;
  const networkDone = network?.status === "complete";
  const networkRate = network === null ? null : streamSummary(network).consentsPerSec;
  const grant = grants?.result ?? null;
  const grantTxPerSec = (grant?.grantTxPerSec as number | undefined) ?? null;
  const edrTxPerSec = (grant?.edrTxPerSec as number | undefined) ?? null;
  const index = consentIndexFigures();
  const smaller = [
    ...(load !== null && !tenMillion
      ? [
          `the solo load's target is ${load.target} consents, not the issue's 10 M: its figures are not the 10 M figures`,
        ]
      : []),
    ...(network !== null && network.consents !== ONE_MILLION
      ? [`the network load is ${network.consents} consents, not the issue's 1 M`]
      : []),
  ];
  return {
    complete:
      load?.status === "complete" &&
      networkDone &&
      grant !== null &&
      imported !== null &&
      bulk?.result != null &&
      index.source !== null,
    ...(smaller.length > 0 ? { note: `Smaller run: ${smaller.join("; ")}.` } : {}),
    target: load?.target ?? settings.target,
    ...(tenMillion && loadTargetSeconds !== null
      ? { load10MSeconds: round(loadTargetSeconds) }
      : {}),
    loadTargetSeconds: loadTargetSeconds === null ? null : round(loadTargetSeconds),
    loadCurve: Object.fromEntries(
      (load?.points ?? [])
        .filter((p) => load?.curve[String(p)] !== undefined)
        .map((p) => [String(p), load?.curve[String(p)]?.consentsPerSec]),
    ),
    loadCurveVsFirstPoint: curveRatios(load),
    diskBytesPerConsent: load?.disk?.bytesPerConsent ?? null,
    ...(networkDone && network.consents === ONE_MILLION
      ? { load1MConsentsPerSec4: networkRate }
      : {}),
    networkConsentsPerSec4: networkDone ? networkRate : null,
    networkCpuSharePerNode4: network === null ? null : streamSummary(network).cpuSharePerNode,
    grantTxPerSec,
    edrTxPerSec,
    grantVsEdr: (grant?.grantVsEdr as number | undefined) ?? null,
    importRowsPerSec: (imported?.importRowsPerSec as number | undefined) ?? null,
    bulkImportRowsPerSec: (bulk?.result?.importRowsPerSec as number | undefined) ?? null,
    filterCohort10MMs: index.filterCohort10MMs,
    checkAccessP99Us: index.checkAccessP99Us,
    goals: {
      load10MSecondsAtMost600:
        tenMillion && loadTargetSeconds !== null ? loadTargetSeconds <= 600 : null,
      grantTxPerSecAtLeast1000: grantTxPerSec === null ? null : grantTxPerSec >= 1000,
      grantAtLeastEdr:
        grantTxPerSec === null || edrTxPerSec === null ? null : grantTxPerSec >= edrTxPerSec,
    },
    load:
      load === null
        ? null
        : {
            ...streamSummary(load),
            target: load.target,
            targetSeconds: loadTargetSeconds,
            window: load.window,
            points: load.points,
            curve: load.curve,
            disk: load.disk,
          },
    network:
      network === null
        ? null
        : { validators: network.validators, consents: network.consents, ...streamSummary(network) },
    grants: grants === null ? null : { attempts: grants.attempts, ...(grant ?? {}) },
    import:
      progress.import === undefined || progress.import === null
        ? null
        : { attempts: progress.import.attempts, ...(imported ?? {}) },
    bulkImport:
      bulk === null
        ? null
        : {
            stage: bulk.stage,
            ...(bulk.result ?? {
              rows: bulk.rows,
              runs: bulk.runs.map((r) => ({ stage: r.stage, seconds: r.seconds, ended: r.ended })),
            }),
          },
    consentIndex: index.source,
    method: {
      load:
        "ConsentRegistry.batchGrant from the dev chain's hospital recorders in turn, each for its " +
        "own hospital, in chunks sized as the SDK sizes them (bench/node sdkChunk: up to 500 " +
        "consents whose estimate fits 90 % of min(block gas limit, 2^24); gas limit = estimate " +
        "+ 20 %), fresh subjects numbered across the whole load (never reused after a restart). " +
        "Pre-signed, sent 10 per eth_sendRawTransaction batch, keeping ⌈blocksInFlight × block " +
        "gas limit / gas limit per transaction⌉ transactions in flight (block gas limit and " +
        "period read from the chain) so the proposer never waits for the sender; commits " +
        "observed by polling eth_blockNumber every 10 ms and, when it moves, every recorder's " +
        "nonce; the last consent of one committed transaction per commit is checked active " +
        "with consentOf.",
      loadSeconds:
        "wall time from a run's first send to its last observed commit, summed over the runs " +
        "(node start and state restore after an interruption are not loading: see runs[].startSeconds); " +
        "loadTargetSeconds (load10MSeconds) is that sum when the stored count first reached the target",
      loadCurve:
        "consents/s from the first commit at or above each point to the first commit at least " +
        "`window` consents later, in the steady stream (no pause, no ramp-up); CPU = utime + " +
        "stime of the node process from /proc over the same stretch. A node learns its block " +
        "gas budget from its own speed, from a 30 M gas start, after every (re)start: no window " +
        "opens in a run's first 10 commits (startStored shows where each began). The load " +
        "continues one pool's worth (maxInFlight × chunk) past the target and past the last " +
        "window, so neither sees the pool drain; a point above the target is not measured. " +
        "loadCurveVsFirstPoint: each point's rate / the first point's",
      disk:
        "after the load, the node idles 66 blocks (it persists its state every 64) and is stopped " +
        "(SIGTERM): du -B1 (allocated) and du -b (apparent) of " +
        "its data directory, / consents stored; per keyspace (first key byte, nodes/db " +
        "keyspaces.ts) the keys + values bytes of the chain database read with a raw level " +
        "iterator, opened with defaultChainDbOptions.storage (no compression) as the node opens it",
      network:
        "the same load through a 4-validator network on this machine (bench/network " +
        "startNetworkChain: each validator a process, clients on hospital 0's JSON-RPC, the " +
        "network's 4 recorders); CPU per node process over the loading time",
      grants:
        "bench:node's grant rounds (warm-up, then rounds sized to roundSeconds, interleaved, " +
        "medians) on the solo node holding the loaded chain and on hardhat node (EDR) automine " +
        "with an empty state, the same signed transactions on both (EDR's recorder nonces set " +
        "to the loaded chain's)",
      import:
        "custos consent import (the CLI in its own process, default options: 4 blocks in flight, " +
        "50,000-row windows) of `rows` fresh rows on shared terms with hospital 1's recorder " +
        "key into the loaded solo node; once the checkpoint holds half the rows the node and " +
        "the importer are killed together (SIGKILL), the node restarted on its data, and the " +
        "import goes on with --resume (rows landed after the checkpoint's last write come back " +
        "as recovered); importRowsPerSec = rows / (first " +
        "run + resumed run), the restart not included; then --verify-only, timed alone: the " +
        "custodian's events (the load's grants for hospital 1 and the import's) into a consent " +
        "index, 1,000 sampled rows read back, the root over every row",
      bulkImport:
        "custos consent import (the CLI in its own process, default options) of `rows` rows " +
        "(10 M) on shared terms with hospital 1's recorder key into an empty chain of its own " +
        "(<work dir>/bulk, the solo node's config); once the checkpoint holds half the rows the " +
        "node and the importer are killed together (SIGKILL), the node restarted on its data, " +
        "and the import goes on with --resume; bulkImportRowsPerSec = rows / the import runs' " +
        "seconds summed (a run that died with the bench counted to its checkpoint's last write, " +
        "then resumed), restarts not included; then --verify-only, timed alone",
      consentIndex:
        "filterCohort10MMs and checkAccessP99Us are copied from bench/results/consent-index.json " +
        "(npm run bench:consent-index, run separately); consentIndex names the file's time",
      resume:
        "progress.json in the work directory holds each phase's state; a restarted run " +
        "restarts the node (or network) on the same data, counts the transactions in flight " +
        "at the stop that the chain committed, gives up the others, and continues",
      blocksInFlight: settings.blocksInFlight,
      segmentSeconds: settings.segmentSeconds,
    },
    machine: {
      ...machineFacts(loadavgAtStart),
      shared: "shared machine: other processes ran concurrently; figures vary run to run",
    },
    invocations: progress.runs,
    progressCreatedAt: progress.createdAt,
    writtenAt: new Date().toISOString(),
  };
}

/**
 * Writes the results to `settings.resultsFile`.
 *
 * @example
 * ```ts
 * writeScaleResults(settings, progress, loadavgAtStart);
 * ```
 */
export function writeScaleResults(
  settings: ScaleSettings,
  progress: ScaleProgress,
  loadavgAtStart: readonly number[],
): void {
  const results = scaleResults(settings, progress, loadavgAtStart);
  writeFileSync(settings.resultsFile, `${JSON.stringify(results, null, 2)}\n`);
}
