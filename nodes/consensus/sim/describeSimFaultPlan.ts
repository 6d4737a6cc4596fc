import type { SimByzantineTactics } from "./SimByzantineTactics.ts";
import type { SimFaultPlan } from "./SimFaultPlan.ts";

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(3)} s`;
}

function percent(rate: number): string {
  return `${(rate * 100).toFixed(1)} %`;
}

function tactics(node: number, chosen: SimByzantineTactics): string {
  if (chosen.silent) return `node ${node} is Byzantine: silent`;
  const traits = [
    chosen.equivocate > 0 ? `equivocates on ${percent(chosen.equivocate)} of its messages` : "",
    chosen.badSeals ? "bad commit seals" : "",
    chosen.invalidBlocks ? "blocks that fail execution" : "",
    chosen.bogusRoundChanges ? "bogus round changes" : "",
    chosen.forgedProposals ? "forged proposals" : "",
    chosen.replays ? "replays" : "",
  ].filter((trait) => trait !== "");
  return `node ${node} is Byzantine: ${traits.join(", ") || "no mischief"}, attacks every ${seconds(chosen.attackEveryMs)}`;
}

/**
 * A fault plan in plain lines, for a replay's log (`--verbose`).
 *
 * @example
 * ```ts
 * for (const line of describeSimFaultPlan(plan)) console.error(line);
 * ```
 */
export function describeSimFaultPlan(plan: SimFaultPlan): string[] {
  return [
    `faults heal at ${seconds(plan.healAt)}; until then ${percent(plan.dropRate)} of messages dropped, ${percent(plan.slowRate)} slow; ${percent(plan.duplicateRate)} duplicated`,
    ...[...plan.byzantine].map(([node, chosen]) => tactics(node, chosen)),
    ...plan.wiped.map((node) => `node ${node} is faulty: its storage will be wiped`),
    ...plan.crashes.map(
      (crash) =>
        `node ${crash.node} crashes ${seconds(crash.at)}–${seconds(crash.restartAt)}${crash.afterPersist ? " (right after its next persist)" : ""}${crash.wipe ? ", storage wiped" : ""}`,
    ),
    ...plan.partitions.map(
      (partition) =>
        `partition [${partition.side.join(",")}] | the rest ${seconds(partition.start)}–${seconds(partition.end)}`,
    ),
    ...plan.cuts.map(
      (cut) => `link ${cut.from}→${cut.to} cut ${seconds(cut.start)}–${seconds(cut.end)}`,
    ),
  ];
}
