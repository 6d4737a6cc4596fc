import type { Block } from "@ethereumjs/block";
import { bytesToHex, equalsBytes, hexToBytes } from "@ethereumjs/util";
import { Interface } from "ethers";
import { consortiumAbi } from "../../src/contracts/index.ts";
import { CustosError } from "../../src/errors/index.ts";
import type { StoredReceipt } from "../db/index.ts";
import type { ExecutionEngine } from "../execution/index.ts";

/** Who may send transactions: Consortium members as of a block's state. */
export interface Membership {
  /** Whether `address` is a member account at the head (cached per head). */
  isMember(address: Uint8Array): Promise<boolean>;
  /** Whether `address` is a member account in the state of `block`. */
  isMemberAt(address: Uint8Array, block: Block): Promise<boolean>;
  /**
   * Tells the cache a block was committed: membership answers survive a new head unless the
   * block holds a Consortium log (every membership change emits one).
   */
  onBlockCommitted(receipts: readonly StoredReceipt[]): void;
}

/** Inputs of {@link createMembership}. */
export interface MembershipOptions {
  readonly engine: Pick<ExecutionEngine, "call">;
  /** Address of the Consortium contract (from genesis). */
  readonly consortium: Uint8Array;
  /** The current head block. */
  readonly head: () => Block;
}

const consortium = new Interface(consortiumAbi);

/**
 * Reads `Consortium.isMember` through the execution engine. Answers at the head are cached
 * until a committed block carries a Consortium log, so admitting a transaction costs one EVM
 * call per sender per membership change rather than one per transaction.
 *
 * @throws CustosError `INTERNAL` when the Consortium call fails (a broken genesis or state):
 *   membership is then unknown and the caller must refuse the sender.
 * @example
 * ```ts
 * const membership = createMembership({ engine, consortium: contracts.consortium, head });
 * await membership.isMember(sender); // true for a hospital recorder
 * ```
 */
export function createMembership(options: MembershipOptions): Membership {
  const { engine, head } = options;
  const cache = new Map<string, boolean>();
  // Bumped on every invalidation, so an answer read before a membership change is not cached
  // after it.
  let generation = 0;

  async function isMemberAt(address: Uint8Array, block: Block): Promise<boolean> {
    const data = hexToBytes(
      consortium.encodeFunctionData("isMember", [bytesToHex(address)]) as `0x${string}`,
    );
    const result = await engine.call({ to: options.consortium, data }, block);
    if (result.revert !== undefined || result.error !== undefined) {
      throw new CustosError("INTERNAL", "the Consortium membership call failed", {
        details: {
          block: block.header.number.toString(),
          reason: result.error ?? result.revert?.reason ?? "revert",
        },
      });
    }
    const [member] = consortium.decodeFunctionResult("isMember", result.returnData);
    return member === true;
  }

  return {
    isMemberAt,
    async isMember(address) {
      const key = bytesToHex(address);
      const cached = cache.get(key);
      if (cached !== undefined) return cached;
      const readAt = generation;
      const member = await isMemberAt(address, head());
      if (readAt === generation) cache.set(key, member);
      return member;
    },
    onBlockCommitted(receipts) {
      for (const receipt of receipts) {
        for (const [address] of receipt.logs) {
          if (equalsBytes(address, options.consortium)) {
            cache.clear();
            generation++;
            return;
          }
        }
      }
    },
  };
}
