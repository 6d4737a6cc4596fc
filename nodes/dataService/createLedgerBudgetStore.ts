import type { PrivacyBudgetStore } from "../../src/disclosure/index.ts";
import type { AccessLedgerClient } from "../../src/ledger/index.ts";

/**
 * A privacy budget over AccessLedger's ε budgets for one query run: a charge is allowed
 * while the researcher organisation's remaining budget at this hospital, read from the
 * chain, covers it and the charges made before it in this run. The chain itself charges
 * the sum when the result is recorded, and reverts if it no longer fits, so this check only
 * refuses early, before anything is released. Requesters are organisation ids in decimal.
 */
export function createLedgerBudgetStore(
  ledger: AccessLedgerClient,
  hospitalId: number,
): PrivacyBudgetStore {
  const charged = new Map<string, number>();
  return {
    async charge(requester, _hospital, epsilonMicro) {
      const budget = await ledger.budget(Number(requester), hospitalId);
      const before = charged.get(requester) ?? 0;
      const remaining = Number(budget.remaining) - before;
      if (epsilonMicro > remaining) {
        return {
          status: "refused",
          spentMicro: Number(budget.spent) + before,
          requestedMicro: epsilonMicro,
          limitMicro: Number(budget.limit),
        };
      }
      charged.set(requester, before + epsilonMicro);
      return {
        status: "charged",
        spentMicro: Number(budget.spent) + before + epsilonMicro,
        remainingMicro: remaining - epsilonMicro,
      };
    },
    async spent(requester) {
      const budget = await ledger.budget(Number(requester), hospitalId);
      return Number(budget.spent) + (charged.get(requester) ?? 0);
    },
  };
}
