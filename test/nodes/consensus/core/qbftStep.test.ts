import { describe, expect, it } from "vitest";
import {
  type QbftEffect,
  type QbftPrepareMessage,
  qbftStatus,
  qbftStep,
} from "../../../../nodes/consensus/core/index.ts";
import {
  createToyQbftBlock,
  qbftMessageMaker,
  type ToyQbftBlock,
} from "../../../../nodes/consensus/sim/index.ts";
import { expectCustosError } from "../../../expectCustosError.ts";
import { QbftTestNetwork } from "./qbftTestNetwork.ts";

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString("hex");
}

function reasons(effects: readonly QbftEffect[]): string[] {
  return effects.flatMap((effect) => (effect.type === "dropped" ? [effect.reason] : []));
}

/** The one block every node committed at `height` (fails if they differ or one is missing). */
function agreed(network: QbftTestNetwork, height: bigint, nodes = network.nodes): ToyQbftBlock {
  const blocks = nodes.map((node) => node.chain.get(height));
  const first = blocks[0];
  if (first === undefined) throw new Error(`nothing committed at ${height}`);
  for (const block of blocks) expect(block && hex(block.hash)).toBe(hex(first.hash));
  return first;
}

describe.each([4, 7])("qbftStep with %i validators", (n) => {
  it("commits at round 0 with a quorum of valid seals", () => {
    const network = new QbftTestNetwork(n);
    network.start();
    network.run();
    const block = agreed(network, 1n);
    expect(block.round).toBe(0);
    expect(block.proposer).toEqual(network.proposer(0).signer.address);
    const commit = network.effectsOf(0, "commit")[0];
    const quorum = Math.ceil((2 * n) / 3);
    expect(commit?.seals.length).toBeGreaterThanOrEqual(quorum);
    const sealers = commit?.seals.map((seal) =>
      hex(network.toy.crypto.recoverAddress(block.digest, seal) ?? new Uint8Array()),
    );
    expect(new Set(sealers).size).toBe(commit?.seals.length);
    for (const sealer of sealers ?? []) {
      expect(network.validators.map(hex)).toContain(sealer);
    }
    for (const node of network.nodes) expect(network.status(node.index).height).toBe(2n);
  });

  it("rotates the proposer from height to height", () => {
    const network = new QbftTestNetwork(n);
    network.buildUpTo = 3n;
    network.start();
    network.run();
    const blocks = [1n, 2n, 3n].map((height) => agreed(network, height));
    const [b1, b2] = blocks as [ToyQbftBlock, ToyQbftBlock, ToyQbftBlock];
    expect(blocks[1]?.proposer).toEqual(network.proposer(0, b1).signer.address);
    expect(blocks[2]?.proposer).toEqual(network.proposer(0, b2).signer.address);
    expect(new Set(blocks.map((block) => hex(block.proposer))).size).toBe(3);
  });

  it("changes round when the proposer is dead and commits the next proposer's block", () => {
    const network = new QbftTestNetwork(n);
    const dead = network.proposer(0);
    network.start();
    network.crash(dead.index);
    network.run();
    const live = network.nodes.filter((node) => node !== dead);
    expect(live.every((node) => node.chain.size === 0)).toBe(true);
    network.fireAllTimers();
    network.run();
    const block = agreed(network, 1n, live);
    expect(block.round).toBe(1);
    expect(block.proposer).toEqual(network.proposer(1).signer.address);
    for (const node of live) {
      const roundChanges = network
        .effectsOf(node.index, "broadcast")
        .filter((effect) => effect.message.type === "roundChange");
      expect(roundChanges.length).toBe(1);
    }
  });

  it("carries a prepared block across a round change and proposes it again", () => {
    const network = new QbftTestNetwork(n);
    network.filter = (delivery) => delivery.message.type !== "commit";
    network.start();
    network.run();
    for (const node of network.nodes) {
      expect(node.chain.size).toBe(0);
      expect(network.status(node.index)).toMatchObject({ prepared: true, preparedRound: 0 });
    }
    const proposal = network.sent.find((entry) => entry.message.type === "proposal")?.message;
    if (proposal?.type !== "proposal") throw new Error("nothing was proposed");
    const original = proposal.signed.payload.block as ToyQbftBlock;
    network.filter = () => true;
    network.fireAllTimers();
    network.run();
    const block = agreed(network, 1n);
    expect(block.round).toBe(1);
    expect(hex(block.hash)).toBe(hex(original.hash));
    expect(hex(block.body)).toBe(hex(original.body));
    expect(block.proposer).toEqual(original.proposer);
    // The new proposer did not build a block: it re-proposed the prepared one.
    const proposer1 = network.proposer(1);
    expect(network.effectsOf(proposer1.index, "buildBlock").filter((e) => e.round === 1)).toEqual(
      [],
    );
  });

  it("rejects a different block proposed over a prepared certificate", () => {
    const network = new QbftTestNetwork(n);
    network.filter = (delivery) => delivery.message.type !== "commit";
    network.start();
    network.run();
    // Round changes flow, but the re-proposal is held back.
    network.filter = (delivery) => delivery.message.type !== "proposal";
    network.fireAllTimers();
    network.run();
    const sent = [...network.sent].reverse().find((entry) => entry.message.type === "proposal");
    const real = sent?.message;
    if (real?.type !== "proposal") throw new Error("the round-1 proposer did not propose");
    expect(real.signed.payload.round).toBe(1);
    const proposer1 = network.proposer(1);
    const make = qbftMessageMaker(network.toy.crypto);
    const other = createToyQbftBlock({
      height: 1n,
      round: 1,
      proposer: proposer1.signer.address,
      parentHash: new Uint8Array(32),
      body: new TextEncoder().encode("something else"),
    });
    const forged = make.proposal(proposer1.signer, other, real.roundChanges, real.prepares);
    const [target, other2] = network.nodes.filter((node) => node !== proposer1) as [
      (typeof network.nodes)[0],
      (typeof network.nodes)[0],
    ];
    expect(reasons(network.step(target.index, { type: "message", bytes: forged.bytes }))).toEqual([
      "preparedBlockMismatch",
    ]);
    // Another node takes the honest re-proposal (to `target` it would be an equivocation now).
    const honest = network.step(other2.index, {
      type: "message",
      bytes: sent?.bytes as Uint8Array,
    });
    expect(honest.map((effect) => effect.type)).toEqual(["validateBlock"]);
  });
});

describe("qbftStep message intake", () => {
  function fresh() {
    const network = new QbftTestNetwork(4);
    network.start();
    const make = qbftMessageMaker(network.toy.crypto);
    const [a, b, c, d] = network.nodes as [
      (typeof network.nodes)[0],
      (typeof network.nodes)[0],
      (typeof network.nodes)[0],
      (typeof network.nodes)[0],
    ];
    return { network, make, a, b, c, d };
  }
  const digest = new Uint8Array(32).fill(7);

  it("drops a duplicate by its hash before recovering any signature", () => {
    const { network, make, a, b } = fresh();
    const prepare = make.prepare(b.signer, 1n, 0, digest);
    expect(reasons(network.step(a.index, { type: "message", bytes: prepare.bytes }))).toEqual([]);
    const before = network.toy.recoveries;
    const again = network.step(a.index, { type: "message", bytes: prepare.bytes.slice() });
    expect(again).toEqual([
      {
        type: "dropped",
        reason: "duplicate",
        author: undefined,
        hash: network.toy.crypto.keccak256(prepare.bytes),
      },
    ]);
    expect(network.toy.recoveries).toBe(before);
  });

  it("drops authors outside the validator set", () => {
    const { network, make, a } = fresh();
    const outsider = network.toy.signer("outsider");
    const effects = network.step(a.index, {
      type: "message",
      bytes: make.prepare(outsider, 1n, 0, digest).bytes,
    });
    expect(effects).toMatchObject([
      { type: "dropped", reason: "notValidator", author: outsider.address },
    ]);
  });

  it("drops past heights, buffers future ones and says behind on f + 1 validators ahead", () => {
    const { network, make, a, b, c } = fresh();
    const first = network.step(a.index, {
      type: "message",
      bytes: make.prepare(b.signer, 3n, 0, digest).bytes,
    });
    expect(first).toEqual([]);
    expect(network.status(a.index).futureMessages).toBe(1);
    const second = network.step(a.index, {
      type: "message",
      bytes: make.prepare(c.signer, 4n, 2, digest).bytes,
    });
    expect(second).toEqual([{ type: "behind", height: 3n }]);
    network.run();
    expect(network.status(a.index).height).toBe(2n);
    const past = network.step(a.index, {
      type: "message",
      bytes: make.prepare(b.signer, 1n, 0, digest).bytes,
    });
    expect(reasons(past)).toEqual(["pastHeight"]);
  });

  it("replays a buffered height once the node reaches it", () => {
    const network = new QbftTestNetwork(4);
    network.buildUpTo = 2n;
    // Neither the proposer of height 1 nor of height 2.
    const late = network.nodeOf(network.validators[3] as Uint8Array);
    // The late node misses all of height 1 but hears height 2.
    network.filter = (delivery) =>
      delivery.to !== late.index || delivery.message.signed.payload.height !== 1n;
    network.start();
    network.run();
    expect(late.chain.size).toBe(0);
    expect(network.effectsOf(late.index, "behind")).toEqual([{ type: "behind", height: 2n }]);
    const synced = agreed(network, 1n, network.nodes.slice(0, 3));
    late.head = { height: 1n, hash: synced.hash, proposer: synced.proposer };
    late.chain.set(1n, synced);
    network.step(late.index, {
      type: "newChainHead",
      head: late.head,
      validators: network.validators,
    });
    network.run();
    agreed(network, 2n);
  });

  it("reports an equivocating validator with both signed messages", () => {
    const { network, make, a, b } = fresh();
    const first = make.prepare(b.signer, 1n, 0, digest);
    const second = make.prepare(b.signer, 1n, 0, new Uint8Array(32).fill(8));
    network.step(a.index, { type: "message", bytes: first.bytes });
    const effects = network.step(a.index, { type: "message", bytes: second.bytes });
    expect(effects).toMatchObject([
      {
        type: "evidence",
        validator: b.signer.address,
        height: 1n,
        round: 0,
        messageType: "prepare",
        first: first.bytes,
        second: second.bytes,
      },
      { type: "dropped", reason: "equivocation" },
    ]);
    const third = make.prepare(b.signer, 1n, 0, new Uint8Array(32).fill(9));
    expect(reasons(network.step(a.index, { type: "message", bytes: third.bytes }))).toEqual([
      "equivocation",
    ]);
  });

  it("reports two different round changes of one validator for one round", () => {
    const { network, make, a, b } = fresh();
    const plain = make.roundChange(b.signer, 1n, 1);
    network.step(a.index, { type: "message", bytes: plain.bytes });
    const claim = make.roundChange(b.signer, 1n, 1, {
      block: createToyQbftBlock({
        height: 1n,
        round: 0,
        proposer: b.signer.address,
        parentHash: new Uint8Array(32),
        body: new Uint8Array(),
      }),
      prepares: [],
    });
    const effects = network.step(a.index, { type: "message", bytes: claim.bytes });
    expect(effects.map((effect) => effect.type)).toEqual(["evidence", "dropped"]);
  });

  it("jumps to the lowest of the f + 1 highest rounds asked (round-skip rule)", () => {
    const { network, make, a, b, c, d } = fresh();
    const one = network.step(a.index, {
      type: "message",
      bytes: make.roundChange(b.signer, 1n, 7).bytes,
    });
    expect(one).toEqual([]);
    expect(network.status(a.index).round).toBe(0);
    const two = network.step(a.index, {
      type: "message",
      bytes: make.roundChange(c.signer, 1n, 3).bytes,
    });
    expect(two.map((effect) => effect.type)).toEqual(["setRoundTimer", "persist", "broadcast"]);
    expect(two[0]).toMatchObject({ round: 3, delayMs: 16_000 });
    expect(network.status(a.index).round).toBe(3);
    const three = network.step(a.index, {
      type: "message",
      bytes: make.roundChange(d.signer, 1n, 9).bytes,
    });
    expect(three[0]).toMatchObject({ type: "setRoundTimer", round: 7 });
  });

  it("never lets a round timer exceed base × maxFactor, and re-sends round changes each time", () => {
    const network = new QbftTestNetwork(4, {
      roundTimeout: { baseMs: 1_000, maxFactor: 8, absentProposerMs: 60_000 },
    });
    // Every block fails execution, so no round completes and the validators climb together.
    network.invalid = () => true;
    network.start();
    network.run();
    for (let i = 0; i < 12; i++) {
      network.fireAllTimers();
      network.run();
    }
    const timers = network.effectsOf(0, "setRoundTimer");
    const byRound = new Map(timers.map((effect) => [effect.round, effect.delayMs]));
    expect([...byRound.values()]).toEqual([
      1000, 2000, 4000, 8000, 8000, 8000, 8000, 8000, 8000, 8000, 8000, 8000, 8000,
    ]);
    expect(Math.max(...timers.map((effect) => effect.delayMs))).toBe(8000);
    const rounds = network
      .effectsOf(0, "broadcast")
      .filter((effect) => effect.message.type === "roundChange")
      .map((effect) => effect.message.signed.payload.round);
    expect(rounds).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  });

  it("pays only the short timeout at a dead validator's later turns as proposer", () => {
    const network = new QbftTestNetwork(4);
    network.buildUpTo = 9n;
    const dead = network.proposer(0);
    network.start();
    network.crash(dead.index);
    const watcher = network.nodes.find((node) => node !== dead) as (typeof network.nodes)[0];
    for (let attempt = 0; attempt < 30 && watcher.chain.size < 9; attempt++) {
      network.run();
      if (watcher.chain.size < 9) network.fireAllTimers();
    }
    expect(watcher.chain.size).toBe(9);
    const turns = [1n, 2n, 3n, 4n, 5n, 6n, 7n, 8n, 9n].filter((height) => {
      const parent = watcher.chain.get(height - 1n);
      return network.proposer(0, parent) === dead;
    });
    expect(turns).toEqual([1n, 4n, 7n]);
    const delays = network
      .effectsOf(watcher.index, "setRoundTimer")
      .filter((effect) => effect.round === 0 && turns.includes(effect.height))
      .map((effect) => effect.delayMs);
    expect(delays).toEqual([2000, 500, 500]);
  });

  it("commits again within a few timeouts once a partition without quorum heals", () => {
    const network = new QbftTestNetwork(4);
    const [a, b, c, d] = network.nodes as [
      (typeof network.nodes)[0],
      (typeof network.nodes)[0],
      (typeof network.nodes)[0],
      (typeof network.nodes)[0],
    ];
    const left = new Set([a.index, b.index]);
    network.filter = (delivery) => left.has(delivery.from) === left.has(delivery.to);
    network.start();
    network.run();
    for (let i = 0; i < 6; i++) {
      for (const node of [a, b]) network.fireTimer(node.index);
      if (i < 2) for (const node of [c, d]) network.fireTimer(node.index);
      network.run();
    }
    // Neither side climbs past a round it cannot know a quorum reached.
    expect([a, b, c, d].map((node) => network.status(node.index).round)).toEqual([1, 1, 1, 1]);
    network.filter = () => true;
    let cycles = 0;
    while (network.nodes.some((node) => node.chain.size === 0) && cycles < 4) {
      network.fireAllTimers();
      network.run();
      cycles++;
    }
    agreed(network, 1n);
    expect(cycles).toBeLessThanOrEqual(2);
  });

  it("does not prepare a block the driver found invalid, and blames its proposer", () => {
    const network = new QbftTestNetwork(4);
    network.invalid = () => true;
    network.start();
    network.run();
    const proposer = network.proposer(0);
    const prepares = network.sent.filter((entry) => entry.message.type === "prepare");
    expect(prepares.map((entry) => entry.from)).toEqual([proposer.index]);
    for (const node of network.nodes) {
      if (node === proposer) continue;
      expect(network.effectsOf(node.index, "dropped")).toMatchObject([
        { reason: "invalidBlock", author: proposer.signer.address },
      ]);
    }
  });

  it("lets a node without a key follow and commit what the validators decide", () => {
    const network = new QbftTestNetwork(4, { observers: [3] });
    network.start();
    network.run();
    if (network.nodes[0]?.chain.size === 0) {
      network.fireAllTimers();
      network.run();
    }
    agreed(network, 1n);
    expect(network.status(3).voting).toBe(false);
    expect(network.effectsOf(3, "broadcast")).toEqual([]);
    expect(network.effectsOf(3, "persist")).toEqual([]);
  });

  it("gives byte-identical effects for the same events", () => {
    const trace = () => {
      const network = new QbftTestNetwork(4);
      network.filter = (delivery) => delivery.message.type !== "commit";
      network.buildUpTo = 2n;
      network.start();
      network.run();
      network.filter = () => true;
      network.fireAllTimers();
      network.run();
      return JSON.stringify(
        network.nodes.map((node) => node.effects),
        (_, value: unknown) =>
          value instanceof Uint8Array
            ? hex(value)
            : typeof value === "bigint"
              ? `${value}n`
              : value,
      );
    };
    const first = trace();
    expect(first.length).toBeGreaterThan(10_000);
    expect(trace()).toBe(first);
  });
});

describe("qbftStep state handling", () => {
  it("refuses a consumed state, and leaves the state usable when driver input is invalid", () => {
    const network = new QbftTestNetwork(4);
    network.start();
    const node = network.nodes[0] as (typeof network.nodes)[0];
    const state = node.state;
    if (state === undefined) throw new Error("not started");
    const { state: next } = qbftStep(state, { type: "roundTimeout", height: 9n, round: 0 });
    expectCustosError(
      () => qbftStep(state, { type: "roundTimeout", height: 1n, round: 0 }),
      "CONSENSUS_INPUT_INVALID",
    );
    expectCustosError(() => qbftStatus(state), "CONSENSUS_INPUT_INVALID");
    expectCustosError(
      () =>
        qbftStep(next, {
          type: "newChainHead",
          head: { height: 1n, hash: new Uint8Array(31), proposer: new Uint8Array(20) },
          validators: network.validators,
        }),
      "CONSENSUS_INPUT_INVALID",
    );
    expectCustosError(
      () =>
        qbftStep(next, {
          type: "newChainHead",
          head: { height: 1n, hash: new Uint8Array(32), proposer: new Uint8Array(20) },
          validators: [...network.validators].reverse(),
        }),
      "CONSENSUS_INPUT_INVALID",
    );
    expect(qbftStatus(next).height).toBe(1n);
  });

  it("refuses a built block that is not the one asked for", () => {
    const network = new QbftTestNetwork(4);
    network.start();
    const proposer = network.proposer(0);
    const request = network.queue.find((delivery) => delivery.to === proposer.index);
    if (request?.event.type !== "blockBuilt") throw new Error("no block request");
    const wrong = createToyQbftBlock({
      ...(request.event.block as ToyQbftBlock),
      proposer: network.nodes.find((node) => node !== proposer)?.signer.address as Uint8Array,
    });
    const state = proposer.state;
    if (state === undefined) throw new Error("not started");
    expectCustosError(
      () => qbftStep(state, { ...request.event, block: wrong } as typeof request.event),
      "CONSENSUS_INPUT_INVALID",
    );
    const { effects } = qbftStep(state, request.event);
    expect(effects.map((effect) => effect.type)).toEqual(["persist", "broadcast", "broadcast"]);
    const kinds = effects.flatMap((effect) =>
      effect.type === "broadcast" ? [effect.message.type] : [],
    );
    expect(kinds).toEqual(["proposal", "prepare"]);
    const prepare = effects[2] as { message: QbftPrepareMessage };
    expect(prepare.message.signed.payload.digest).toEqual(request.event.block.digest);
  });
});
