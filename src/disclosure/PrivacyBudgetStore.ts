/** Outcome of a budget charge: an expected result, never thrown. */
export type BudgetCharge =
  | {
      readonly status: "charged";
      /** Micro-ε spent by this requester at this hospital, including this charge. */
      readonly spentMicro: number;
      /** Micro-ε still available. */
      readonly remainingMicro: number;
    }
  | {
      readonly status: "refused";
      /** Micro-ε already spent (unchanged by the refused charge). */
      readonly spentMicro: number;
      /** The requested charge. */
      readonly requestedMicro: number;
      /** The cap for this requester at this hospital. */
      readonly limitMicro: number;
    };

/**
 * Privacy budget ledger per requester × hospital, in integer micro-ε (1e6 = ε 1.0) to
 * match the on-chain AccessLedger that will back it. `charge` must be atomic: it either
 * records the whole charge or refuses it, never overdraws.
 */
export interface PrivacyBudgetStore {
  /**
   * Charges `epsilonMicro` if the cap allows it.
   *
   * @throws CustosError `DISCLOSURE_POLICY_INVALID` if epsilonMicro is not a non-negative
   * safe integer.
   */
  charge(requester: string, hospital: string, epsilonMicro: number): Promise<BudgetCharge>;
  /** Micro-ε spent so far by a requester at a hospital. */
  spent(requester: string, hospital: string): Promise<number>;
}
