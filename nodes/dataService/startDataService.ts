import { randomBytes } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Wallet } from "ethers";
import {
  createConsentIndex,
  createConsentIndexSync,
  createLevelConsentIndexStore,
  createRegistryEventSource,
} from "../../src/consentIndex/index.ts";
import { createCryptoRandomSource } from "../../src/disclosure/index.ts";
import { CustosError, isCustosError } from "../../src/errors/index.ts";
import {
  createAccessLedgerClient,
  createConsentRegistryClient,
  LedgerRpcProvider,
} from "../../src/ledger/index.ts";
import { openOmopStore } from "../../src/omopStore/index.ts";
import { packageVersion } from "../../src/runtime/index.ts";
import { createLogger, type Logger } from "../log/index.ts";
import { buildPersonMap } from "./buildPersonMap.ts";
import { createDataServiceServer } from "./createDataServiceServer.ts";
import { createDataServiceStore } from "./createDataServiceStore.ts";
import { createDisclosureStore } from "./disclosures/index.ts";
import type { JobContext } from "./JobContext.ts";
import type { ResolvedDataServiceConfig } from "./loadDataServiceConfig.ts";
import { readPseudonymKeyFile } from "./readPseudonymKeyFile.ts";
import { recoverJobs } from "./recoverJobs.ts";
import { runJobLoop } from "./runJobLoop.ts";
import { createSiteTrail, createSiteTrailAnchorer, sitePolicyChange } from "./siteTrail/index.ts";
import { writeConnectionFile } from "./writeConnectionFile.ts";

/** A running data service. */
export interface DataServiceHandle {
  /** `http://host:port` of its API. */
  readonly url: string;
  readonly port: number;
  /** The staff token of `/admin/…` (also in `<dataDir>/admin-token`). */
  readonly adminToken: string;
  /** Stops the loop, the server and every store; resolves once all are closed. */
  stop(): Promise<void>;
}

/** Overrides for tests and embedding. */
export interface StartDataServiceOptions {
  readonly log?: Logger;
  /** Unix seconds (default: the system clock). */
  readonly now?: () => number;
}

async function readKey(file: string): Promise<string> {
  try {
    return (await readFile(file, "utf8")).trim();
  } catch (error) {
    throw new CustosError("CONFIG_INVALID", `recorderKeyFile: cannot read ${file}`, {
      details: {
        field: "recorderKeyFile",
        reason: (error as NodeJS.ErrnoException).code ?? "unreadable",
      },
    });
  }
}

async function adminTokenIn(dataDir: string): Promise<string> {
  const file = join(dataDir, "admin-token");
  try {
    return (await readFile(file, "utf8")).trim();
  } catch {
    const token = randomBytes(24).toString("hex");
    await writeFile(file, `${token}\n`, { mode: 0o600 });
    return token;
  }
}

/**
 * Starts a hospital's data service: opens its state and the OMOP store, maps every person to
 * their consent subject, syncs the consent index from the chain, finishes jobs a previous
 * run left in flight, serves the HTTP API and runs the job loop (docs/data-service.md).
 *
 * @throws CustosError `CONFIG_INVALID` for an unusable key file; `OMOP_STORE_*` when the
 *   database cannot be opened; `NODE_START_FAILED` when the state directory cannot be used;
 *   `LEDGER_UNAVAILABLE` when the node cannot be reached.
 */
export async function startDataService(
  config: ResolvedDataServiceConfig,
  options: StartDataServiceOptions = {},
): Promise<DataServiceHandle> {
  const log = (options.log ?? createLogger({ level: config.logLevel as never })).child({
    component: "data-service",
  });
  const now = options.now ?? (() => Math.floor(Date.now() / 1000));
  await mkdir(config.dataDir, { recursive: true, mode: 0o700 });
  const adminToken = await adminTokenIn(config.dataDir);
  const provider = new LedgerRpcProvider(config.rpcUrl, undefined, {
    cacheTimeout: -1,
    pollingInterval: 250,
  });
  let recorder: Wallet;
  try {
    recorder = new Wallet(await readKey(config.recorderKeyFile), provider);
  } catch (error) {
    provider.destroy();
    if (isCustosError(error)) throw error;
    throw new CustosError("CONFIG_INVALID", "recorderKeyFile does not hold a private key", {
      details: { field: "recorderKeyFile" },
    });
  }
  const closers: (() => Promise<unknown> | unknown)[] = [() => provider.destroy()];
  const closeAll = async () => {
    for (const close of closers.reverse()) await Promise.resolve(close()).catch(() => undefined);
  };
  try {
    const store = await createDataServiceStore(join(config.dataDir, "jobs"));
    closers.push(() => store.close());
    // The trail opens after the store, whose lock keeps a second service off this directory,
    // and checks itself against the hospital's latest anchor: a rewritten or lost trail does
    // not start (docs/data-service.md, "The site trail").
    const ledger = createAccessLedgerClient({
      address: config.contracts.accessLedger,
      runner: recorder,
    });
    const anchored = await ledger.siteTrailHead(config.hospitalId);
    const siteTrailHead = { seq: Number(anchored.sequence), hash: anchored.head };
    const siteTrail = await createSiteTrail(join(config.dataDir, "site-trail"), {
      now,
      log,
      anchor: siteTrailHead,
    });
    closers.push(() => siteTrail.close());
    const policyChange = sitePolicyChange(siteTrail.lastPolicy(), config.policy);
    if (policyChange !== null) await siteTrail.append("policy", policyChange);
    const omop = await openOmopStore(config.omop);
    closers.push(() => omop.close());
    const omopInfo = await omop.info();
    const keys = await readPseudonymKeyFile(config.pseudonymKeyFile);
    const persons = await buildPersonMap(omop, keys);
    log.info(
      { persons: persons.count, engine: omopInfo.engine },
      "persons mapped to consent subjects",
    );
    const disclosures = await createDisclosureStore(join(config.dataDir, "disclosures"), persons);
    closers.push(() => disclosures.close());
    const consentIndex = createConsentIndex({
      now,
      expectedSubjects: Math.max(1024, persons.count),
    });
    const consentStore = createLevelConsentIndexStore({
      location: join(config.dataDir, "consent-index"),
    });
    closers.push(() => consentStore.close());
    const consentSync = createConsentIndexSync({
      index: consentIndex,
      source: createRegistryEventSource({
        client: createConsentRegistryClient({
          address: config.contracts.consentRegistry,
          runner: provider,
          custodian: config.hospitalId,
        }),
        provider,
        subscribe: false,
      }),
      store: consentStore,
      fromBlock: 0,
      now,
    });
    await consentSync.syncOnce();
    const context: JobContext = {
      config,
      ledger,
      provider,
      recorder,
      store,
      siteTrail,
      omop,
      omopInfo,
      persons,
      disclosures,
      consentIndex,
      consentSync,
      random: createCryptoRandomSource(),
      now,
      custosVersion: packageVersion,
      log,
    };
    // Stopped after the loop (closers run in reverse): the last anchor goes after the last job.
    const anchorer = createSiteTrailAnchorer({
      trail: siteTrail,
      ledger,
      hospitalId: config.hospitalId,
      intervalSeconds: config.siteTrail.anchorIntervalSeconds,
      anchored: siteTrailHead,
      now,
      log,
    });
    closers.push(() => anchorer.stop());
    await recoverJobs(context);
    const loop = runJobLoop(context, { anchorer });
    closers.push(() => loop.stop());
    const app = createDataServiceServer({
      config,
      store,
      now,
      ready: () => true,
      wake: loop.wake,
      adminToken,
      siteTrail,
      disclosures,
      pseudonymise: (identifier) => keys.pseudonymiser.pseudonymise(identifier),
      log,
    });
    closers.push(() => app.close());
    await app.listen({ host: config.http.host, port: config.http.port });
    const address = app.server.address();
    const port = typeof address === "object" && address !== null ? address.port : config.http.port;
    log.info({ port, hospitalId: config.hospitalId }, "data service listening");
    const url = `http://${config.http.host}:${port}`;
    await writeConnectionFile(config.dataDir, { url, hospitalId: config.hospitalId, adminToken });
    return {
      url,
      port,
      adminToken,
      stop: closeAll,
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}
