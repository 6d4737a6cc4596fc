/**
 * Tampering with any link of a valid proof is caught: one byte or field changed in the
 * anchor's data, a header's validator list, a commit seal, another header field or claim, a
 * receipts-trie or transactions-trie node, or a claimed log makes verification fail with
 * AUDIT_PROOF_INVALID naming that link or one the verifier trusts before it (see
 * `proofLinks`); the untouched proof verifies. The proof is built from a real dev node: the
 * events of one query, a validator-set change and a grant sealed by the new set. Every
 * tampered proof is also verified by a warm `createProofVerifier` (one that verified the
 * untouched proof, and every tampered proof before): its verdict must be the fresh one,
 * error link, place and reason included — what it remembers never changes a verdict.
 */
import { RLP } from "@ethereumjs/rlp";
import { bytesToHex, hexToBytes } from "@ethereumjs/util";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  buildChainProof,
  createProofVerifier,
  type ProofBlock,
  type ProofDocument,
  type ProofLink,
  type ProofVerifier,
  proofLinks,
  verifyChainProof,
} from "../../src/auditProof/index.ts";
import { isCustosError } from "../../src/errors/index.ts";
import { type DevChainScenario, runDevChainScenario } from "./devChainScenario.ts";

const SEED = 20261208;
const RUNS = 25;

let chain: DevChainScenario;
let proof: ProofDocument;
let warm: ProofVerifier;

beforeAll(async () => {
  chain = await runDevChainScenario();
  proof = await buildChainProof(
    chain.rpc,
    [{ queryId: chain.queryId }, { transactionHash: chain.receipts.grantAfterChange.hash }],
    { contracts: chain.keys.contracts },
  );
  warm = createProofVerifier();
  warm.verify(proof, chain.anchor);
}, 120_000);
afterAll(async () => {
  await chain?.stop();
});

/** Where an item sits: the change list or the block list, and its index. */
type Slot = { readonly list: "validatorChanges" | "blocks"; readonly index: number };

/** A copy of the proof with one item replaced. */
function withItem(slot: Slot, change: (item: ProofBlock) => ProofBlock): ProofDocument {
  const list = [...proof[slot.list]];
  list[slot.index] = change(list[slot.index] as ProofBlock);
  return { ...proof, [slot.list]: list };
}

/** `hex` with the byte at `at` (mod its length) XORed with a non-zero `mask`. */
function flip(hex: string, at: number, mask: number): string {
  const bytes = hexToBytes(hex as `0x${string}`);
  const i = at % bytes.length;
  bytes[i] = (bytes[i] as number) ^ mask;
  return bytesToHex(bytes);
}

function fields(item: ProofBlock): Uint8Array[] {
  return (RLP.decode(hexToBytes(item.header as `0x${string}`)) as Uint8Array[]).map((f) =>
    Uint8Array.from(f),
  );
}

/** The item with its header's extraData rewritten by `change` ([vanity, validators, vote, round, seals]). */
function withExtraData(item: ProofBlock, change: (extra: unknown[]) => void): ProofBlock {
  const header = fields(item);
  const extra = RLP.decode(header[12] as Uint8Array) as unknown[];
  change(extra);
  header[12] = RLP.encode(extra as never);
  return { ...item, header: bytesToHex(RLP.encode(header)) };
}

/** What verifying gives: the logs, or the error's message and details. */
function outcome(verify: () => unknown): { logs?: unknown; message?: string; link?: ProofLink } {
  try {
    return { logs: verify() };
  } catch (error) {
    if (!isCustosError(error, "AUDIT_PROOF_INVALID")) throw error;
    return { message: error.message, link: error.details.link as ProofLink, ...error.details };
  }
}

/**
 * The error link a tampered proof fails with (undefined when it verifies), after checking
 * that the warm verifier reaches the same verdict.
 */
function failingLink(tampered: unknown): ProofLink | undefined {
  const fresh = outcome(() => verifyChainProof(tampered, chain.anchor));
  expect(
    outcome(() => warm.verify(tampered, chain.anchor)),
    "the warm verifier's verdict",
  ).toEqual(fresh);
  return fresh.link;
}

function expectCaughtBy(tampered: unknown, link: ProofLink): void {
  const failed = failingLink(tampered);
  expect(failed, `tampering with ${link} went unnoticed`).toBeDefined();
  expect(proofLinks.indexOf(failed as ProofLink)).toBeLessThanOrEqual(proofLinks.indexOf(link));
}

const slots = () =>
  fc.oneof(
    fc
      .nat(proof.validatorChanges.length - 1)
      .map((index): Slot => ({ list: "validatorChanges", index })),
    fc.nat(proof.blocks.length - 1).map((index): Slot => ({ list: "blocks", index })),
  );
const mask = fc.integer({ min: 1, max: 255 });

describe("tampering with a proof of a dev chain's events", () => {
  it("leaves the untouched proof verifying, with a change and several blocks", () => {
    expect(proof.validatorChanges).toHaveLength(1);
    expect(proof.blocks.length).toBeGreaterThanOrEqual(5);
    expect(verifyChainProof(proof, chain.anchor)).toHaveLength(6);
    expect(warm.verify(proof, chain.anchor)).toEqual(verifyChainProof(proof, chain.anchor));
  });

  it("is caught at format when the document's shape changes", () => {
    fc.assert(
      fc.property(
        slots(),
        fc.constantFrom("number", "hash", "header", "receiptNodes", "transactionNodes", "logs"),
        fc.constantFrom<unknown>(undefined, 7, "0xzz", null, {}),
        (slot, field, value) => {
          const tampered = withItem(slot, (item) => ({ ...item, [field]: value }) as ProofBlock);
          expect(failingLink(JSON.parse(JSON.stringify(tampered)))).toBe("format");
        },
      ),
      { seed: SEED, numRuns: RUNS },
    );
    expect(failingLink({ ...proof, schema: "custos.proof/0" })).toBe("format");
  });

  it("is caught at anchor when the chain id or Consortium changes", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 40 }), mask, fc.nat(19), (delta, m, at) => {
        expectCaughtBy(
          { ...proof, chainId: `0x${(BigInt(proof.chainId) + BigInt(delta)).toString(16)}` },
          "anchor",
        );
        expectCaughtBy({ ...proof, consortium: flip(proof.consortium, at, m) }, "anchor");
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it("is caught at validatorSet when a header lists another set, or a change is left out", () => {
    fc.assert(
      fc.property(slots(), fc.nat(), fc.nat(19), mask, (slot, which, at, m) => {
        const tampered = withItem(slot, (item) =>
          withExtraData(item, (extra) => {
            const validators = extra[1] as Uint8Array[];
            const v = validators[which % validators.length] as Uint8Array;
            v[at] = (v[at] as number) ^ m;
          }),
        );
        expectCaughtBy(tampered, "validatorSet");
      }),
      { seed: SEED, numRuns: RUNS },
    );
    expectCaughtBy({ ...proof, validatorChanges: [] }, "validatorSet");
  });

  it("is caught at seals when a commit seal changes; a dropped seal matters only below quorum", () => {
    fc.assert(
      fc.property(slots(), fc.nat(), fc.nat(64), mask, fc.boolean(), (slot, which, at, m, drop) => {
        let remaining = 0;
        let validators = 0;
        const tampered = withItem(slot, (item) =>
          withExtraData(item, (extra) => {
            const seals = extra[4] as Uint8Array[];
            const index = which % seals.length;
            if (drop) seals.splice(index, 1);
            else
              (seals[index] as Uint8Array)[at] = ((seals[index] as Uint8Array)[at] as number) ^ m;
            remaining = seals.length;
            validators = (extra[1] as Uint8Array[]).length;
          }),
        );
        if (!drop) return expectCaughtBy(tampered, "seals");
        // The seals are outside both header hashes: fewer of them is still a proof while a
        // quorum (⌈2n/3⌉) remains, as Besu accepts such a block.
        const quorate = remaining >= Math.ceil((2 * validators) / 3);
        expect(failingLink(tampered)).toBe(quorate ? undefined : "seals");
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it("is caught at seals when a seal is added, also to a quorum: a repeat or a changed copy", () => {
    fc.assert(
      fc.property(slots(), fc.nat(), fc.nat(64), mask, fc.boolean(), (slot, which, at, m, copy) => {
        const tampered = withItem(slot, (item) =>
          withExtraData(item, (extra) => {
            const seals = extra[4] as Uint8Array[];
            const added = Uint8Array.from(seals[which % seals.length] as Uint8Array);
            if (!copy) added[at] = (added[at] as number) ^ m;
            seals.push(added);
          }),
        );
        // Besu recovers every seal: none beyond a quorum goes unchecked.
        expect(failingLink(tampered)).toBe("seals");
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it("is caught by header or earlier when another header field or the claimed number or hash changes", () => {
    fc.assert(
      fc.property(slots(), fc.nat(), fc.nat(), mask, fc.nat(2), (slot, which, at, m, kind) => {
        const tampered = withItem(slot, (item) => {
          if (kind === 1) return { ...item, hash: flip(item.hash, at, m) };
          if (kind === 2)
            return { ...item, number: `0x${(Number(item.number) + 1 + (at % 5)).toString(16)}` };
          const header = fields(item);
          const candidates = header.flatMap((f, i) => (i !== 12 && f.length > 0 ? [i] : []));
          const field = candidates[which % candidates.length] as number;
          const bytes = header[field] as Uint8Array;
          bytes[at % bytes.length] = (bytes[at % bytes.length] as number) ^ m;
          return { ...item, header: bytesToHex(RLP.encode(header)) };
        });
        expectCaughtBy(tampered, "header");
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it("is caught at receiptsRoot when a receipts-trie node changes, goes or is added", () => {
    fc.assert(
      fc.property(slots(), fc.nat(), fc.nat(), mask, fc.nat(2), (slot, which, at, m, kind) => {
        const tampered = withItem(slot, (item) => {
          const nodes = [...item.receiptNodes];
          const index = which % nodes.length;
          if (kind === 0) nodes[index] = flip(nodes[index] as string, at, m);
          if (kind === 1) nodes.splice(index, 1);
          if (kind === 2) nodes.push(item.transactionNodes[0] as string);
          return { ...item, receiptNodes: nodes };
        });
        expectCaughtBy(tampered, "receiptsRoot");
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it("is caught at transactionsRoot when a transactions-trie node changes or goes", () => {
    fc.assert(
      fc.property(slots(), fc.nat(), fc.nat(), mask, fc.boolean(), (slot, which, at, m, drop) => {
        const tampered = withItem(slot, (item) => {
          const nodes = [...item.transactionNodes];
          const index = which % nodes.length;
          if (drop) nodes.splice(index, 1);
          else nodes[index] = flip(nodes[index] as string, at, m);
          return { ...item, transactionNodes: nodes };
        });
        expectCaughtBy(tampered, "transactionsRoot");
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it("is caught at log when a claimed log says anything but the proven one", () => {
    const claims = fc.constantFrom(
      "logIndex",
      "transactionIndex",
      "transactionHash",
      "address",
      "topic",
      "data",
    );
    fc.assert(
      fc.property(slots(), fc.nat(), claims, fc.nat(), mask, (slot, which, field, at, m) => {
        const tampered = withItem(slot, (item) => {
          const logs = [...item.logs];
          const index = which % logs.length;
          const log = logs[index] as ProofBlock["logs"][number];
          const shifted = (q: string) => `0x${(Number(q) + 1 + (at % 3)).toString(16)}`;
          logs[index] =
            field === "logIndex"
              ? { ...log, logIndex: shifted(log.logIndex) }
              : field === "transactionIndex"
                ? { ...log, transactionIndex: shifted(log.transactionIndex) }
                : field === "transactionHash"
                  ? { ...log, transactionHash: flip(log.transactionHash, at, m) }
                  : field === "address"
                    ? { ...log, address: flip(log.address, at, m) }
                    : field === "topic"
                      ? {
                          ...log,
                          topics: log.topics.map((t, i) =>
                            i === at % log.topics.length ? flip(t, at, m) : t,
                          ),
                        }
                      : { ...log, data: log.data === "0x" ? "0x00" : flip(log.data, at, m) };
          return { ...item, logs };
        });
        expectCaughtBy(tampered, "log");
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });
});
