/**
 * The data service's site trail: an append-only, hash-chained log at the hospital of what
 * the chain does not show — denied requests, failed runs, site-policy changes and manual
 * releases — whose head is anchored on chain (`AccessLedger.anchorSiteTrail`), and its
 * verification against those anchors. docs/data-service.md, "The site trail".
 *
 * @packageDocumentation
 */
export {
  checkSiteTrailEntry,
  type SiteTrailFault,
  siteTrailCorrupt,
} from "./checkSiteTrailEntry.ts";
export {
  createSiteTrail,
  SITE_TRAIL_FILE,
  type SiteTrail,
  type SiteTrailOptions,
} from "./createSiteTrail.ts";
export {
  createSiteTrailAnchorer,
  type SiteTrailAnchorer,
  type SiteTrailAnchorerOptions,
} from "./createSiteTrailAnchorer.ts";
export {
  type ReadSiteTrailOptions,
  readSiteTrail,
  type SiteTrailReading,
} from "./readSiteTrail.ts";
export type {
  ManualReleaseDetails,
  QueryDeclinedDetails,
  RequestDeniedDetails,
  RunFailedDetails,
  SitePolicyDetails,
  SitePolicyFieldChange,
  SitePolicySnapshot,
  SiteTrailDetailsByKind,
  SiteTrailEntry,
  SiteTrailEntryOf,
  SiteTrailHead,
  SiteTrailKind,
  TrailHash,
} from "./SiteTrailEntry.ts";
export { siteTrailKinds } from "./SiteTrailEntry.ts";
export { sitePolicyChange, sitePolicySnapshot } from "./sitePolicyChange.ts";
export {
  type SiteTrailAnchorLocation,
  siteTrailAnchorMismatch,
} from "./siteTrailAnchorMismatch.ts";
export {
  type DeniedRequest,
  siteTrailDeclineDetails,
  siteTrailDenialDetails,
  siteTrailReleaseDetails,
} from "./siteTrailDetails.ts";
export { EMPTY_TRAIL_HASH, siteTrailEntryHash } from "./siteTrailEntryHash.ts";
export {
  type SiteTrailAnchorRecord,
  type SiteTrailVerification,
  verifySiteTrail,
} from "./verifySiteTrail.ts";
export {
  type VerifySiteTrailOnChainOptions,
  verifySiteTrailOnChain,
} from "./verifySiteTrailOnChain.ts";
