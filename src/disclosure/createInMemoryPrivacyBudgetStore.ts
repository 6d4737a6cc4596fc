import { CustosError } from "../errors/index.ts";
import type { BudgetCharge, PrivacyBudgetStore } from "./PrivacyBudgetStore.ts";

/** Options of {@link createInMemoryPrivacyBudgetStore}. */
export interface InMemoryPrivacyBudgetStoreOptions {
  /** Default cap per requester × hospital, micro-ε. */
  readonly limitMicro: number;
  /** Caps for specific requesters (any hospital), micro-ε. */
  readonly requesterLimitsMicro?: Readonly<Record<string, number>>;
}

/** Default options of {@link createInMemoryPrivacyBudgetStore}: ε 1.0 per pair. */
export const defaultInMemoryPrivacyBudgetStoreOptions: InMemoryPrivacyBudgetStoreOptions =
  Object.freeze({ limitMicro: 1_000_000 });

function checkMicro(field: string, value: unknown): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) {
    throw new CustosError("DISCLOSURE_POLICY_INVALID", `${field} must be a non-negative integer`, {
      details: { field, value: String(value) },
    });
  }
  return value;
}

/**
 * An in-memory {@link PrivacyBudgetStore} for tests, simulations and single-process use.
 * Charges are integer micro-ε, so repeated charges never drift.
 *
 * @throws CustosError `DISCLOSURE_POLICY_INVALID` for a negative or fractional limit.
 * @example
 * ```ts
 * const budget = createInMemoryPrivacyBudgetStore({ limitMicro: 1_000_000 });
 * await budget.charge("researcher-1", "hospital-a", 400_000); // charged, 600_000 left
 * ```
 */
export function createInMemoryPrivacyBudgetStore(
  options: InMemoryPrivacyBudgetStoreOptions = defaultInMemoryPrivacyBudgetStoreOptions,
): PrivacyBudgetStore {
  const defaultLimit = checkMicro("limitMicro", options.limitMicro);
  const limits = new Map<string, number>();
  for (const [requester, limit] of Object.entries(options.requesterLimitsMicro ?? {})) {
    limits.set(requester, checkMicro(`requesterLimitsMicro.${requester}`, limit));
  }
  const spentByPair = new Map<string, number>();
  const key = (requester: string, hospital: string) => JSON.stringify([requester, hospital]);
  return {
    async charge(requester, hospital, epsilonMicro): Promise<BudgetCharge> {
      checkMicro("epsilonMicro", epsilonMicro);
      const limitMicro = limits.get(requester) ?? defaultLimit;
      const spentMicro = spentByPair.get(key(requester, hospital)) ?? 0;
      if (spentMicro + epsilonMicro > limitMicro) {
        return { status: "refused", spentMicro, requestedMicro: epsilonMicro, limitMicro };
      }
      const total = spentMicro + epsilonMicro;
      spentByPair.set(key(requester, hospital), total);
      return { status: "charged", spentMicro: total, remainingMicro: limitMicro - total };
    },
    async spent(requester, hospital): Promise<number> {
      return spentByPair.get(key(requester, hospital)) ?? 0;
    },
  };
}
