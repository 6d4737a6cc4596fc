import type { Provider } from "ethers";
import { CustosError, isCustosError } from "../errors/index.ts";
import type { ConsentEventOptions, ConsentRegistryClient } from "../ledger/index.ts";
import type { ConsentRegistryEventLike } from "./consentEventToChange.ts";

/** A closed block range of events to read. */
export interface ConsentEventRange {
  readonly fromBlock: number;
  /** Inclusive. */
  readonly toBlock: number;
  readonly signal?: AbortSignal;
}

/**
 * Where the consent index sync reads the chain: the head, the registry's events over a block
 * range in chain order, and optionally new-block notifications. Implemented over a
 * custodian-scoped ledger client by {@link createRegistryEventSource}; tests inject their own.
 *
 * A hospital's index holds one custodian's records: ConsentRegistry keys records by
 * (custodian, subject), and two hospitals' records of the same pseudonym are different
 * records.
 */
export interface ConsentEventSource {
  /**
   * The custodian (hospital organisation id) whose records the source yields. When set, the
   * sync skips every event of another custodian, so the index never mixes custodians.
   */
  readonly custodian?: number;
  /**
   * Names the chain, registry and custodian (e.g. `"31337:0xabc…:1"`); persisted with the
   * store's position so that a store is never resumed against another registry or custodian.
   */
  scope?(signal?: AbortSignal): Promise<string>;
  /** The latest block number. */
  headBlock(signal?: AbortSignal): Promise<number>;
  /** The registry's events in `[fromBlock, toBlock]`, in (block, log index) order. */
  events(range: ConsentEventRange): AsyncIterable<ConsentRegistryEventLike>;
  /**
   * Subscribes to new blocks; returns the unsubscribe function. Without it the sync polls.
   * The listener may be called with any block number; it only wakes the sync.
   */
  onBlock?(listener: (blockNumber: number) => void): () => void;
}

/** Options of {@link createRegistryEventSource}. */
export interface RegistryEventSourceOptions {
  /**
   * A ConsentRegistry client scoped to the hospital's custodian id (any runner; only reads
   * are used): its `consentEvents` yields that custodian's events only.
   */
  readonly client: Pick<ConsentRegistryClient, "address" | "custodian" | "consentEvents">;
  /** The provider of the chain the registry lives on. */
  readonly provider: Pick<Provider, "getBlockNumber" | "getNetwork" | "on" | "off">;
  /** Blocks per `eth_getLogs` page inside a range (default: the client's default). */
  readonly pageSize?: number;
  /** Subscribe to `provider.on("block")` (default true); false: the sync only polls. */
  readonly subscribe?: boolean;
}

function unavailable(cause: unknown, operation: string): CustosError {
  if (isCustosError(cause)) return cause;
  return new CustosError("LEDGER_UNAVAILABLE", `reading the chain failed (${operation})`, {
    details: { operation },
    cause,
  });
}

/**
 * The event source of one custodian's records in a deployed ConsentRegistry: head from
 * `provider.getBlockNumber`, events from the custodian-scoped client's paged
 * `consentEvents`, new blocks from `provider.on("block")`. Its `custodian` is the client's
 * and its scope is `chainId:registry:custodian`.
 *
 * @throws CustosError (from the methods) `LEDGER_UNAVAILABLE`, `LEDGER_ABORTED` and the
 *   other codes of `consentEvents`.
 * @example
 * ```ts
 * const source = createRegistryEventSource({
 *   client: createConsentRegistryClient({ address, runner: provider, custodian: hospitalId }),
 *   provider,
 * });
 * ```
 */
export function createRegistryEventSource(options: RegistryEventSourceOptions): ConsentEventSource {
  const { client, provider } = options;
  const source: ConsentEventSource = {
    custodian: client.custodian,
    async scope(signal) {
      signal?.throwIfAborted();
      try {
        const network = await provider.getNetwork();
        return `${network.chainId}:${client.address.toLowerCase()}:${client.custodian}`;
      } catch (cause) {
        throw unavailable(cause, "getNetwork");
      }
    },
    async headBlock(signal) {
      signal?.throwIfAborted();
      try {
        return await provider.getBlockNumber();
      } catch (cause) {
        throw unavailable(cause, "getBlockNumber");
      }
    },
    events(range) {
      const eventOptions: ConsentEventOptions = {
        fromBlock: range.fromBlock,
        toBlock: range.toBlock,
        ...(options.pageSize === undefined ? {} : { pageSize: options.pageSize }),
        ...(range.signal === undefined ? {} : { signal: range.signal }),
      };
      return client.consentEvents(eventOptions);
    },
  };
  if (options.subscribe === false) return source;
  return {
    ...source,
    onBlock(listener) {
      const handler = (blockNumber: number) => listener(blockNumber);
      // Subscription failures only cost the early wake-up; the sync still polls.
      provider.on("block", handler).catch(() => undefined);
      return () => {
        provider.off("block", handler).catch(() => undefined);
      };
    },
  };
}
