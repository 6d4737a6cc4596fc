import type { TypedTransaction } from "@ethereumjs/tx";
import type { Address } from "@ethereumjs/util";
import { CustosError } from "../../src/errors/index.ts";

/**
 * Tells whether an address belongs to a Consortium member. May answer synchronously (a cached
 * member set) or asynchronously (a state read of the Consortium contract).
 */
export type MembershipPredicate = (address: Uint8Array) => boolean | Promise<boolean>;

/**
 * The membership rule shared by pool admission and block validation: recovers the sender of a
 * signed transaction and requires it to be a Consortium member. Only member accounts may send
 * transactions on a Custos chain.
 *
 * @returns the recovered sender.
 * @throws CustosError `TXPOOL_INVALID_SENDER` when the transaction is unsigned or its
 *   signature recovers no sender; `TXPOOL_SENDER_NOT_MEMBER` when the sender is not a member.
 * @example
 * ```ts
 * for (const tx of block.transactions) await assertMemberSender(tx, consortium.isMember);
 * ```
 */
export async function assertMemberSender(
  tx: TypedTransaction,
  isMember: MembershipPredicate,
): Promise<Address> {
  const sender = recoverSender(tx);
  if (!(await isMember(sender.bytes))) {
    throw new CustosError("TXPOOL_SENDER_NOT_MEMBER", "sender not a consortium member", {
      details: { sender: sender.toString() },
    });
  }
  return sender;
}

/**
 * Recovers a transaction's sender, mapping EthereumJS's signature errors to a typed error.
 *
 * @throws CustosError `TXPOOL_INVALID_SENDER`
 * @example
 * ```ts
 * const sender = recoverSender(tx);
 * ```
 */
export function recoverSender(tx: TypedTransaction): Address {
  if (!tx.isSigned()) {
    throw new CustosError("TXPOOL_INVALID_SENDER", "invalid sender: transaction is not signed");
  }
  try {
    return tx.getSenderAddress();
  } catch (cause) {
    throw new CustosError("TXPOOL_INVALID_SENDER", "invalid sender: signature does not recover", {
      cause,
    });
  }
}
