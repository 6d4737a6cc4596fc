export { createDisclosureStore } from "./createDisclosureStore.ts";
export {
  type ColumnEntry,
  type ColumnRef,
  DISCLOSURE_CHUNK_WIDTH,
  DisclosureColumns,
  type PositionHit,
} from "./DisclosureColumns.ts";
export {
  buildDisclosureRoster,
  type DisclosureRoster,
  rosterIdOf,
  rosterPositionOf,
} from "./DisclosureRoster.ts";
export {
  type Disclosure,
  type DisclosurePage,
  type DisclosureProof,
  type DisclosureStore,
  MAX_DISCLOSURE_PAGE_SIZE,
} from "./DisclosureStore.ts";
