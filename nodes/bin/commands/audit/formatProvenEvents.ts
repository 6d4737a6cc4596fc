import type { ProvenEvent } from "../../../../src/auditProof/index.ts";

/**
 * The text `custos audit verify` prints: one line per event (block, hash, time, transaction,
 * log index, contract and event name), then its decoded arguments as JSON.
 *
 * @example
 * ```ts
 * io.stdout(formatProvenEvents(events));
 * ```
 */
export function formatProvenEvents(events: readonly ProvenEvent[]): string {
  return events
    .map((event) => {
      const time = new Date(event.blockTimestamp * 1000).toISOString();
      const name =
        event.event === undefined
          ? `${event.contract ?? event.address} (undecoded log)`
          : `${event.contract}.${event.event}`;
      const head = `block ${event.blockNumber} ${event.blockHash} ${time} tx ${event.transactionHash} log ${event.logIndex} ${name}`;
      return event.args === undefined
        ? `${head}\n  topics ${event.topics.join(" ")} data ${event.data}\n`
        : `${head}\n  ${JSON.stringify(event.args)}\n`;
    })
    .join("");
}
