import type { TypedTransaction } from "@ethereumjs/tx";
import type { MembershipPredicate } from "./assertMemberSender.ts";
import type { SelectOptions } from "./selectTransactions.ts";

/** An account's nonce and balance at the latest committed block. */
export interface AccountState {
  /** Next nonce the account must use. */
  readonly nonce: bigint;
  /** Balance in wei. */
  readonly balance: bigint;
}

/** Reads an account's state at the latest committed block (synchronously or not). */
export type AccountStateReader = (address: Uint8Array) => AccountState | Promise<AccountState>;

/** The pool's injected ports: state reads and the clock. The pool itself does no I/O. */
export interface TxPoolPorts {
  /** Account nonce and balance at the head. */
  readonly accountState: AccountStateReader;
  /** The Consortium membership rule (see {@link assertMemberSender}). */
  readonly isMember: MembershipPredicate;
  /** Current time in milliseconds, for the queued-transaction lifetime. */
  readonly now: () => number;
}

/** Outcome of a successful {@link TxPool.add}. */
export interface AddResult {
  /** Hash of the admitted transaction. */
  readonly hash: Uint8Array;
  /** Its sender. */
  readonly sender: Uint8Array;
  /** `pending` when executable now, `queued` when it waits behind a nonce gap. */
  readonly status: "pending" | "queued";
  /** Hash of the transaction it replaced (same sender and nonce). */
  readonly replaced?: Uint8Array;
  /** Hashes of other transactions evicted to make room. */
  readonly evicted: readonly Uint8Array[];
  /** Hashes of queued transactions this one made executable by closing a nonce gap. */
  readonly promoted: readonly Uint8Array[];
}

/** The parts of a committed block the pool reads (an EthereumJS `Block` fits). */
export interface CommittedBlock {
  readonly header: { readonly gasLimit: bigint; readonly baseFeePerGas?: bigint | undefined };
  readonly transactions: readonly TypedTransaction[];
}

/** Outcome of {@link TxPool.onBlockCommitted}. */
export interface CommitResult {
  /** Removed because their nonce is now used (included in the block or elsewhere). */
  readonly included: readonly Uint8Array[];
  /** Removed because the balance no longer covers them, or queued too long. */
  readonly dropped: readonly Uint8Array[];
  /** Queued transactions that became executable. */
  readonly promoted: readonly Uint8Array[];
}

/** Counts of the pool's contents. */
export interface TxPoolStats {
  /** Executable transactions. */
  readonly pending: number;
  /** Transactions waiting behind a nonce gap. */
  readonly queued: number;
  /** Encoded bytes of all pooled transactions. */
  readonly bytes: number;
  /** Distinct senders. */
  readonly senders: number;
}

/** One sender's pooled transactions in nonce order. */
export interface SenderTransactions {
  /** Sender address. */
  readonly sender: Uint8Array;
  /** Transactions in ascending nonce order. */
  readonly txs: readonly TypedTransaction[];
}

/** A snapshot of the pool for inspection (`txpool_content`-style). */
export interface TxPoolContent {
  /** Executable runs per sender. */
  readonly pending: readonly SenderTransactions[];
  /** Future-nonce transactions per sender. */
  readonly queued: readonly SenderTransactions[];
}

/** The transaction pool of a Custos node. */
export interface TxPool {
  /**
   * Admits a signed transaction after the stateless, membership, nonce, balance, replacement
   * and capacity rules.
   *
   * @throws CustosError `TXPOOL_*` (see docs/errors.md) naming the rule that refused it.
   */
  add(tx: TypedTransaction): Promise<AddResult>;
  /** Chooses the next block's transactions: best effective tip first, nonce order kept. */
  selectForBlock(options: SelectOptions): TypedTransaction[];
  /**
   * Removes transactions whose nonce the block used, drops unaffordable ones, promotes
   * queued ones and expires old queued ones. Reads senders' state with `accountState`
   * (default: the pool's port), which must reflect the state after `block`.
   */
  onBlockCommitted(block: CommittedBlock, accountState?: AccountStateReader): Promise<CommitResult>;
  /** Removes queued transactions older than the lifetime (and their sender's later nonces). */
  evictExpired(): readonly Uint8Array[];
  /**
   * Removes a transaction and its sender's later nonces (they could no longer execute), e.g.
   * when block building found it invalid. Returns the removed hashes.
   */
  drop(hash: Uint8Array): readonly Uint8Array[];
  /** A pooled transaction by hash. */
  get(hash: Uint8Array): TypedTransaction | undefined;
  /** The next nonce after the sender's pending run, or `undefined` if it has no pooled txs. */
  pendingNonce(address: Uint8Array): bigint | undefined;
  /** Counts of the pool's contents. */
  stats(): TxPoolStats;
  /** Snapshot of all pooled transactions grouped by sender. */
  content(): TxPoolContent;
}
