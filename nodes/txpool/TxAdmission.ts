import type { TypedTransaction } from "@ethereumjs/tx";
import { type Address, bytesToHex } from "@ethereumjs/util";
import { CustosError } from "../../src/errors/index.ts";
import { assertReplaces } from "./assertReplaces.ts";
import { assertTxWellFormed, type WellFormedTx } from "./assertTxWellFormed.ts";
import { chooseVictims } from "./chooseVictims.ts";
import type { PoolContents } from "./PoolContents.ts";
import type { PoolEntry } from "./PoolEntry.ts";
import { SenderQueue } from "./SenderQueue.ts";
import type { AccountState, AddResult, TxPoolPorts } from "./TxPool.ts";
import type { ResolvedTxPoolOptions } from "./TxPoolOptions.ts";
import { effectiveTip } from "./txFees.ts";

function alreadyKnown(hashHex: string): CustosError {
  return new CustosError("TXPOOL_ALREADY_KNOWN", "already known", {
    details: { hash: hashHex },
  });
}

function nonceDetails(queue: SenderQueue, nonce: bigint) {
  return { sender: queue.key, nonce: String(nonce), stateNonce: String(queue.stateNonce) };
}

/**
 * The pool's admission rules: the stateless checks against the head's block gas limit,
 * then, with the sender's account state, the nonce window, replacement, balance and capacity
 * rules, evicting the cheapest transactions of other senders to make room. A refused
 * transaction leaves the pool untouched. The head's limits are updated from each committed
 * block.
 *
 * @example
 * ```ts
 * const admission = new TxAdmission(contents, resolveTxPoolOptions(options), ports);
 * const checked = admission.checkWellFormed(tx);
 * const result = admission.admit(tx, checked, sender, await ports.accountState(sender.bytes));
 * ```
 */
export class TxAdmission {
  /** Block gas limit of the head, the most gas a transaction may declare. */
  blockGasLimit: bigint;
  /** Base fee of the head (wei per gas), pricing eviction. */
  baseFee: bigint;
  readonly #contents: PoolContents;
  readonly #options: ResolvedTxPoolOptions;
  /** Kept whole so that `now` is still called as a method of the ports object. */
  readonly #ports: Pick<TxPoolPorts, "now">;

  constructor(
    contents: PoolContents,
    options: ResolvedTxPoolOptions,
    ports: Pick<TxPoolPorts, "now">,
  ) {
    this.#contents = contents;
    this.#options = options;
    this.#ports = ports;
    this.blockGasLimit = options.blockGasLimit;
    this.baseFee = options.baseFee;
  }

  /**
   * The stateless rules (see {@link assertTxWellFormed}), and that the transaction is not
   * pooled already.
   *
   * @throws CustosError `TXPOOL_*` naming the rule that refused it.
   */
  checkWellFormed(tx: TypedTransaction): WellFormedTx {
    const opts = this.#options;
    const checked = assertTxWellFormed(tx, {
      chainId: opts.chainId,
      maxTxBytes: opts.maxTxBytes,
      blockGasLimit: this.blockGasLimit,
      maxTxGas: opts.maxTxGas,
      minTip: opts.minTip,
      allowUnprotected: opts.allowUnprotected,
    });
    if (this.#contents.has(bytesToHex(checked.hash))) {
      throw alreadyKnown(bytesToHex(checked.hash));
    }
    return checked;
  }

  /**
   * Admits a well-formed transaction of a member `sender` whose account is in `state`
   * (applied to the sender's queue first), checking and mutating in one synchronous step.
   *
   * @throws CustosError `TXPOOL_*` naming the rule that refused it.
   */
  admit(
    tx: TypedTransaction,
    checked: WellFormedTx,
    sender: Address,
    state: AccountState,
  ): AddResult {
    const contents = this.#contents;
    const hashHex = bytesToHex(checked.hash);
    if (contents.has(hashHex)) throw alreadyKnown(hashHex);
    const key = sender.toString();
    const found = contents.queue(key);
    if (found !== undefined) contents.reconcile(found, state);
    const queue =
      contents.queue(key) ?? new SenderQueue(sender.bytes, key, state.nonce, state.balance);
    const nonce = tx.nonce;
    this.#assertNonceInWindow(queue, nonce);
    const existing = queue.get(nonce);
    if (existing !== undefined) assertReplaces(existing, checked, this.#options.priceBumpPercent);
    const cost = tx.gasLimit * checked.fees.feeCap + tx.value;
    const spent = queue.totalCost(nonce) + cost;
    if (spent > queue.balance) {
      throw new CustosError(
        "TXPOOL_INSUFFICIENT_FUNDS",
        `insufficient funds for gas * price + value: balance ${queue.balance}, cost ${spent}`,
        { details: { sender: key, balance: String(queue.balance), cost: String(spent) } },
      );
    }
    const victims = this.#makeRoom(queue, nonce, checked, existing);
    if (existing !== undefined) contents.remove(queue, existing);
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
      seq: contents.nextSeq(),
      addedAt: this.#ports.now(),
      pending: false,
    };
    contents.insert(queue, entry);
    const promoted = contents.refresh(queue).filter((hash) => hash !== entry.hash);
    return {
      hash: entry.hash,
      sender: sender.bytes,
      status: entry.pending ? "pending" : "queued",
      ...(existing === undefined ? {} : { replaced: existing.hash }),
      evicted: victims.map((v) => v.hash),
      promoted,
    };
  }

  /** Nonces must fall in a window of `maxPerSender` from the account nonce. */
  #assertNonceInWindow(queue: SenderQueue, nonce: bigint): void {
    const { maxPerSender } = this.#options;
    if (nonce < queue.stateNonce) {
      throw new CustosError(
        "TXPOOL_NONCE_TOO_LOW",
        `nonce too low: next nonce ${queue.stateNonce}, tx nonce ${nonce}`,
        { details: nonceDetails(queue, nonce) },
      );
    }
    if (nonce < queue.stateNonce + BigInt(maxPerSender)) return;
    // The window is what caps a sender's slots: a full one is reported as geth reports a
    // full account.
    if (queue.size >= maxPerSender) {
      throw new CustosError(
        "TXPOOL_SENDER_LIMIT",
        `account limit exceeded: ${queue.size} transactions pooled, limit ${maxPerSender}`,
        { details: { sender: queue.key, limit: maxPerSender } },
      );
    }
    throw new CustosError(
      "TXPOOL_NONCE_TOO_HIGH",
      `nonce too high: next nonce ${queue.stateNonce}, tx nonce ${nonce}, max gap ${maxPerSender}`,
      { details: nonceDetails(queue, nonce) },
    );
  }

  /**
   * Checks the queued cap and evicts what the count and byte limits need for the newcomer
   * at `nonce` (replacing `existing`, if any); returns the evicted entries.
   */
  #makeRoom(
    queue: SenderQueue,
    nonce: bigint,
    checked: WellFormedTx,
    existing: PoolEntry | undefined,
  ): PoolEntry[] {
    const contents = this.#contents;
    const opts = this.#options;
    const willBePending = nonce <= queue.pendingEnd;
    if (existing === undefined && !willBePending && contents.queuedCount >= opts.maxQueued) {
      throw new CustosError("TXPOOL_FULL", "txpool is full: future-nonce queue at capacity", {
        details: { queued: contents.queuedCount, limit: "queued" },
      });
    }
    const needCount = contents.size + (existing === undefined ? 1 : 0) - opts.maxCount;
    const needBytes = contents.totalBytes - (existing?.size ?? 0) + checked.size - opts.maxBytes;
    if (needCount <= 0 && needBytes <= 0) return [];
    const price = effectiveTip(checked.fees, this.baseFee);
    const victims = chooseVictims(contents, this.baseFee, queue.key, price, needCount, needBytes);
    const touched = new Set<SenderQueue>();
    for (const victim of victims) {
      const owner = contents.queue(victim.senderHex);
      if (owner === undefined) continue;
      contents.remove(owner, victim);
      touched.add(owner);
    }
    for (const owner of touched) contents.refresh(owner);
    return victims;
  }
}
