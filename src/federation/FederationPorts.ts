import type { Provider } from "ethers";
import type { AccessLedgerClient } from "../ledger/index.ts";
import type { DataServiceClient } from "./createDataServiceClient.ts";

/** The AccessLedger calls of a federated query (a client on the researcher's account). */
export type FederationLedger = Pick<
  AccessLedgerClient,
  | "submitQuery"
  | "query"
  | "targetsOf"
  | "responseOf"
  | "requiredApprovals"
  | "matchesResult"
  | "queryEvents"
>;

/**
 * The effects a federated query runs on, injected so the orchestration is testable with
 * fakes and a virtual clock.
 */
export interface FederationPorts {
  readonly ledger: FederationLedger;
  /** Reads the transactions that recorded results (their senders sign the results). */
  readonly provider: Pick<Provider, "getTransaction">;
  /** Each target hospital's data service, by hospital id; a hospital without one is unanswered. */
  readonly dataServices: Readonly<Record<number, DataServiceClient>>;
  /** Milliseconds since the epoch. */
  readonly clock: () => number;
  /** Waits `ms` milliseconds; rejects when `signal` aborts. */
  readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
}
