import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { type JsonRpcProvider, Wallet } from "ethers";
import { CustosError } from "../../src/errors/index.ts";
import {
  type BatchEntry,
  type BatchResult,
  type ConsentRegistryClient,
  createConsentRegistryClient,
  LedgerRpcProvider,
  type OnChainConsentStatus,
} from "../../src/ledger/index.ts";
import type { DevGenesisKeys } from "../chain/index.ts";
import type { LocalDataService, LocalDataServices } from "./LocalDataService.ts";
import { type LocalNetwork, localNetworkFiles } from "./LocalNetwork.ts";
import { loadSyntheticConsents } from "./loadSyntheticConsents.ts";

/** What {@link loadLocalConsents} did for one hospital. */
export interface LocalConsentLoad {
  readonly name: string;
  readonly hospitalId: number;
  /** `loaded` now, or `alreadyLoaded` by an earlier `network up` (counts from then). */
  readonly outcome: "loaded" | "alreadyLoaded";
  readonly granted: number;
  readonly revoked: number;
}

/** Options of {@link loadLocalConsents}. */
export interface LoadLocalConsentsOptions {
  /** Give up when a hospital's node has produced no block within this long (default 60 s). */
  readonly blockTimeoutMs?: number;
  readonly signal?: AbortSignal;
}

/**
 * A hospital's `consents.json`: `loading` is written before the first transaction, so a run
 * cut short is known and resumed rather than granting twice (which the registry refuses).
 */
interface ConsentsMarker {
  readonly omopDir: string;
  readonly state: "loading" | "loaded";
  readonly granted?: number;
  readonly revoked?: number;
}

/**
 * The consents marker of a hospital's directory, or undefined before its consents were ever
 * loaded.
 */
export async function readConsentsMarker(dir: string): Promise<ConsentsMarker | undefined> {
  try {
    return JSON.parse(await readFile(join(dir, localNetworkFiles.consents), "utf8"));
  } catch {
    return undefined;
  }
}

async function waitForBlock(
  provider: JsonRpcProvider,
  service: LocalDataService,
  timeoutMs: number,
  signal: AbortSignal | undefined,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    signal?.throwIfAborted();
    const height = await provider.getBlockNumber().catch(() => 0);
    if (height >= 1) return;
    if (Date.now() > deadline) {
      const log = join(service.dir, localNetworkFiles.log);
      throw new CustosError(
        "NODE_START_FAILED",
        `${service.name} produced no block within ${timeoutMs / 1000} s, so its consents cannot be loaded; see ${log}`,
        { details: { node: service.name, log } },
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** Throws the first failure of a batch: a consent left out would skew every query. */
function landedAll(result: BatchResult): BatchResult {
  const failed = result.failed[0];
  if (failed !== undefined) throw failed.error;
  if (result.remaining.length > 0) {
    throw new CustosError("NODE_ABORTED", "loading consents was stopped before it finished", {
      details: { remaining: result.remaining.length },
    });
  }
  return result;
}

/**
 * The registry as {@link loadSyntheticConsents} uses it, failing on any chunk that does not
 * land; when resuming, it first leaves out the entries an interrupted run already put on
 * chain.
 */
function checkedRegistry(
  registry: ConsentRegistryClient,
  resume: boolean,
  signal: AbortSignal | undefined,
): Pick<ConsentRegistryClient, "batchGrant" | "batchRevoke"> {
  const pending = async (
    entries: readonly BatchEntry[],
    done: (status: OnChainConsentStatus) => boolean,
  ): Promise<BatchEntry[]> => {
    if (!resume) return [...entries];
    const statuses = await Promise.all(
      entries.map((e) => registry.consentOf(e.subject).then((c) => c.status)),
    );
    return entries.filter((_, i) => !done(statuses[i] as OnChainConsentStatus));
  };
  const options = signal === undefined ? {} : { signal };
  // The registry refuses an empty batch; a resumed run may find nothing left to send.
  const nothing: BatchResult = { total: 0, landed: [], failed: [], remaining: [], aborted: false };
  return {
    batchGrant: async (entries, terms) => {
      const left = await pending(entries, (status) => status !== "none");
      return left.length === 0
        ? nothing
        : landedAll(await registry.batchGrant(left, terms, options));
    },
    batchRevoke: async (entries) => {
      const left = await pending(entries, (status) => status === "revoked");
      return left.length === 0 ? nothing : landedAll(await registry.batchRevoke(left, options));
    },
  };
}

async function loadOne(
  service: LocalDataService,
  omopDir: string,
  context: {
    readonly rpcUrl: string;
    readonly recorderKey: string;
    readonly consentRegistry: string;
    readonly options: LoadLocalConsentsOptions;
  },
): Promise<LocalConsentLoad> {
  const base = { name: service.name, hospitalId: service.hospitalId };
  const marker = await readConsentsMarker(service.dir);
  if (marker?.state === "loaded") {
    return {
      ...base,
      outcome: "alreadyLoaded",
      granted: marker.granted ?? 0,
      revoked: marker.revoked ?? 0,
    };
  }
  const markerFile = join(service.dir, localNetworkFiles.consents);
  const write = (next: ConsentsMarker) =>
    writeFile(markerFile, `${JSON.stringify(next, null, 2)}\n`, { mode: 0o644 });
  const provider = new LedgerRpcProvider(context.rpcUrl, undefined, {
    staticNetwork: true,
    cacheTimeout: -1,
    pollingInterval: 100,
  });
  try {
    await waitForBlock(
      provider,
      service,
      context.options.blockTimeoutMs ?? 60_000,
      context.options.signal,
    );
    await write({ omopDir, state: "loading" });
    const registry = createConsentRegistryClient({
      address: context.consentRegistry,
      runner: new Wallet(context.recorderKey, provider),
      custodian: service.hospitalId,
    });
    const loaded = await loadSyntheticConsents(
      service.omopDir,
      checkedRegistry(registry, marker?.state === "loading", context.options.signal),
    );
    await write({ omopDir, state: "loaded", ...loaded });
    return { ...base, outcome: "loaded", ...loaded };
  } finally {
    provider.destroy();
  }
}

/**
 * Puts each hospital's synthetic consents (`consents.csv`, `revocations.csv` of its OMOP
 * directory) on chain, as that hospital's recorder through its own node, once the node has
 * produced a block; all hospitals at once. A hospital whose `consents.json` says `loaded` is
 * skipped, so only the first `network up` loads; one cut short is resumed (entries already on
 * chain left out).
 *
 * @throws CustosError `NODE_START_FAILED` when a node produces no block in time (naming its
 *   log); the first failed batch's error (`LEDGER_*`, `CONSENT_*`); `NODE_ABORTED` when
 *   `signal` stops it.
 * @example
 * ```ts
 * for (const h of await loadLocalConsents(network, data)) console.log(h.name, h.granted);
 * ```
 */
export async function loadLocalConsents(
  network: LocalNetwork,
  data: LocalDataServices,
  options: LoadLocalConsentsOptions = {},
): Promise<LocalConsentLoad[]> {
  const keys = JSON.parse(await readFile(network.keysFile, "utf8")) as DevGenesisKeys;
  const genesis = JSON.parse(await readFile(network.genesisFile, "utf8")) as {
    contracts: { consentRegistry: string };
  };
  return Promise.all(
    data.services.map((service, i) => {
      const node = network.nodes.find((n) => n.name === service.name);
      const recorderKey = keys.hospitals[i]?.recorder.privateKey;
      if (node === undefined || recorderKey === undefined) {
        throw new CustosError("INVALID_ARGUMENT", `${network.dir} has no ${service.name}`, {
          details: { field: "dir", node: service.name },
        });
      }
      return loadOne(service, data.omopDir, {
        rpcUrl: `http://127.0.0.1:${node.rpcPort}`,
        recorderKey,
        consentRegistry: genesis.contracts.consentRegistry,
        options,
      });
    }),
  );
}
