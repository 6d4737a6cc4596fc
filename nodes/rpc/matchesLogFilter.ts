import { equalsBytes } from "@ethereumjs/util";
import type { IndexedLog, LogFilter } from "./NodeApi.ts";

/**
 * Tells whether a log matches a filter's addresses and topics (block range not checked):
 * any listed address; per topic position null matches anything, a hash that hash, a list
 * any of its hashes. A log with fewer topics than the filter's positions does not match.
 *
 * @example
 * ```ts
 * matchesLogFilter(log, { addresses: [], topics: [transferTopic] }); // true for Transfer logs
 * ```
 */
export function matchesLogFilter(
  log: IndexedLog,
  filter: Pick<LogFilter, "addresses" | "topics">,
): boolean {
  if (filter.addresses.length > 0 && !filter.addresses.some((a) => equalsBytes(a, log.address))) {
    return false;
  }
  return filter.topics.every((wanted, position) => {
    if (wanted === null) return true;
    const topic = log.topics[position];
    if (topic === undefined) return false;
    return wanted instanceof Uint8Array
      ? equalsBytes(wanted, topic)
      : wanted.some((candidate) => equalsBytes(candidate, topic));
  });
}
