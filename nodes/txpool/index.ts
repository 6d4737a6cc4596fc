export {
  assertMemberSender,
  type MembershipPredicate,
  recoverSender,
} from "./assertMemberSender.ts";
export { assertTxWellFormed, type TxRules, type WellFormedTx } from "./assertTxWellFormed.ts";
export {
  type AccountState,
  type AccountStateReader,
  type AddResult,
  type CommitResult,
  type CommittedBlock,
  createTxPool,
  defaultTxPoolOptions,
  type SenderTransactions,
  type TxPool,
  type TxPoolContent,
  type TxPoolOptions,
  type TxPoolPorts,
  type TxPoolStats,
} from "./createTxPool.ts";
export { type DecodeTransactionOptions, decodeTransaction } from "./decodeTransaction.ts";
export type { SelectOptions } from "./selectTransactions.ts";
export { effectiveTip, type TxFees, txFees } from "./txFees.ts";
