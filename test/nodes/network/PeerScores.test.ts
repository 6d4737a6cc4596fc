import { describe, expect, it } from "vitest";
import { PeerScores, penaltyPoints } from "../../../nodes/network/PeerScores.ts";

describe("PeerScores", () => {
  const policy = { threshold: 100, halfLifeMs: 1_000, banMs: 5_000 };

  it("bans at the threshold, then forgets the score and lifts the ban after banMs", () => {
    let now = 0;
    const scores = new PeerScores(policy, () => now);
    expect(scores.penalise("a", "malformed-message")).toEqual({ score: 25, banned: false });
    expect(scores.penalise("a", "oversized-message")).toEqual({ score: 75, banned: false });
    expect(scores.isBanned("a")).toBe(false);
    expect(scores.penalise("a", "malformed-message")).toEqual({ score: 0, banned: true });
    expect(scores.bannedUntil("a")).toBe(5_000);
    expect(scores.isBanned("b")).toBe(false);
    now = 4_999;
    expect(scores.isBanned("a")).toBe(true);
    now = 5_000;
    expect(scores.isBanned("a")).toBe(false);
    expect(scores.score("a")).toBe(0);
  });

  it("halves scores every half-life, so old faults are forgiven", () => {
    let now = 0;
    const scores = new PeerScores(policy, () => now);
    scores.penalise("a", "invalid-block");
    now = 1_000;
    expect(scores.score("a")).toBe(penaltyPoints["invalid-block"] / 2);
    now = 3_000;
    expect(scores.penalise("a", "invalid-block").banned).toBe(false);
    now = 3_001;
    expect(scores.penalise("a", "invalid-block").banned).toBe(true);
  });
});
