import { describe, expect, it } from "vitest";
import { qbftMessageMaker } from "../../../../nodes/consensus/sim/index.ts";
import { QbftTestNetwork } from "./qbftTestNetwork.ts";

function roundChanges(network: QbftTestNetwork, index: number) {
  return network
    .effectsOf(index, "broadcast")
    .filter((effect) => effect.message.type === "roundChange");
}

describe("round synchronisation with capped timeouts", () => {
  it("brings back together a validator that ran ahead alone while the faulty one is silent", () => {
    const network = new QbftTestNetwork(4);
    const dead = network.proposer(0);
    const live = network.nodes.filter((node) => node !== dead);
    const [a, b, c] = live as [(typeof live)[0], (typeof live)[0], (typeof live)[0]];
    let partitioned = true;
    const isolated = (index: number) => index === dead.index || (partitioned && index === a.index);
    network.filter = (delivery) => !isolated(delivery.from) && !isolated(delivery.to);
    network.start();
    network.crash(dead.index);
    network.run();
    // Cut off, `a` times out three times, the others (at the same pace, later) once.
    for (let i = 0; i < 3; i++) {
      network.fireTimer(a.index);
      network.run();
    }
    network.fireTimer(b.index);
    network.fireTimer(c.index);
    network.run();
    partitioned = false;
    // Healed: every validator times out at the same (capped) pace, `a` first, then `b` and
    // `c` together. Before validators waited for a quorum at their round, `a` stayed ahead
    // for good: the others never saw f + 1 ahead, and no round ever held all three.
    let cycles = 0;
    while (live.some((node) => node.chain.size === 0) && cycles < 6) {
      network.fireTimer(a.index);
      network.run();
      network.fireTimer(b.index);
      network.fireTimer(c.index);
      network.run();
      cycles++;
    }
    expect(live.map((node) => node.chain.size)).toEqual([1, 1, 1]);
    expect(cycles).toBeLessThanOrEqual(2);
  });

  it("keeps a validator that cannot know a quorum reached its round there, re-sending its round change", () => {
    const network = new QbftTestNetwork(4);
    const lonely = network.nodes[0] as (typeof network.nodes)[0];
    network.filter = () => false;
    network.start();
    network.run();
    for (let i = 0; i < 5; i++) network.fireTimer(lonely.index);
    expect(network.status(lonely.index).round).toBe(1);
    const sent = roundChanges(network, lonely.index);
    expect(sent).toHaveLength(5);
    for (const effect of sent) expect(effect.bytes).toEqual(sent[0]?.bytes);
    // Signed once, persisted once: the re-sends add no signature.
    expect(network.effectsOf(lonely.index, "persist")).toHaveLength(1);
    expect(network.effectsOf(lonely.index, "setRoundTimer").map((effect) => effect.round)).toEqual([
      0, 1, 1, 1, 1, 1,
    ]);
  });

  it("restarts the round timer once, when a quorum is known to be at the round", () => {
    const network = new QbftTestNetwork(4);
    const [a, b, c, d] = network.nodes as [
      (typeof network.nodes)[0],
      (typeof network.nodes)[0],
      (typeof network.nodes)[0],
      (typeof network.nodes)[0],
    ];
    network.filter = () => false;
    network.start();
    network.run();
    network.fireTimer(a.index);
    const make = qbftMessageMaker(network.toy.crypto);
    const timers = (index: number, signer: typeof b.signer) =>
      network
        .step(index, { type: "message", bytes: make.roundChange(signer, 1n, 1).bytes })
        .filter((effect) => effect.type === "setRoundTimer");
    expect(timers(a.index, b.signer)).toEqual([]);
    expect(timers(a.index, c.signer)).toEqual([
      { type: "setRoundTimer", height: 1n, round: 1, delayMs: 4_000 },
    ]);
    expect(timers(a.index, d.signer)).toEqual([]);
  });
});
