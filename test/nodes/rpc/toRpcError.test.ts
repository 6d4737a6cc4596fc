import { describe, expect, it } from "vitest";
import { toRpcError } from "../../../nodes/rpc/toRpcError.ts";
import { CustosError, errorCodes } from "../../../src/errors/index.ts";

describe("toRpcError", () => {
  it("maps every registered code to its registered rpcCode, reverts excepted", () => {
    for (const [code, info] of Object.entries(errorCodes)) {
      if (code === "RPC_EXECUTION_REVERTED") continue;
      const mapped = toRpcError(new CustosError(code as keyof typeof errorCodes, "x"));
      expect(mapped.error.code, code).toBe(info.rpcCode);
    }
  });

  it("makes details JSON-safe", () => {
    const { error } = toRpcError(
      new CustosError("TXPOOL_NONCE_TOO_LOW", "nonce too low: 1 < 2", {
        details: {
          nonce: 1n,
          sender: new Uint8Array([0xab]),
          nested: { deep: { deeper: { deepest: { x: 1 } } } },
        },
      }),
    );
    expect(error).toEqual({
      code: -32000,
      message: "nonce too low: 1 < 2",
      data: {
        code: "TXPOOL_NONCE_TOO_LOW",
        details: { nonce: "1", sender: "0xab", nested: { deep: { deeper: {} } } },
      },
    });
  });

  it("prefixes the phrases clients match on", () => {
    expect(
      toRpcError(new CustosError("TXPOOL_INSUFFICIENT_FUNDS", "balance 0")).error.message,
    ).toBe("insufficient funds for gas * price + value: balance 0");
  });

  it("puts revert bytes in data as geth does", () => {
    const { error } = toRpcError(
      new CustosError("RPC_EXECUTION_REVERTED", "execution reverted", {
        details: { data: "0x1234" },
      }),
    );
    expect(error).toEqual({ code: 3, message: "execution reverted", data: "0x1234" });
  });

  it("hides anything else as an internal error", () => {
    for (const thrown of [
      new Error("secret"),
      "string",
      null,
      new CustosError("INTERNAL", "secret"),
    ]) {
      expect(toRpcError(thrown)).toEqual({
        error: { code: -32603, message: "internal error" },
        internal: true,
      });
    }
  });
});
