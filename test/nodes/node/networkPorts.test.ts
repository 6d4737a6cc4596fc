import { describe, expect, it } from "vitest";
import type { ConsensusHandler } from "../../../nodes/network/index.ts";
import { blockSourceOf } from "../../../nodes/node/blockSourceOf.ts";
import { consensusNetworkOf } from "../../../nodes/node/consensusNetworkOf.ts";

const address = (last: number) => Uint8Array.from({ length: 20 }, (_, i) => (i === 19 ? last : 0));

describe("consensusNetworkOf", () => {
  it("sends to validators by lower-case hex address and relays received messages", () => {
    const sent: { to: readonly string[]; bytes: Uint8Array }[] = [];
    let relay: ConsensusHandler | undefined;
    const port = consensusNetworkOf({
      sendToValidators: (to, bytes) => {
        sent.push({ to, bytes });
        return to.length;
      },
      onConsensusMessage: (handler) => {
        relay = handler;
        return () => {
          relay = undefined;
        };
      },
      penalise: () => true,
    });
    port.send([address(0xab), address(1)], Uint8Array.of(7));
    expect(sent).toEqual([
      {
        to: [`0x${"00".repeat(19)}ab`, `0x${"00".repeat(19)}01`],
        bytes: Uint8Array.of(7),
      },
    ]);
    const received: string[] = [];
    const unsubscribe = port.onMessage((_bytes, from) => received.push(from));
    relay?.(Uint8Array.of(1), "0xpeer");
    unsubscribe();
    expect(received).toEqual(["0xpeer"]);
    expect(relay).toBeUndefined();
  });

  it("weighs a penalty by what the dropped message was", () => {
    const penalties: string[] = [];
    const port = consensusNetworkOf({
      sendToValidators: () => 0,
      onConsensusMessage: () => () => undefined,
      penalise: (_peer, reason) => {
        penalties.push(reason);
        return true;
      },
    });
    for (const reason of [
      "invalidBlock",
      "badBlock",
      "oversized",
      "malformed",
      "badSignature",
    ] as const) {
      port.penalise("0xpeer", reason);
    }
    expect(penalties).toEqual([
      "invalid-block",
      "invalid-block",
      "oversized-message",
      "malformed-message",
      "invalid-consensus-message",
    ]);
  });
});

describe("blockSourceOf", () => {
  it("lists peers by their announced head number and asks them for blocks with the caller's signal", async () => {
    const asked: unknown[] = [];
    const signal = new AbortController().signal;
    const source = blockSourceOf({
      peers: () => [
        {
          peerId: "16Uiu2a",
          address: "0x01",
          head: { number: 42n, hash: new Uint8Array(32) },
          direction: "inbound",
          connectedSince: 0,
        },
      ],
      requestBlocks: async (peerId, from, count, options) => {
        asked.push({ peerId, from, count, signal: options?.signal });
        return [Uint8Array.of(1)];
      },
      penalise: () => true,
    });
    expect(source.peers()).toEqual([{ peerId: "16Uiu2a", head: 42n }]);
    expect(await source.requestBlocks("16Uiu2a", 5n, 3, signal)).toEqual([Uint8Array.of(1)]);
    expect(asked).toEqual([{ peerId: "16Uiu2a", from: 5n, count: 3, signal }]);
  });
});
