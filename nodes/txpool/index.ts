export {
  assertMemberSender,
  type MembershipPredicate,
  recoverSender,
} from "./assertMemberSender.ts";
export { assertTxWellFormed, type TxRules, type WellFormedTx } from "./assertTxWellFormed.ts";
export { createTxPool } from "./createTxPool.ts";
export { type DecodeTransactionOptions, decodeTransaction } from "./decodeTransaction.ts";
export type { SelectOptions } from "./selectTransactions.ts";
export type {
  AccountState,
  AccountStateReader,
  AddResult,
  CommitResult,
  CommittedBlock,
  SenderTransactions,
  TxPool,
  TxPoolContent,
  TxPoolPorts,
  TxPoolStats,
} from "./TxPool.ts";
export { defaultTxPoolOptions, type TxPoolOptions } from "./TxPoolOptions.ts";
export { effectiveTip, type TxFees, txFees } from "./txFees.ts";
