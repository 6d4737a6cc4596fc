import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  createToyQbftBlock,
  qbftMessageMaker,
  type ToyQbftBlock,
} from "../../../../nodes/consensus/sim/index.ts";
import { type InFlight, QbftTestNetwork } from "./qbftTestNetwork.ts";

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString("hex");
}

/**
 * The Byzantine node (one of four: f = 1) runs an honest core but its network layer sends a
 * second version of what it signs to some peers: another block in its proposals, another
 * digest in its prepares and commits, another claim in its round changes.
 */
function equivocate(network: QbftTestNetwork, byzantine: number, victims: ReadonlySet<number>) {
  const make = qbftMessageMaker(network.toy.crypto);
  const signer = (network.nodes[byzantine] as (typeof network.nodes)[0]).signer;
  const other = (digest: Uint8Array) => network.toy.crypto.keccak256(digest);
  return (delivery: InFlight): Uint8Array | undefined => {
    if (delivery.from !== byzantine || !victims.has(delivery.to)) return undefined;
    const { message } = delivery;
    const { height, round } = message.signed.payload;
    switch (message.type) {
      case "proposal": {
        const block = message.signed.payload.block as ToyQbftBlock;
        const twin = createToyQbftBlock({ ...block, body: Uint8Array.of(...block.body, 0x21) });
        return make.proposal(signer, twin, message.roundChanges, message.prepares).bytes;
      }
      case "prepare":
        return make.prepare(signer, height, round, other(message.signed.payload.digest)).bytes;
      case "commit":
        return make.commit(signer, height, round, other(message.signed.payload.digest)).bytes;
      case "roundChange":
        return make.roundChange(signer, height, round).bytes;
    }
  };
}

describe("qbftStep with an equivocating validator (f = 1 of 4)", () => {
  it("never lets two honest nodes commit different blocks at one height (property)", () => {
    let progressed = 0;
    fc.assert(
      fc.property(
        fc.nat(3),
        fc.uniqueArray(fc.nat(3), { maxLength: 3 }),
        fc.array(fc.tuple(fc.nat(), fc.nat(9)), { minLength: 20, maxLength: 300 }),
        (byzantine, victimList, schedule) => {
          const network = new QbftTestNetwork(4);
          network.buildUpTo = 3n;
          network.autoSync = true;
          network.rewrite = equivocate(network, byzantine, new Set(victimList));
          network.start();
          for (const [pick, action] of schedule) {
            if (action === 0) network.fireTimer(pick % 4);
            else if (network.queue.length > 0) network.deliver(pick % network.queue.length);
          }
          for (let cycle = 0; cycle < 6; cycle++) {
            network.run(20_000);
            network.fireAllTimers();
          }
          network.run(20_000);
          const honest = network.nodes.filter((node) => node.index !== byzantine);
          const heights = new Map<bigint, Set<string>>();
          for (const node of honest) {
            for (const [height, block] of node.chain) {
              heights.set(height, (heights.get(height) ?? new Set()).add(hex(block.hash)));
            }
          }
          for (const hashes of heights.values()) expect(hashes.size).toBe(1);
          if (heights.size > 0) progressed++;
        },
      ),
      { numRuns: 120 },
    );
    expect(progressed).toBeGreaterThan(60);
  });

  it("names the equivocating validator to a node that hears both versions", () => {
    const network = new QbftTestNetwork(4);
    const proposer = network.proposer(0);
    const honest = network.nodes.filter((node) => node !== proposer);
    const [first, second] = honest as [(typeof honest)[0], (typeof honest)[0]];
    network.rewrite = equivocate(network, proposer.index, new Set([first.index]));
    network.start();
    network.run();
    // `first` got the twin proposal; now it also hears the original, relayed by `second`.
    const original = network.sent.find((entry) => entry.message.type === "proposal");
    if (original === undefined) throw new Error("nothing proposed");
    const effects = network.step(first.index, { type: "message", bytes: original.bytes });
    expect(effects).toMatchObject([
      { type: "evidence", validator: proposer.signer.address, messageType: "proposal", round: 0 },
      { type: "dropped", reason: "equivocation" },
    ]);
    expect(second.chain.get(1n)).toBeDefined();
  });
});
