import { FetchRequest, Wallet } from "ethers";
import { CustosError } from "../../../../src/errors/index.ts";
import {
  createDataServiceClient,
  type DataServiceClient,
  type FederationPorts,
} from "../../../../src/federation/index.ts";
import {
  type AccessLedgerClient,
  createAccessLedgerClient,
  LedgerRpcProvider,
} from "../../../../src/ledger/index.ts";
import type { QueryCommandContext } from "./QueryCommandContext.ts";
import type { ResearcherConfig } from "./researcherConfigSchema.ts";

/** A researcher's (or review board's) account on the chain, with its hospitals' services. */
export interface ResearcherSession {
  readonly config: ResearcherConfig;
  /** The account, connected to the chain. */
  readonly wallet: Wallet;
  /** AccessLedger, signing with the account. */
  readonly ledger: AccessLedgerClient;
  /** The federation's ports: ledger, provider, data services, clock and sleep. */
  readonly ports: FederationPorts;
  /** A hospital's name from the config, if it has one. */
  readonly nameOf: (hospitalId: number) => string | undefined;
  /** Releases the chain connection. */
  readonly close: () => void;
}

async function readKey(config: ResearcherConfig, context: QueryCommandContext): Promise<string> {
  const invalid = (reason: string, cause?: unknown) =>
    new CustosError("CONFIG_INVALID", `keyFile: ${reason}`, {
      details: { field: "keyFile", file: config.keyFile, reason },
      ...(cause === undefined ? {} : { cause }),
    });
  let text: string;
  try {
    text = await context.readText(config.keyFile);
  } catch (cause) {
    throw invalid("cannot be read", cause);
  }
  const key = text.trim();
  if (!/^(0x)?[0-9a-fA-F]{64}$/.test(key)) throw invalid("does not hold a hex private key");
  return key.startsWith("0x") ? key : `0x${key}`;
}

/**
 * Opens a session from a researcher configuration: reads the account key from `keyFile`,
 * connects to `rpcUrl` (each request bounded by `requestTimeoutSeconds`; the key is never
 * printed), binds AccessLedger and creates a data service client per configured hospital.
 *
 * @throws CustosError `CONFIG_INVALID` (field `keyFile`) when the key file cannot be read or
 * holds no private key.
 * @example
 * ```ts
 * const session = await openResearcher(config, context);
 * try { await session.ledger.query(7n); } finally { session.close(); }
 * ```
 */
export async function openResearcher(
  config: ResearcherConfig,
  context: QueryCommandContext,
): Promise<ResearcherSession> {
  const key = await readKey(config, context);
  const timeoutMs = config.requestTimeoutSeconds * 1000;
  const request = new FetchRequest(config.rpcUrl);
  request.timeout = timeoutMs;
  // cacheTimeout -1: a stale cached nonce would make consecutive transactions collide.
  const provider = new LedgerRpcProvider(request, undefined, { cacheTimeout: -1 });
  const wallet = new Wallet(key, provider);
  const ledger = createAccessLedgerClient({
    address: config.contracts.accessLedger,
    runner: wallet,
  });
  const dataServices: Record<number, DataServiceClient> = {};
  for (const [id, hospital] of Object.entries(config.hospitals)) {
    dataServices[Number(id)] = createDataServiceClient({
      baseUrl: hospital.dataService,
      signer: wallet,
      clock: context.clock,
      fetch: context.fetch,
      timeoutMs,
    });
  }
  return {
    config,
    wallet,
    ledger,
    ports: { ledger, provider, dataServices, clock: context.clock, sleep: context.sleep },
    nameOf: (hospitalId) => config.hospitals[String(hospitalId)]?.name,
    close: () => provider.destroy(),
  };
}
