import { createFeeMarket1559Tx } from "@ethereumjs/tx";
import { bytesToHex } from "@ethereumjs/util";
import { describe, expect, it } from "vitest";
import { assertMemberSender, recoverSender } from "../../../nodes/txpool/index.ts";
import { errorCodes } from "../../../src/errors/index.ts";
import { expectCustosError } from "../../expectCustosError.ts";
import { addressOf, common, signedTx, TO, testKey } from "./fixtures.ts";

describe("assertMemberSender", () => {
  const member = addressOf(testKey(0));
  const isMember = (address: Uint8Array) => bytesToHex(address) === bytesToHex(member);

  it("returns the recovered sender of a member's transaction", async () => {
    const sender = await assertMemberSender(signedTx({ key: testKey(0), nonce: 0 }), isMember);
    expect(sender.bytes).toEqual(member);
  });

  it("accepts an asynchronous membership predicate", async () => {
    const tx = signedTx({ key: testKey(0), nonce: 0 });
    await expect(assertMemberSender(tx, async (a) => isMember(a))).resolves.toBeDefined();
  });

  it("refuses a non-member with TXPOOL_SENDER_NOT_MEMBER (-32003)", async () => {
    const tx = signedTx({ key: testKey(1), nonce: 0 });
    const error = await expectCustosError(
      assertMemberSender(tx, isMember),
      "TXPOOL_SENDER_NOT_MEMBER",
    );
    // The message JSON-RPC clients see.
    expect(error.shortMessage).toBe("sender not a consortium member");
    expect(error.details).toEqual({ sender: bytesToHex(addressOf(testKey(1))) });
    expect(errorCodes.TXPOOL_SENDER_NOT_MEMBER.rpcCode).toBe(-32003);
  });

  it("refuses an unsigned transaction with TXPOOL_INVALID_SENDER", () => {
    const tx = createFeeMarket1559Tx(
      { nonce: 0n, maxFeePerGas: 1n, gasLimit: 21_000n, to: TO, chainId: 1337n },
      { common },
    );
    const error = expectCustosError(() => recoverSender(tx), "TXPOOL_INVALID_SENDER");
    // geth's wording, which JSON-RPC clients match on.
    expect(error.shortMessage).toMatch(/invalid sender/);
  });

  it("refuses a signature that recovers no key with TXPOOL_INVALID_SENDER", () => {
    const tx = createFeeMarket1559Tx(
      {
        nonce: 0n,
        maxFeePerGas: 1n,
        gasLimit: 21_000n,
        to: TO,
        chainId: 1337n,
        v: 0n,
        r: 0n,
        s: 1n,
      },
      { common },
    );
    expectCustosError(() => recoverSender(tx), "TXPOOL_INVALID_SENDER");
  });
});
