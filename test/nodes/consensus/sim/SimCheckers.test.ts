import { describe, expect, it } from "vitest";
import {
  createQbftConfig,
  type QbftBlock,
  selectQbftProposer,
} from "../../../../nodes/consensus/core/index.ts";
import {
  createToyQbftBlock,
  createToyQbftCrypto,
  qbftMessageMaker,
  SimBlockRegistry,
  SimCheckers,
  SimNode,
  type SimRole,
  toyQbftBlockCodec,
} from "../../../../nodes/consensus/sim/index.ts";

const BOUND = 10_000;

function fixture(roles: readonly SimRole[] = ["honest", "honest", "honest", "honest"]) {
  const toy = createToyQbftCrypto();
  const signers = roles.map((_, index) => toy.signer(`checker-${index}`));
  const validators = signers
    .map((signer) => signer.address)
    .sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  const nodes = signers.map(
    (signer, index) =>
      new SimNode(
        index,
        signer.address,
        roles[index] as SimRole,
        createQbftConfig({ signer, crypto: toy.crypto, codec: toyQbftBlockCodec }),
      ),
  );
  const registry = new SimBlockRegistry();
  const checkers = new SimCheckers({
    nodes,
    validators,
    crypto: toy.crypto,
    registry,
    livenessBoundMs: BOUND,
  });
  const byAddress = (address: Uint8Array) =>
    signers.find((signer) => Buffer.from(signer.address).equals(address)) as (typeof signers)[0];
  /** A block at `height` on `parent` by the round's proposer, built and proposed. */
  const block = (height: bigint, parent: QbftBlock | undefined, round = 0, tag = "a") => {
    const previous = parent?.proposer ?? new Uint8Array(20);
    const proposer = selectQbftProposer(validators, previous, round);
    const made = createToyQbftBlock({
      height,
      round,
      proposer,
      parentHash: parent?.hash ?? new Uint8Array(32),
      body: new TextEncoder().encode(tag),
    });
    registry.built(made, true);
    registry.proposed(made.digest, proposer);
    return made;
  };
  const seals = (made: QbftBlock, count = 3) =>
    signers.slice(0, count).map((signer) => signer.sign(made.digest));
  const kinds = () => checkers.violations.map((violation) => violation.kind);
  return { toy, signers, validators, nodes, registry, checkers, block, seals, kinds, byAddress };
}

describe("SimCheckers", () => {
  it("accepts a chain of valid blocks on every node", () => {
    const { nodes, checkers, block, seals, kinds } = fixture();
    const one = block(1n, undefined);
    const two = block(2n, one, 2);
    for (const node of nodes) {
      for (const made of [one, two]) {
        const stored = { block: made, seals: seals(made), importedAt: 5 };
        checkers.imported(node, stored, 5);
        node.chain.push(stored);
      }
    }
    expect(kinds()).toEqual([]);
    expect(checkers.firstImports).toEqual([5, 5]);
  });

  it("finds two different blocks at one height (agreement)", () => {
    const { nodes, checkers, block, seals, kinds } = fixture();
    const a = block(1n, undefined, 0, "a");
    const b = block(1n, undefined, 0, "b");
    checkers.imported(nodes[0] as SimNode, { block: a, seals: seals(a), importedAt: 1 }, 1);
    checkers.imported(nodes[1] as SimNode, { block: b, seals: seals(b), importedAt: 2 }, 2);
    expect(kinds()).toEqual(["agreement"]);
  });

  it("ignores what a Byzantine node imports", () => {
    const { nodes, checkers, block, seals, kinds } = fixture([
      "byzantine",
      "honest",
      "honest",
      "honest",
    ]);
    const a = block(1n, undefined, 0, "a");
    const b = block(1n, undefined, 0, "b");
    checkers.imported(nodes[0] as SimNode, { block: a, seals: seals(a, 1), importedAt: 1 }, 1);
    checkers.imported(nodes[1] as SimNode, { block: b, seals: seals(b), importedAt: 2 }, 2);
    expect(kinds()).toEqual([]);
  });

  it("finds blocks that do not verify (validity)", () => {
    const cases: [
      string,
      (f: ReturnType<typeof fixture>) => { block: QbftBlock; seals: Uint8Array[] },
    ][] = [
      [
        "too few seals",
        (f) => {
          const made = f.block(1n, undefined);
          return { block: made, seals: f.seals(made, 2) };
        },
      ],
      [
        "a seal twice",
        (f) => {
          const made = f.block(1n, undefined);
          const seals = f.seals(made, 2);
          return { block: made, seals: [...seals, seals[0] as Uint8Array] };
        },
      ],
      [
        "a seal over another digest",
        (f) => {
          const made = f.block(1n, undefined);
          const seals = f.seals(made, 3);
          seals[2] = f.signers[2]?.sign(new Uint8Array(32)) as Uint8Array;
          return { block: made, seals };
        },
      ],
      [
        "a foreign seal",
        (f) => {
          const made = f.block(1n, undefined);
          const outsider = f.toy.signer("outsider");
          return { block: made, seals: [...f.seals(made, 2), outsider.sign(made.digest)] };
        },
      ],
      [
        "a wrong parent",
        (f) => {
          const made = createToyQbftBlock({
            height: 1n,
            round: 0,
            proposer: f.validators[1] as Uint8Array,
            parentHash: new Uint8Array(32).fill(9),
            body: new Uint8Array(),
          });
          f.registry.built(made, true);
          f.registry.proposed(made.digest, made.proposer);
          return { block: made, seals: f.seals(made) };
        },
      ],
      [
        "a wrong height",
        (f) => {
          const made = f.block(2n, undefined);
          return { block: made, seals: f.seals(made) };
        },
      ],
      [
        "not proposed by the round's proposer",
        (f) => {
          const made = f.block(1n, undefined);
          const other = createToyQbftBlock({
            height: 1n,
            round: 0,
            proposer: made.proposer,
            parentHash: made.parentHash,
            body: Uint8Array.of(7),
          });
          f.registry.built(other, true);
          return { block: other, seals: f.seals(other) };
        },
      ],
      [
        "failing execution",
        (f) => {
          const made = f.block(1n, undefined);
          f.registry.built(made, false);
          return { block: made, seals: f.seals(made) };
        },
      ],
    ];
    for (const [name, make] of cases) {
      const f = fixture();
      const { block, seals } = make(f);
      f.checkers.imported(f.nodes[0] as SimNode, { block, seals, importedAt: 1 }, 1);
      expect(f.kinds(), name).toContain("validity");
    }
  });

  it("finds an honest validator signing two payloads for one height, round and type, but not a wiped one", () => {
    const { toy, signers, nodes, checkers, kinds } = fixture([
      "honest",
      "wiped",
      "honest",
      "honest",
    ]);
    const make = qbftMessageMaker(toy.crypto);
    for (const index of [0, 1]) {
      const signer = signers[index] as (typeof signers)[0];
      const node = nodes[index] as SimNode;
      checkers.signed(node, make.prepare(signer, 1n, 0, new Uint8Array(32).fill(1)).message, 1);
      checkers.signed(node, make.prepare(signer, 1n, 0, new Uint8Array(32).fill(1)).message, 2);
      checkers.signed(node, make.prepare(signer, 1n, 1, new Uint8Array(32).fill(2)).message, 3);
      checkers.signed(node, make.prepare(signer, 1n, 0, new Uint8Array(32).fill(2)).message, 4);
    }
    expect(checkers.violations).toMatchObject([{ kind: "signing", node: 0, time: 4 }]);
    expect(kinds()).toEqual(["signing"]);
  });

  it("finds blame on an honest validator, not on a faulty one, nor by a Byzantine one", () => {
    const { nodes, checkers } = fixture(["honest", "wiped", "byzantine", "honest"]);
    const [first, wiped, byzantine, last] = nodes as [SimNode, SimNode, SimNode, SimNode];
    checkers.blamed(first, wiped.address, 1n, "prepare evidence", 1);
    checkers.blamed(first, byzantine.address, 1n, "a message dropped as badPrepares", 1);
    checkers.blamed(byzantine, last.address, 1n, "prepare evidence", 1);
    expect(checkers.violations).toEqual([]);
    checkers.blamed(first, last.address, 1n, "a message dropped as badSignature", 2);
    expect(checkers.violations).toMatchObject([{ kind: "accusation", node: 3, time: 2 }]);
  });

  it("after the heal, needs each node's next block within the bound until the target", () => {
    const { nodes, checkers, block, seals } = fixture();
    checkers.heal(1_000, 1);
    expect(checkers.target).toBe(2);
    expect(checkers.overdue(1_000 + BOUND)).toBe(false);
    const one = block(1n, undefined);
    const two = block(2n, one);
    for (const node of nodes.slice(0, 3)) {
      for (const made of [one, two]) {
        const stored = { block: made, seals: seals(made), importedAt: 5_000 };
        checkers.imported(node, stored, 5_000);
        node.chain.push(stored);
      }
    }
    expect(checkers.done()).toBe(false);
    expect(checkers.overdue(1_001 + BOUND)).toBe(true);
    expect(checkers.violations).toMatchObject([{ kind: "liveness", node: 3, height: 1n }]);
    expect(checkers.stopped).toBe(true);
  });

  it("is done once every non-Byzantine node reached the target", () => {
    const { nodes, checkers, block, seals } = fixture(["honest", "honest", "honest", "byzantine"]);
    expect(checkers.done()).toBe(false);
    checkers.heal(0, 1);
    const one = block(1n, undefined);
    const two = block(2n, one);
    for (const node of nodes.slice(0, 3)) {
      for (const made of [one, two]) {
        const stored = { block: made, seals: seals(made), importedAt: 1 };
        checkers.imported(node, stored, 1);
        node.chain.push(stored);
      }
    }
    expect(checkers.done()).toBe(true);
  });
});
