import { describe, expect, it } from "vitest";
import { raceAbort, throwIfAborted } from "../../src/ledger/raceAbort.ts";
import { expectCustosError } from "../expectCustosError.ts";

describe("raceAbort", () => {
  it("settles like the promise when no abort happens", async () => {
    const controller = new AbortController();
    await expect(raceAbort(Promise.resolve(3), controller.signal, { sent: false })).resolves.toBe(
      3,
    );
    const boom = new Error("boom");
    await expect(raceAbort(Promise.reject(boom), controller.signal, { sent: false })).rejects.toBe(
      boom,
    );
    await expect(raceAbort(Promise.resolve(4), undefined, { sent: false })).resolves.toBe(4);
  });

  it("rejects with LEDGER_ABORTED and the given details as soon as the signal fires", async () => {
    const controller = new AbortController();
    const never = new Promise<never>(() => {});
    const raced = raceAbort(never, controller.signal, { sent: true, hash: "0x01" });
    const reason = new Error("user stop");
    controller.abort(reason);
    const error = await expectCustosError(raced, "LEDGER_ABORTED");
    expect(error.details).toEqual({ sent: true, hash: "0x01" });
    expect(error.cause).toBe(reason);
  });

  it("rejects at once for an already aborted signal", async () => {
    const controller = new AbortController();
    controller.abort();
    await expectCustosError(
      raceAbort(Promise.resolve(1), controller.signal, { sent: false }),
      "LEDGER_ABORTED",
    );
    expectCustosError(() => throwIfAborted(controller.signal, { sent: false }), "LEDGER_ABORTED");
    expect(() => throwIfAborted(undefined, { sent: false })).not.toThrow();
  });
});
