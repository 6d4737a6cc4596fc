import type { PeerId } from "@libp2p/interface";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type ConnectionFacts,
  prefersConnection,
} from "../../../nodes/network/prefersConnection.ts";

const peer = (id: string) => ({ toString: () => id }) as PeerId;

/** One connection as each end sees it. */
function seen(dialler: string, other: string, openedAt: number) {
  return {
    byDialler: { direction: "outbound", remotePeer: peer(other), timeline: { open: openedAt } },
    byListener: { direction: "inbound", remotePeer: peer(dialler), timeline: { open: openedAt } },
  } as { byDialler: ConnectionFacts; byListener: ConnectionFacts };
}

describe("prefersConnection", () => {
  it("makes both ends keep the same connection of two, whichever arrived first", () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1 }),
        fc.string({ minLength: 1 }),
        fc.nat(),
        fc.nat(),
        (x, y, t1, t2) => {
          fc.pre(x !== y);
          const fromX = seen(x, y, t1);
          const fromY = seen(y, x, t2);
          // At x: fromX is outbound, fromY inbound; at y the reverse.
          const xKeepsFromX = prefersConnection(fromX.byDialler, fromY.byListener, x);
          const xKeepsFromXOtherOrder = !prefersConnection(fromY.byListener, fromX.byDialler, x);
          const yKeepsFromX = prefersConnection(fromX.byListener, fromY.byDialler, y);
          expect(xKeepsFromX).toBe(xKeepsFromXOtherOrder);
          expect(yKeepsFromX).toBe(xKeepsFromX);
          expect(xKeepsFromX).toBe(x < y);
        },
      ),
      { seed: 1330, numRuns: 300 },
    );
  });

  it("keeps the newer of two connections dialled by the same side", () => {
    const older = seen("a", "b", 1).byDialler;
    const newer = seen("a", "b", 2).byDialler;
    expect(prefersConnection(newer, older, "a")).toBe(true);
    expect(prefersConnection(older, newer, "a")).toBe(false);
  });
});
