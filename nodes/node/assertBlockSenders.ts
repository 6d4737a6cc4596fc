import type { Block } from "@ethereumjs/block";
import { CustosError } from "../../src/errors/index.ts";
import { assertMemberSender, type MembershipPredicate } from "../txpool/index.ts";

/**
 * The block-validation half of the member-only rule (the pool enforces it at admission):
 * every transaction of a block must be signed by an account that is a Consortium member in
 * the block's parent state.
 *
 * @throws CustosError `BLOCK_INVALID` naming the transaction (`transactions[i].sender`) whose
 *   signature recovers no sender or whose sender is not a member.
 * @example
 * ```ts
 * await assertBlockSenders(block, membership.isMember);
 * ```
 */
export async function assertBlockSenders(
  block: Block,
  isMember: MembershipPredicate,
): Promise<void> {
  for (const [index, tx] of block.transactions.entries()) {
    try {
      await assertMemberSender(tx, isMember);
    } catch (cause) {
      if (!(cause instanceof CustosError) || !cause.code.startsWith("TXPOOL_")) throw cause;
      throw new CustosError(
        "BLOCK_INVALID",
        `block ${block.header.number}: transaction ${index} ${cause.shortMessage}`,
        {
          details: {
            field: `transactions[${index}].sender`,
            blockNumber: block.header.number.toString(),
          },
          cause,
        },
      );
    }
  }
}
