/**
 * Warm-up of the soak's node, before the measured minutes: the node a hospital runs holds
 * many consents and has served many calls, so its bounded memory (the main thread's trie-node
 * cache, each call worker's own cache) is full. A fresh dev node instead fills those caches
 * for the whole 30 minutes, and that growth is warm-up, not a leak. The warm-up grants
 * `consents` subjects in bulk (10 hospitals' recorders, batchGrant, several chunks in flight)
 * and then reads `calls` of them back with `consentOf` eth_calls.
 */
import { id, JsonRpcProvider, Wallet } from "ethers";
import { type Bytes32, dataCategories, purposeCodes } from "../../src/consent/index.ts";
import { createConsentRegistryClient } from "../../src/ledger/index.ts";
import type { ValidClientKey } from "./validTraffic.ts";

/** What the warm-up did. */
export interface WarmUpReport {
  readonly consents: number;
  readonly calls: number;
  readonly seconds: number;
}

const CALL_CONCURRENCY = 8;

/**
 * Grants `consents` subjects across the recorders of `keys`, then makes `calls` consentOf
 * calls on them.
 *
 * @throws Error when a grant does not land or a call does not find its consent active.
 * @example
 * ```ts
 * const warm = await warmUpNode(rpcUrl, registry, keys, { consents: 150_000, calls: 60_000 });
 * ```
 */
export async function warmUpNode(
  rpcUrl: string,
  registryAddress: string,
  keys: readonly ValidClientKey[],
  amount: { readonly consents: number; readonly calls: number },
): Promise<WarmUpReport> {
  const started = performance.now();
  const provider = new JsonRpcProvider(rpcUrl, undefined, { staticNetwork: true });
  const terms = {
    purposes: purposeCodes.GRU.bit,
    categories: dataCategories.CONDITIONS.bit,
    validFrom: 0,
    validUntil: 0,
  };
  const perClient = Math.ceil(amount.consents / keys.length);
  const subjectOf = (custodian: number, i: number) => id(`soak-warm-${custodian}-${i}`) as Bytes32;
  // One hospital at a time: its chunks in flight fill the blocks already, and ten batches'
  // estimates at once would only queue in the node's call workers.
  for (const { custodian, privateKey } of keys) {
    const client = createConsentRegistryClient({
      address: registryAddress,
      runner: new Wallet(privateKey, provider),
      custodian,
    });
    const entries = Array.from({ length: perClient }, (_, i) => ({
      subject: subjectOf(custodian, i),
      documentHash: id(`soak-warm-document-${custodian}-${i}`) as Bytes32,
    }));
    const result = await client.batchGrant(entries, terms, { blocksInFlight: 2 });
    if (result.failed.length > 0 || result.remaining.length > 0) {
      const first = result.failed[0]?.error;
      throw new Error(
        `warm-up: hospital ${custodian}: ${result.failed.length} chunks failed, ` +
          `${result.remaining.length} consents not sent` +
          (first === undefined ? "" : ` (first: ${first.code}: ${first.message})`),
      );
    }
  }
  const readers = keys.map(({ custodian }) =>
    createConsentRegistryClient({ address: registryAddress, runner: provider, custodian }),
  );
  let next = 0;
  await Promise.all(
    Array.from({ length: CALL_CONCURRENCY }, async () => {
      for (let call = next++; call < amount.calls; call = next++) {
        // Spread over every hospital's subjects, so the calls walk many paths of the trie.
        const reader = readers[call % readers.length];
        if (reader === undefined) throw new Error("warm-up: no reader");
        const index = Math.floor(call / readers.length) % perClient;
        const consent = await reader.consentOf(subjectOf(reader.custodian, index));
        if (consent.status !== "active") {
          throw new Error(
            `warm-up: hospital ${reader.custodian}'s subject ${index} is ${consent.status}`,
          );
        }
      }
    }),
  );
  provider.destroy();
  return {
    consents: perClient * keys.length,
    calls: amount.calls,
    seconds: Math.round((performance.now() - started) / 100) / 10,
  };
}
