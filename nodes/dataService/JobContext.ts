import type { Provider, Signer } from "ethers";
import type { ConsentIndex, ConsentIndexSync } from "../../src/consentIndex/index.ts";
import type { RandomSource } from "../../src/disclosure/index.ts";
import type { AccessLedgerClient } from "../../src/ledger/index.ts";
import type { OmopStore, OmopStoreInfo } from "../../src/omopStore/index.ts";
import type { Logger } from "../log/index.ts";
import type { PersonMap } from "./buildPersonMap.ts";
import type { DataServiceStore } from "./createDataServiceStore.ts";
import type { DisclosureStore } from "./disclosures/index.ts";
import type { ResolvedDataServiceConfig } from "./loadDataServiceConfig.ts";
import type { SiteTrail } from "./siteTrail/index.ts";

/** What running a query job needs: the service's ports, injected so tests can drive it. */
export interface JobContext {
  readonly config: ResolvedDataServiceConfig;
  /** AccessLedger bound to the hospital recorder's signer. */
  readonly ledger: AccessLedgerClient;
  readonly provider: Provider;
  /** The recorder: sends results and declines, and signs result documents. */
  readonly recorder: Signer;
  readonly store: DataServiceStore;
  /** The hospital's site trail: declines and failed runs are written to it before they act. */
  readonly siteTrail: SiteTrail;
  readonly omop: OmopStore;
  readonly omopInfo: OmopStoreInfo;
  readonly persons: PersonMap;
  /** Which persons each released query's consent snapshot and cohort held (HIPAA 164.528). */
  readonly disclosures: DisclosureStore;
  readonly consentIndex: ConsentIndex;
  readonly consentSync: ConsentIndexSync;
  readonly random: RandomSource;
  /** Unix seconds. */
  readonly now: () => number;
  readonly custosVersion: string;
  readonly log: Logger;
}
