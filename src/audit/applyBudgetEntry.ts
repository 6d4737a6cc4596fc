import { CustosError } from "../errors/index.ts";
import type { AuditEntry } from "./AuditEntry.ts";

/**
 * A researcher organisation's ε budget at one hospital, from the chain: the limit the
 * hospital set (0 until it sets one, as AccessLedger holds it) and what its results charged.
 * Amounts are micro-units, decimal (1,000,000 = 1.0).
 */
export interface EpsilonBudget {
  readonly researcherOrg: number;
  readonly hospitalId: number;
  readonly limit: string;
  readonly spent: string;
  /** limit − spent, never negative (a lowered limit may be below what was spent). */
  readonly remaining: string;
  /** Results the hospital recorded for the organisation. */
  readonly results: number;
  /** Unix seconds of the latest limit set, or null if never set. */
  readonly limitSetAt: number | null;
  /** The budget's latest change. */
  readonly updatedBlock: number;
  readonly updatedAt: number;
}

function remaining(limit: bigint, spent: bigint): string {
  return (limit > spent ? limit - spent : 0n).toString();
}

/**
 * Folds a BudgetLimitSet (the new limit, and the spend AccessLedger reports with it) or a
 * ResultRecorded (its ε charged) into the budget of its (researcher organisation,
 * hospital); `budget` is undefined before the pair's first entry.
 *
 * @throws CustosError `INVALID_ARGUMENT` for another event or another pair's budget.
 * @example
 * ```ts
 * const budget = applyBudgetEntry(undefined, limitSet); // { limit: "5000000", spent: "0", … }
 * ```
 */
export function applyBudgetEntry(
  budget: EpsilonBudget | undefined,
  entry: AuditEntry,
): EpsilonBudget {
  if (entry.event !== "BudgetLimitSet" && entry.event !== "ResultRecorded") {
    throw new CustosError("INVALID_ARGUMENT", `${entry.event} does not change a budget`, {
      details: { field: "entry", event: entry.event },
    });
  }
  const { researcherOrg, hospitalId } = entry.fields;
  if (
    budget !== undefined &&
    (budget.researcherOrg !== researcherOrg || budget.hospitalId !== hospitalId)
  ) {
    throw new CustosError("INVALID_ARGUMENT", "the entry belongs to another budget", {
      details: { field: "entry", event: entry.event, researcherOrg, hospitalId },
    });
  }
  const previous = budget ?? {
    researcherOrg,
    hospitalId,
    limit: "0",
    spent: "0",
    remaining: "0",
    results: 0,
    limitSetAt: null,
    updatedBlock: entry.at.blockNumber,
    updatedAt: entry.at.blockTimestamp,
  };
  const updated = { updatedBlock: entry.at.blockNumber, updatedAt: entry.at.blockTimestamp };
  if (entry.event === "BudgetLimitSet") {
    const { limit, spent } = entry.fields;
    return {
      ...previous,
      limit,
      spent,
      remaining: remaining(BigInt(limit), BigInt(spent)),
      limitSetAt: entry.at.blockTimestamp,
      ...updated,
    };
  }
  const spent = BigInt(previous.spent) + BigInt(entry.fields.result.epsilon);
  return {
    ...previous,
    spent: spent.toString(),
    remaining: remaining(BigInt(previous.limit), spent),
    results: previous.results + 1,
    ...updated,
  };
}
