import type { TypedTransaction } from "@ethereumjs/tx";
import { type Address, bytesToHex } from "@ethereumjs/util";
import { CustosError } from "../../src/errors/index.ts";
import {
  assertMemberSender,
  type MembershipPredicate,
  recoverSender,
} from "./assertMemberSender.ts";
import { assertTxWellFormed, type WellFormedTx } from "./assertTxWellFormed.ts";
import { MinHeap } from "./MinHeap.ts";
import type { PoolEntry } from "./PoolEntry.ts";
import { SenderQueue } from "./SenderQueue.ts";
import { type SelectOptions, selectTransactions } from "./selectTransactions.ts";
import { effectiveTip } from "./txFees.ts";

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

/** Options of {@link createTxPool}. */
export interface TxPoolOptions {
  /** The chain id transactions must be signed for. */
  readonly chainId: bigint;
  /** Block gas limit at start; updated from each committed block. */
  readonly blockGasLimit: bigint;
  /**
   * The chain's per-transaction gas cap (a chain rule: pass the execution engine's
   * `MAX_TX_GAS`, 2^24 as EIP-7825).
   */
  readonly maxTxGas?: bigint;
  /** Base fee at start (wei per gas), used to price eviction; updated from each committed block. */
  readonly baseFee?: bigint;
  /** Most transactions in the pool (pending + queued). */
  readonly maxCount?: number;
  /** Most encoded bytes in the pool. */
  readonly maxBytes?: number;
  /** Most transactions of one sender; also the furthest a nonce may run ahead of the account. */
  readonly maxPerSender?: number;
  /** Most queued (future-nonce) transactions in the pool. */
  readonly maxQueued?: number;
  /** How long a queued transaction may wait for its nonce gap to close, in milliseconds. */
  readonly queuedLifetimeMs?: number;
  /** Percentage by which a replacement must raise both fee caps. */
  readonly priceBumpPercent?: number;
  /** Smallest accepted tip per gas (gasPrice for legacy), in wei. */
  readonly minTip?: bigint;
  /** Largest accepted encoded transaction, in bytes. */
  readonly maxTxBytes?: number;
  /** Accept legacy transactions without EIP-155 replay protection. */
  readonly allowUnprotected?: boolean;
}

/** Defaults of {@link TxPoolOptions}; sizes follow geth's legacy pool where it has one. */
export const defaultTxPoolOptions = {
  baseFee: 0n,
  maxTxGas: 16_777_216n,
  maxCount: 4096,
  maxBytes: 32 * 1024 * 1024,
  maxPerSender: 64,
  maxQueued: 1024,
  queuedLifetimeMs: 3 * 60 * 60 * 1000,
  priceBumpPercent: 10,
  minTip: 0n,
  maxTxBytes: 128 * 1024,
  allowUnprotected: false,
} as const;

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

type ResolvedOptions = Required<TxPoolOptions>;

function resolveOptions(options: TxPoolOptions): ResolvedOptions {
  const resolved: ResolvedOptions = { ...defaultTxPoolOptions, ...options };
  const positive = [
    "maxCount",
    "maxBytes",
    "maxPerSender",
    "maxQueued",
    "queuedLifetimeMs",
    "maxTxBytes",
  ] as const;
  for (const name of positive) {
    const value = resolved[name];
    if (!Number.isSafeInteger(value) || value < 1) {
      throw new CustosError("INVALID_ARGUMENT", `txpool.${name}: must be a positive integer`, {
        details: { field: name },
      });
    }
  }
  if (!Number.isSafeInteger(resolved.priceBumpPercent) || resolved.priceBumpPercent < 0) {
    throw new CustosError("INVALID_ARGUMENT", "txpool.priceBumpPercent: must be an integer >= 0", {
      details: { field: "priceBumpPercent" },
    });
  }
  for (const name of ["chainId", "blockGasLimit", "baseFee", "minTip", "maxTxGas"] as const) {
    if (resolved[name] < 0n) {
      throw new CustosError("INVALID_ARGUMENT", `txpool.${name}: must be >= 0`, {
        details: { field: name },
      });
    }
  }
  return resolved;
}

/**
 * Creates a transaction pool: pure bookkeeping over EthereumJS transactions, with account
 * state, Consortium membership and the clock injected. Only member accounts may send.
 *
 * Concurrency: `add` awaits its two port reads before touching the pool, then checks and
 * mutates in one synchronous step, so concurrent calls never interleave mid-update. Account
 * nonces never decrease on a final chain, so a read older than what the pool already knows is
 * ignored.
 *
 * @throws CustosError `INVALID_ARGUMENT` for an option out of range.
 * @example
 * ```ts
 * const pool = createTxPool(
 *   { chainId: 1337n, blockGasLimit: 30_000_000n },
 *   { accountState: (a) => state.account(a), isMember: (a) => members.has(a), now: Date.now },
 * );
 * const { hash, status } = await pool.add(tx);
 * const txs = pool.selectForBlock({ baseFee, gasLimit: 30_000_000n, maxTxs: 5000 });
 * ```
 */
export function createTxPool(options: TxPoolOptions, ports: TxPoolPorts): TxPool {
  const opts = resolveOptions(options);
  let blockGasLimit = opts.blockGasLimit;
  let baseFee = opts.baseFee;
  let seq = 0;
  let pendingCount = 0;
  let queuedCount = 0;
  let totalBytes = 0;
  const byHash = new Map<string, PoolEntry>();
  const senders = new Map<string, SenderQueue>();

  function removeEntry(queue: SenderQueue, entry: PoolEntry): void {
    byHash.delete(entry.hashHex);
    queue.delete(entry.nonce);
    totalBytes -= entry.size;
    if (entry.pending) pendingCount--;
    else queuedCount--;
  }

  function insertEntry(queue: SenderQueue, entry: PoolEntry): void {
    byHash.set(entry.hashHex, entry);
    queue.set(entry);
    totalBytes += entry.size;
    queuedCount++;
  }

  /** Recomputes a sender's pending run; returns the hashes newly promoted to pending. */
  function refresh(queue: SenderQueue): Uint8Array[] {
    const promoted: Uint8Array[] = [];
    for (const entry of queue.refreshPending()) {
      if (entry.pending) {
        pendingCount++;
        queuedCount--;
        promoted.push(entry.hash);
      } else {
        pendingCount--;
        queuedCount++;
      }
    }
    if (queue.size === 0) senders.delete(queue.key);
    return promoted;
  }

  /** Removes `from` and every later nonce of its sender. */
  function removeSuffix(queue: SenderQueue, from: bigint): Uint8Array[] {
    const removed: Uint8Array[] = [];
    for (const entry of queue.sorted()) {
      if (entry.nonce >= from) {
        removeEntry(queue, entry);
        removed.push(entry.hash);
      }
    }
    return removed;
  }

  /** Applies a fresh account state to a sender's queue (ignored when older than known). */
  function reconcile(queue: SenderQueue, state: AccountState): CommitResult {
    if (state.nonce < queue.stateNonce) return { included: [], dropped: [], promoted: [] };
    queue.stateNonce = state.nonce;
    queue.balance = state.balance;
    const included: Uint8Array[] = [];
    let spent = 0n;
    let unaffordableFrom: bigint | undefined;
    for (const entry of queue.sorted()) {
      if (entry.nonce < state.nonce) {
        removeEntry(queue, entry);
        included.push(entry.hash);
        continue;
      }
      spent += entry.cost;
      if (spent > state.balance) {
        unaffordableFrom = entry.nonce;
        break;
      }
    }
    const dropped = unaffordableFrom === undefined ? [] : removeSuffix(queue, unaffordableFrom);
    return { included, dropped, promoted: refresh(queue) };
  }

  function price(entry: PoolEntry): bigint {
    return effectiveTip(entry.fees, baseFee);
  }

  /**
   * Picks the cheapest transactions to evict so the newcomer fits, only ever taking a
   * sender's highest nonce (so no sender keeps a nonce above an evicted one) and never the
   * newcomer's own sender. Chooses without mutating: refusal leaves the pool untouched.
   */
  function chooseVictims(
    incomingKey: string,
    incomingPrice: bigint,
    needCount: number,
    needBytes: number,
  ): PoolEntry[] {
    interface Tail {
      readonly entries: readonly PoolEntry[];
      index: number;
      price: bigint;
    }
    const heap = new MinHeap<Tail>((a, b) => {
      if (a.price !== b.price) return a.price < b.price;
      return (a.entries[a.index] as PoolEntry).seq > (b.entries[b.index] as PoolEntry).seq;
    });
    for (const queue of senders.values()) {
      if (queue.key === incomingKey) continue;
      const entries = queue.sorted();
      const last = entries[entries.length - 1];
      if (last !== undefined) heap.push({ entries, index: entries.length - 1, price: price(last) });
    }
    const victims: PoolEntry[] = [];
    let count = needCount;
    let bytes = needBytes;
    while (count > 0 || bytes > 0) {
      const tail = heap.pop();
      if (tail === undefined || tail.price >= incomingPrice) {
        if (victims.length === 0 && tail !== undefined) {
          throw new CustosError(
            "TXPOOL_UNDERPRICED",
            `transaction underpriced: pool is full and its cheapest transaction pays tip ${tail.price}`,
            { details: { tip: String(incomingPrice), cheapest: String(tail.price) } },
          );
        }
        throw new CustosError("TXPOOL_FULL", "txpool is full", {
          details: { count: byHash.size, bytes: totalBytes, limit: "size" },
        });
      }
      const victim = tail.entries[tail.index] as PoolEntry;
      victims.push(victim);
      count--;
      bytes -= victim.size;
      tail.index--;
      const next = tail.entries[tail.index];
      if (next !== undefined) {
        tail.price = price(next);
        heap.push(tail);
      }
    }
    return victims;
  }

  function admit(
    tx: TypedTransaction,
    checked: WellFormedTx,
    sender: Address,
    state: AccountState,
  ): AddResult {
    const hashHex = bytesToHex(checked.hash);
    if (byHash.has(hashHex)) {
      throw new CustosError("TXPOOL_ALREADY_KNOWN", "already known", {
        details: { hash: hashHex },
      });
    }
    const key = sender.toString();
    const found = senders.get(key);
    if (found !== undefined) reconcile(found, state);
    const queue =
      senders.get(key) ?? new SenderQueue(sender.bytes, key, state.nonce, state.balance);
    const nonce = tx.nonce;
    if (nonce < queue.stateNonce) {
      throw new CustosError(
        "TXPOOL_NONCE_TOO_LOW",
        `nonce too low: next nonce ${queue.stateNonce}, tx nonce ${nonce}`,
        { details: { sender: key, nonce: String(nonce), stateNonce: String(queue.stateNonce) } },
      );
    }
    if (nonce >= queue.stateNonce + BigInt(opts.maxPerSender)) {
      // Nonces must fall in a window of maxPerSender from the account nonce, which is what
      // caps a sender's slots; a full window is reported as geth reports a full account.
      if (queue.size >= opts.maxPerSender) {
        throw new CustosError(
          "TXPOOL_SENDER_LIMIT",
          `account limit exceeded: ${queue.size} transactions pooled, limit ${opts.maxPerSender}`,
          { details: { sender: key, limit: opts.maxPerSender } },
        );
      }
      throw new CustosError(
        "TXPOOL_NONCE_TOO_HIGH",
        `nonce too high: next nonce ${queue.stateNonce}, tx nonce ${nonce}, max gap ${opts.maxPerSender}`,
        { details: { sender: key, nonce: String(nonce), stateNonce: String(queue.stateNonce) } },
      );
    }
    const existing = queue.get(nonce);
    if (existing !== undefined) assertReplaces(existing, checked, opts.priceBumpPercent);
    const cost = tx.gasLimit * checked.fees.feeCap + tx.value;
    const spent = queue.totalCost(nonce) + cost;
    if (spent > queue.balance) {
      throw new CustosError(
        "TXPOOL_INSUFFICIENT_FUNDS",
        `insufficient funds for gas * price + value: balance ${queue.balance}, cost ${spent}`,
        { details: { sender: key, balance: String(queue.balance), cost: String(spent) } },
      );
    }
    const willBePending = nonce <= queue.pendingEnd;
    if (existing === undefined && !willBePending && queuedCount >= opts.maxQueued) {
      throw new CustosError("TXPOOL_FULL", "txpool is full: future-nonce queue at capacity", {
        details: { queued: queuedCount, limit: "queued" },
      });
    }
    const needCount = byHash.size + (existing === undefined ? 1 : 0) - opts.maxCount;
    const needBytes = totalBytes - (existing?.size ?? 0) + checked.size - opts.maxBytes;
    const victims =
      needCount > 0 || needBytes > 0
        ? chooseVictims(key, effectiveTip(checked.fees, baseFee), needCount, needBytes)
        : [];

    const touched = new Set<SenderQueue>();
    for (const victim of victims) {
      const owner = senders.get(victim.senderHex);
      if (owner === undefined) continue;
      removeEntry(owner, victim);
      touched.add(owner);
    }
    for (const owner of touched) refresh(owner);
    if (existing !== undefined) removeEntry(queue, existing);
    const entry: PoolEntry = {
      tx,
      hash: checked.hash,
      hashHex,
      senderHex: key,
      nonce,
      gasLimit: tx.gasLimit,
      fees: checked.fees,
      cost,
      size: checked.size,
      seq: seq++,
      addedAt: ports.now(),
      pending: false,
    };
    insertEntry(queue, entry);
    senders.set(key, queue);
    const promoted = refresh(queue).filter((hash) => hash !== entry.hash);
    return {
      hash: entry.hash,
      sender: sender.bytes,
      status: entry.pending ? "pending" : "queued",
      ...(existing === undefined ? {} : { replaced: existing.hash }),
      evicted: victims.map((v) => v.hash),
      promoted,
    };
  }

  function evictExpired(): Uint8Array[] {
    const now = ports.now();
    const removed: Uint8Array[] = [];
    for (const queue of [...senders.values()]) {
      const expired = queue
        .sorted()
        .find((e) => !e.pending && now - e.addedAt > opts.queuedLifetimeMs);
      if (expired === undefined) continue;
      removed.push(...removeSuffix(queue, expired.nonce));
      refresh(queue);
    }
    return removed;
  }

  return {
    async add(tx) {
      const checked = assertTxWellFormed(tx, {
        chainId: opts.chainId,
        maxTxBytes: opts.maxTxBytes,
        blockGasLimit,
        maxTxGas: opts.maxTxGas,
        minTip: opts.minTip,
        allowUnprotected: opts.allowUnprotected,
      });
      if (byHash.has(bytesToHex(checked.hash))) {
        throw new CustosError("TXPOOL_ALREADY_KNOWN", "already known", {
          details: { hash: bytesToHex(checked.hash) },
        });
      }
      const sender = await assertMemberSender(tx, ports.isMember);
      const state = await ports.accountState(sender.bytes);
      return admit(tx, checked, sender, state);
    },

    selectForBlock(selectOptions) {
      const runs: PoolEntry[][] = [];
      for (const queue of senders.values()) {
        const run = queue.pendingEntries();
        if (run.length > 0) runs.push(run);
      }
      return selectTransactions(runs, selectOptions);
    },

    async onBlockCommitted(block, accountState = ports.accountState) {
      blockGasLimit = block.header.gasLimit;
      baseFee = block.header.baseFeePerGas ?? baseFee;
      const keys = new Set<string>();
      for (const tx of block.transactions) {
        const known = byHash.get(bytesToHex(tx.hash()));
        const key = known?.senderHex ?? senderKeyOrUndefined(tx);
        if (key !== undefined && senders.has(key)) keys.add(key);
      }
      const reads = await Promise.all(
        [...keys].map(async (key) => {
          const queue = senders.get(key);
          return queue === undefined
            ? undefined
            : { key, state: await accountState(queue.address) };
        }),
      );
      const included: Uint8Array[] = [];
      const dropped: Uint8Array[] = [];
      const promoted: Uint8Array[] = [];
      for (const read of reads) {
        const queue = read === undefined ? undefined : senders.get(read.key);
        if (read === undefined || queue === undefined) continue;
        const result = reconcile(queue, read.state);
        included.push(...result.included);
        dropped.push(...result.dropped);
        promoted.push(...result.promoted);
      }
      dropped.push(...evictExpired());
      return { included, dropped, promoted };
    },

    evictExpired,

    drop(hash) {
      const entry = byHash.get(bytesToHex(hash));
      const queue = entry === undefined ? undefined : senders.get(entry.senderHex);
      if (entry === undefined || queue === undefined) return [];
      const removed = removeSuffix(queue, entry.nonce);
      refresh(queue);
      return removed;
    },

    get(hash) {
      return byHash.get(bytesToHex(hash))?.tx;
    },

    pendingNonce(address) {
      return senders.get(bytesToHex(address))?.pendingEnd;
    },

    stats() {
      return {
        pending: pendingCount,
        queued: queuedCount,
        bytes: totalBytes,
        senders: senders.size,
      };
    },

    content() {
      const pending: SenderTransactions[] = [];
      const queued: SenderTransactions[] = [];
      for (const queue of senders.values()) {
        const sorted = queue.sorted();
        const run = sorted.filter((e) => e.pending).map((e) => e.tx);
        const waiting = sorted.filter((e) => !e.pending).map((e) => e.tx);
        if (run.length > 0) pending.push({ sender: queue.address, txs: run });
        if (waiting.length > 0) queued.push({ sender: queue.address, txs: waiting });
      }
      return { pending, queued };
    },
  };
}

function senderKeyOrUndefined(tx: TypedTransaction): string | undefined {
  try {
    return recoverSender(tx).toString();
  } catch {
    return undefined;
  }
}

function assertReplaces(existing: PoolEntry, incoming: WellFormedTx, bumpPercent: number): void {
  const bump = BigInt(100 + bumpPercent);
  const old = existing.fees;
  const next = incoming.fees;
  const enough =
    next.feeCap > old.feeCap &&
    next.tipCap > old.tipCap &&
    next.feeCap * 100n >= old.feeCap * bump &&
    next.tipCap * 100n >= old.tipCap * bump;
  if (!enough) {
    throw new CustosError(
      "TXPOOL_REPLACEMENT_UNDERPRICED",
      `replacement transaction underpriced: needs fee cap and tip at least ${bumpPercent}% above ${old.feeCap} and ${old.tipCap}`,
      {
        details: {
          hash: existing.hashHex,
          feeCap: String(old.feeCap),
          tipCap: String(old.tipCap),
          bumpPercent,
        },
      },
    );
  }
}
