import { join } from "node:path";
import type { Block } from "@ethereumjs/block";
import { bytesToHex, hexToBytes } from "@ethereumjs/util";
import { type JsonRpcProvider, Wallet } from "ethers";
import type { FastifyInstance } from "fastify";
import { Level } from "level";
import { CustosError } from "../../src/errors/index.ts";
import { LedgerRpcProvider, ledgerContracts } from "../../src/ledger/index.ts";
import type { AuditReader } from "../audit/index.ts";
import type { Genesis } from "../chain/index.ts";
import { registerDashboard } from "../dashboard/index.ts";
import type { NodeApi } from "../rpc/index.ts";
import type { AuditChainStatus } from "./AuditChainStatus.ts";
import { createAuditReadLog } from "./createAuditReadLog.ts";
import { createAuditRoles } from "./createAuditRoles.ts";
import { createDisclosureSource } from "./createDisclosureSource.ts";
import { createNodeProofRpc } from "./createNodeProofRpc.ts";
import { createPatientConsent, type PatientConsent } from "./createPatientConsent.ts";
import { createSessionIssuer } from "./createSessionIssuer.ts";
import { registerAuditApi } from "./registerAuditApi.ts";

/** What a node gives its audit API, dashboard and portal. */
export interface NodeAuditApiOptions {
  readonly api: NodeApi;
  readonly reader: AuditReader;
  readonly dataDir: string;
  /** The genesis the node runs: proofs name its contracts, and `/audit/v1/genesis` serves it. */
  readonly genesis: Genesis;
  readonly contracts: {
    readonly consortium: string;
    readonly consentRegistry: string;
    readonly accessLedger: string;
  };
  /** How exports name this node (its validator address, or the observer's). */
  readonly observer: string;
  /** The node's own JSON-RPC URL, known once it listens (the portal reads and relays through it). */
  readonly rpcUrl: () => string | undefined;
  /** Private key of the member account that relays patients' signed consent changes; none: read-only portal. */
  readonly relayerKey?: string;
  /** The hospital data service's connection file; none: no accounting of disclosures here. */
  readonly dataServiceConnectionFile?: string;
  readonly version: string;
  readonly onInternalError: (error: unknown, route: string) => void;
}

/** The node's audit API, ready to be registered on its HTTP server. */
export interface NodeAuditApi {
  /** Registers `/audit/v1`, `/openapi.json`, `/docs`, `/dashboard` and `/portal`. */
  register(app: FastifyInstance): Promise<void>;
  /** Closes the read log. */
  close(): Promise<void>;
}

const { validators } = ledgerContracts.Consortium.functions;

function headKey(head: Block): string {
  return bytesToHex(head.hash());
}

/**
 * Puts the regulator API, the dashboard and the patient portal together for one node: the
 * Consortium read at the head for roles, a hash-chained read log in `<dataDir>/audit-reads`,
 * browser sessions keyed by a per-process secret, chain status from the node, query proofs
 * built through the node's own JSON-RPC methods in process, and (with a relayer key) the
 * portal's consent relay.
 *
 * @example
 * ```ts
 * const auditApi = await createNodeAuditApi({ api, reader, dataDir, genesis, contracts, rpcUrl, version, onInternalError });
 * const server = createRpcServer({ api, extend: auditApi.register });
 * ```
 */
export async function createNodeAuditApi(options: NodeAuditApiOptions): Promise<NodeAuditApi> {
  const { api } = options;
  const consortium = hexToBytes(options.contracts.consortium as `0x${string}`);
  const callConsortium = async (data: string): Promise<`0x${string}`> => {
    const result = await api.call(
      { to: consortium, data: hexToBytes(data as `0x${string}`) },
      api.head(),
    );
    if (result.failure !== undefined) {
      throw new CustosError("INTERNAL", "a Consortium call of the audit API failed", {
        details: { operation: "consortium call" },
      });
    }
    return bytesToHex(result.returnData);
  };
  const db = new Level<string, string>(join(options.dataDir, "audit-reads"), {
    valueEncoding: "utf8",
  });
  const readLog = await createAuditReadLog(db);
  const roles = createAuditRoles({ callConsortium, headKey: () => headKey(api.head()) });

  let provider: JsonRpcProvider | undefined;
  const connect = (): JsonRpcProvider => {
    const url = options.rpcUrl();
    if (url === undefined) {
      throw new CustosError("INTERNAL", "the node's JSON-RPC is not listening yet", {
        details: { operation: "portal" },
      });
    }
    provider ??= new LedgerRpcProvider(url, undefined, { staticNetwork: true, cacheTimeout: -1 });
    return provider;
  };
  let consent: PatientConsent | undefined;
  const patientConsent = (): PatientConsent => {
    const p = connect();
    consent ??= createPatientConsent({
      provider: p,
      consentRegistry: options.contracts.consentRegistry,
      relayer: options.relayerKey === undefined ? null : new Wallet(options.relayerKey, p),
    });
    return consent;
  };
  // The portal's port, opened on first use: the node's URL is known only once it listens.
  const lazyConsent: PatientConsent = {
    domain: () => patientConsent().domain(),
    consentOf: (custodian, subject) => patientConsent().consentOf(custodian, subject),
    patientKeyOf: (custodian, subject) => patientConsent().patientKeyOf(custodian, subject),
    prepareRevoke: (custodian, subject, now) =>
      patientConsent().prepareRevoke(custodian, subject, now),
    relayRevoke: (typedData, signature, key) =>
      patientConsent().relayRevoke(typedData, signature, key),
  };

  const status = async (): Promise<AuditChainStatus> => {
    const head = api.head();
    const set = validators.decode(await callConsortium(validators.encode([]))) as string[];
    const syncing = api.syncing();
    return {
      chainId: api.chainId().toString(),
      height: head.header.number.toString(),
      headHash: bytesToHex(head.hash()) as `0x${string}`,
      headTimestamp: Number(head.header.timestamp),
      validators: set.map((v) => v.toLowerCase() as `0x${string}`).sort(),
      peers: api.metrics().peers,
      syncing: syncing !== false,
      clientVersion: api.clientVersion(),
    };
  };

  return {
    async register(app) {
      await registerAuditApi(app, {
        reader: options.reader,
        exportFacts: {
          chainId: Number(api.chainId()),
          observer: options.observer,
          contracts: options.contracts,
        },
        roles,
        sessions: createSessionIssuer({
          chainId: api.chainId().toString(),
          patientKeyOf: async (custodian, subject) =>
            (await lazyConsent.patientKeyOf(custodian, subject)) ?? "",
          secret: crypto.getRandomValues(new Uint8Array(32)),
        }),
        readLog,
        status,
        patientConsent: lazyConsent,
        proofs: {
          rpc: createNodeProofRpc(api),
          contracts: options.contracts,
          genesis: options.genesis,
        },
        ...(options.dataServiceConnectionFile === undefined
          ? {}
          : {
              disclosures: createDisclosureSource({
                connectionFile: options.dataServiceConnectionFile,
              }),
            }),
        now: () => Date.now() / 1000,
        version: options.version,
        onInternalError: options.onInternalError,
      });
      registerDashboard(app);
    },
    close: () => db.close(),
  };
}
