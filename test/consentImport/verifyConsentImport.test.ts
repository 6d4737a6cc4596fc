import { keccak256, toBeHex } from "ethers";
import { describe, expect, it } from "vitest";
import type { Bytes32 } from "../../src/consent/index.ts";
import {
  ConsentImportRoot,
  type VerifyMismatchDetails,
  verifyConsentImport,
} from "../../src/consentImport/index.ts";
import type {
  ConsentRegistryClient,
  ConsentRegistryEvent,
  OnChainConsent,
} from "../../src/ledger/index.ts";
import { expectCustosError } from "../expectCustosError.ts";

// Keyed pseudonyms look random: the consent index hashes them as they are.
const subject = (i: number) => keccak256(toBeHex(i, 32)) as Bytes32;
const doc = (i: number) => keccak256(toBeHex(2 ** 40 + i, 32)) as Bytes32;
const TERMS = { purposes: 2, categories: 4, validFrom: 0, validUntil: 0 };
const CUSTODIAN = 1;

/** A CSV of `count` rows, subjects 0…count-1 on lines 2…count+1. */
function csv(count: number, edit: (lines: string[]) => void = () => undefined): string {
  const lines = ["subject,documentHash"];
  for (let i = 0; i < count; i++) lines.push(`${subject(i)},${doc(i)}`);
  edit(lines);
  return `${lines.join("\n")}\n`;
}

async function* text(value: string, chunk = 100): AsyncGenerator<string> {
  for (let at = 0; at < value.length; at += chunk) yield value.slice(at, at + chunk);
}

type Terms = typeof TERMS;

/**
 * A registry whose state is made of the events the test appends: `consentOf` answers from the
 * same history (unless told to disagree), and it records which subjects were read back.
 */
function fakeChain() {
  const events: ConsentRegistryEvent[] = [];
  const contractOverrides = new Map<string, Partial<OnChainConsent>>();
  const readBack: string[] = [];
  const ranges: { from: number; to: number; events: number }[] = [];
  /** Block of the next event, and how many events go in each block. */
  let block = 1;
  let perBlock = 1;
  let inBlock = 0;
  const emit = (name: string, args: Record<string, unknown>) => {
    if (inBlock === perBlock) {
      block++;
      inBlock = 0;
    }
    events.push({
      name,
      args: { custodian: CUSTODIAN, ...args },
      blockNumber: block,
      logIndex: inBlock++,
    } as unknown as ConsentRegistryEvent);
  };
  const versions = new Map<string, number>();
  const next = (s: string) => {
    const v = (versions.get(s) ?? 0) + 1;
    versions.set(s, v);
    return v;
  };
  const state = (s: Bytes32): OnChainConsent => {
    let record: OnChainConsent = {
      subject: s,
      status: "none",
      ...{ purposes: 0, categories: 0, validFrom: 0, validUntil: 0 },
      version: 0,
      custodian: 0,
      nonce: 0,
    };
    for (const event of events) {
      const args = event.args as Record<string, unknown>;
      if (args.subject !== s) continue;
      if (event.name === "ConsentRevoked") record = { ...record, status: "revoked" };
      else record = { ...record, ...(args as Terms), status: "active", custodian: CUSTODIAN };
    }
    return { ...record, ...contractOverrides.get(s) };
  };
  const registry: Pick<ConsentRegistryClient, "custodian" | "consentOf" | "consentEvents"> = {
    custodian: CUSTODIAN,
    consentOf: async (s) => {
      readBack.push(s);
      return state(s);
    },
    consentEvents: async function* (options = {}) {
      const from = options.fromBlock ?? 0;
      const to = options.toBlock ?? Number.POSITIVE_INFINITY;
      const found = events.filter((e) => e.blockNumber >= from && e.blockNumber <= to);
      ranges.push({ from, to, events: found.length });
      yield* found;
    },
  };
  return {
    registry,
    readBack,
    ranges,
    /** Later events go `n` to a block, from the next block on; `gap` empty blocks first. */
    blocksOf(n: number, gap = 0) {
      block += gap + 1;
      perBlock = n;
      inBlock = 0;
    },
    head: () => block,
    grant(i: number, terms: Terms = TERMS, documentHash: Bytes32 = doc(i)) {
      emit("ConsentGranted", {
        subject: subject(i),
        version: next(subject(i)),
        ...terms,
        documentHash,
      });
    },
    update(i: number, terms: Terms) {
      emit("ConsentUpdated", {
        subject: subject(i),
        version: next(subject(i)),
        ...terms,
        documentHash: doc(1000 + i),
      });
    },
    revoke(i: number) {
      emit("ConsentRevoked", {
        subject: subject(i),
        version: next(subject(i)),
        documentHash: doc(2000 + i),
      });
    },
    /** The contract says something else than the events for this subject. */
    contractSays(i: number, consent: Partial<OnChainConsent>) {
      contractOverrides.set(subject(i), consent);
    },
  };
}

function verify(
  chain: ReturnType<typeof fakeChain>,
  file: string,
  options: { seed?: number; sampleSize?: number; headBlock?: () => Promise<number> } = {},
) {
  return verifyConsentImport({
    open: () => text(file, options.headBlock === undefined ? 100 : 1 << 16),
    format: "csv",
    terms: TERMS,
    registry: chain.registry,
    seed: options.seed ?? 7,
    ...(options.sampleSize === undefined ? {} : { sampleSize: options.sampleSize }),
    ...(options.headBlock === undefined ? {} : { headBlock: options.headBlock }),
  });
}

async function mismatchOf(promise: Promise<unknown>): Promise<VerifyMismatchDetails> {
  const error = await expectCustosError(promise, "CONSENT_IMPORT_VERIFY_MISMATCH");
  return error.details as VerifyMismatchDetails;
}

describe("verifyConsentImport", () => {
  it("passes a file the chain holds, reporting what it checked and the root of both sides", async () => {
    const chain = fakeChain();
    for (let i = 0; i < 30; i++) chain.grant(i);
    // A malformed line is no row: nothing is expected of it on chain.
    const file = csv(30, (lines) => lines.splice(5, 0, "0x12,0x34"));
    const verified = await verify(chain, file, { sampleSize: 10 });
    const root = new ConsentImportRoot();
    for (let i = 0; i < 30; i++) root.add(subject(i), { status: "active", ...TERMS, custodian: 1 });
    expect(verified).toEqual({ rows: 30, events: 30, sampled: 10, seed: 7, root: root.root() });
    expect(chain.readBack).toHaveLength(10);
  });

  it("draws the same sample for the same seed and another for another seed", async () => {
    const chain = fakeChain();
    for (let i = 0; i < 200; i++) chain.grant(i);
    const file = csv(200);
    const drawn = async (seed: number) => {
      chain.readBack.length = 0;
      await verify(chain, file, { seed, sampleSize: 20 });
      return [...chain.readBack].sort();
    };
    const first = await drawn(11);
    expect(first).toHaveLength(20);
    expect(new Set(first).size).toBe(20);
    expect(await drawn(11)).toEqual(first);
    expect(await drawn(12)).not.toEqual(first);
  });

  it("names the first sampled row the contract disagrees on, field by field", async () => {
    const chain = fakeChain();
    for (let i = 0; i < 12; i++) chain.grant(i);
    chain.contractSays(9, { validUntil: 99 });
    chain.contractSays(4, { categories: 6 });
    expect(await mismatchOf(verify(chain, csv(12)))).toEqual({
      line: 6,
      field: "categories",
      check: "sample",
      expected: 4,
      actual: 6,
    });
  });

  it("finds a document hash that differs on a sampled row", async () => {
    const chain = fakeChain();
    for (let i = 0; i < 5; i++) chain.grant(i, TERMS, i === 3 ? doc(77) : doc(i));
    expect(await mismatchOf(verify(chain, csv(5)))).toEqual({
      line: 5,
      field: "documentHash",
      check: "sample",
      expected: doc(3),
      actual: doc(77),
    });
  });

  it("compares every row with the consent index: the first changed row outside the sample", async () => {
    const chain = fakeChain();
    for (let i = 0; i < 50; i++) if (i !== 40) chain.grant(i);
    chain.update(31, { ...TERMS, purposes: 6 });
    chain.revoke(17);
    expect(await mismatchOf(verify(chain, csv(50), { sampleSize: 0 }))).toEqual({
      line: 19,
      field: "status",
      check: "index",
      expected: "active",
      actual: "revoked",
    });
    const missing = fakeChain();
    for (let i = 0; i < 50; i++) if (i !== 40) missing.grant(i);
    expect(await mismatchOf(verify(missing, csv(50), { sampleSize: 0 }))).toMatchObject({
      line: 42,
      field: "status",
      actual: "none",
    });
  });

  it("reads the events once, in ranges sized to their density, when the head is known", async () => {
    const chain = fakeChain();
    // 600 blocks of 1 event, 2,000 empty blocks, then 400 blocks of 40 events.
    for (let i = 0; i < 600; i++) chain.grant(i);
    chain.blocksOf(40, 2_000);
    for (let i = 600; i < 16_600; i++) chain.grant(i);
    const head = chain.head() + 200;
    const verified = await verify(chain, csv(16_600), {
      sampleSize: 0,
      headBlock: async () => head,
    });
    expect(verified).toMatchObject({ rows: 16_600, events: 16_600 });
    // Contiguous, from block 0 to the head, never overlapping.
    const { ranges } = chain;
    expect(ranges[0]?.from).toBe(0);
    ranges.forEach(({ from, to }, i) => {
      expect(to).toBeGreaterThanOrEqual(from);
      if (i > 0) expect(from).toBe((ranges[i - 1]?.to ?? 0) + 1);
    });
    expect(ranges.at(-1)?.to).toBe(head);
    // Empty and sparse blocks 256 to a request. The dense blocks (2,601 to 3,000): the request
    // that entered them (211 dense blocks of its 256), the next sized by its diluted density,
    // then 125 blocks (5,000 events' worth), which reach past the last dense block.
    expect(Math.max(...ranges.map(({ from, to }) => to - from + 1))).toBe(256);
    const dense = ranges.findIndex((r) => r.events > 1_000);
    expect(ranges.slice(dense, dense + 3)).toEqual([
      { from: 2556, to: 2811, events: 8_440 },
      { from: 2812, to: 2962, events: 6_040 },
      { from: 2963, to: 3087, events: 1_520 },
    ]);
    expect(ranges.length).toBeLessThan(30);
  });

  it("refuses a seed or sample size out of range", async () => {
    const chain = fakeChain();
    await expectCustosError(verify(chain, csv(1), { seed: -1 }), "INVALID_ARGUMENT");
    await expectCustosError(verify(chain, csv(1), { seed: 2 ** 32 }), "INVALID_ARGUMENT");
    await expectCustosError(verify(chain, csv(1), { sampleSize: 1.5 }), "INVALID_ARGUMENT");
  });
});
