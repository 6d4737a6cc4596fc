import type { Bytes32 } from "../consent/index.ts";
import type { ConsentRegistryClient, ConsentTerms } from "../ledger/index.ts";
import { readCustodianEvents } from "./readCustodianEvents.ts";

/** What {@link grantsSince} reads. */
export interface GrantsSinceQuery {
  /** The registry client scoped to the custodian hospital. */
  readonly registry: Pick<ConsentRegistryClient, "consentEvents">;
  /** Grants in blocks after this one are read. */
  readonly afterBlock: number;
  /** Only grants on exactly these terms count. */
  readonly terms: ConsentTerms;
  /** The chain's head block number (sizes the reads; see `readCustodianEvents`). */
  readonly headBlock?: () => Promise<number>;
  readonly signal?: AbortSignal;
}

/**
 * The custodian's grants on `terms` in the blocks after `afterBlock`, as subject → document
 * hash (lower-case hex): where a resumed import finds the rows an interrupted run landed
 * without recording them. A row counts as landed only if its subject was granted there on
 * the import's terms with the row's document hash; whatever happened to the record later is
 * the verification's business, not the sender's.
 *
 * @throws CustosError the ledger client's codes (`LEDGER_UNAVAILABLE`, `LEDGER_ABORTED`, …).
 * @example
 * ```ts
 * const granted = await grantsSince({ registry, afterBlock: landed.sentAfterBlock, terms });
 * granted.get(row.entry.subject) === row.entry.documentHash; // landed before
 * ```
 */
export async function grantsSince(query: GrantsSinceQuery): Promise<Map<Bytes32, Bytes32>> {
  const { terms } = query;
  const granted = new Map<Bytes32, Bytes32>();
  for await (const event of readCustodianEvents({
    registry: query.registry,
    fromBlock: query.afterBlock + 1,
    ...(query.headBlock === undefined ? {} : { headBlock: query.headBlock }),
    ...(query.signal === undefined ? {} : { signal: query.signal }),
  })) {
    if (event.name !== "ConsentGranted") continue;
    const { args } = event;
    if (
      args.purposes === terms.purposes &&
      args.categories === terms.categories &&
      args.validFrom === terms.validFrom &&
      args.validUntil === terms.validUntil
    ) {
      granted.set(
        args.subject.toLowerCase() as Bytes32,
        args.documentHash.toLowerCase() as Bytes32,
      );
    }
  }
  return granted;
}
