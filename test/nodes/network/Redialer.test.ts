import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { silentNetworkLogger } from "../../../nodes/network/NetworkLogger.ts";
import { Redialer } from "../../../nodes/network/Redialer.ts";

describe("Redialer", () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 0 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  function setUp(dialOutcome: () => Promise<void>) {
    const dials: number[] = [];
    const redialer = new Redialer(
      { baseMs: 100, capMs: 800 },
      {
        shouldDial: async () => true,
        dial: async () => {
          dials.push(Date.now());
          await dialOutcome();
        },
        random: () => 0.5,
      },
      silentNetworkLogger,
    );
    return { redialer, dials };
  }

  it("dials a new peer at once, then backs off exponentially up to the cap", async () => {
    const { redialer, dials } = setUp(() => Promise.reject(new Error("refused")));
    redialer.remember("peer", "/ip4/127.0.0.1/tcp/1/p2p/peer");
    redialer.start();
    await vi.advanceTimersByTimeAsync(5_000);
    redialer.stop();
    const gaps = dials.slice(1).map((at, i) => at - (dials[i] as number));
    expect(dials[0]).toBe(0);
    expect(gaps.slice(0, 4)).toEqual([200, 400, 800, 800]);
    expect(Math.max(...gaps)).toBe(800);
  });

  it("stops dialling a connected peer and starts again from the base when it leaves", async () => {
    const { redialer, dials } = setUp(() => Promise.resolve());
    redialer.remember("peer", "/ip4/127.0.0.1/tcp/1/p2p/peer");
    redialer.start();
    await vi.advanceTimersByTimeAsync(0);
    redialer.connected("peer");
    await vi.advanceTimersByTimeAsync(10_000);
    expect(dials).toEqual([0]);
    redialer.disconnected("peer");
    await vi.advanceTimersByTimeAsync(100);
    expect(dials).toEqual([0, 10_100]);
    redialer.stop();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(dials).toHaveLength(2);
  });

  it("skips a peer it should not dial without losing it", async () => {
    let allowed = false;
    const dials: string[] = [];
    const redialer = new Redialer(
      { baseMs: 100, capMs: 100 },
      {
        shouldDial: async () => allowed,
        dial: async (peerId) => {
          dials.push(peerId);
        },
        random: () => 0.5,
      },
      silentNetworkLogger,
    );
    redialer.remember("peer", "/ip4/127.0.0.1/tcp/1/p2p/peer");
    redialer.start();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(dials).toEqual([]);
    allowed = true;
    await vi.advanceTimersByTimeAsync(100);
    expect(dials).toEqual(["peer"]);
    expect(redialer.known().get("peer")).toBe("/ip4/127.0.0.1/tcp/1/p2p/peer");
    redialer.stop();
  });
});
