import { describe, expect, it } from "vitest";
import { isCustosError } from "../../src/errors/index.ts";
import { raceAbort, throwIfAborted } from "../../src/ledger/raceAbort.ts";

describe("raceAbort", () => {
  it("settles like the promise when no abort happens", async () => {
    const controller = new AbortController();
    await expect(raceAbort(Promise.resolve(3), controller.signal, { sent: false })).resolves.toBe(
      3,
    );
    await expect(
      raceAbort(Promise.reject(new Error("boom")), controller.signal, { sent: false }),
    ).rejects.toThrow("boom");
    await expect(raceAbort(Promise.resolve(4), undefined, { sent: false })).resolves.toBe(4);
  });

  it("rejects with LEDGER_ABORTED and the given details as soon as the signal fires", async () => {
    const controller = new AbortController();
    const never = new Promise<never>(() => {});
    const raced = raceAbort(never, controller.signal, { sent: true, hash: "0x01" });
    controller.abort(new Error("user stop"));
    const error = await raced.catch((e: unknown) => e);
    expect(isCustosError(error, "LEDGER_ABORTED")).toBe(true);
    if (!isCustosError(error)) throw new Error("unreachable");
    expect(error.details).toEqual({ sent: true, hash: "0x01" });
    expect((error.cause as Error).message).toBe("user stop");
  });

  it("rejects at once for an already aborted signal", async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(raceAbort(Promise.resolve(1), controller.signal, { sent: false })).rejects.toThrow(
      "LEDGER_ABORTED",
    );
    expect(() => throwIfAborted(controller.signal, { sent: false })).toThrow("LEDGER_ABORTED");
    expect(() => throwIfAborted(undefined, { sent: false })).not.toThrow();
  });
});
