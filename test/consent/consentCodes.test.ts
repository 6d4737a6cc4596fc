import fc from "fast-check";
import hre from "hardhat";
import { beforeAll, describe, expect, it } from "vitest";
import {
  ALL_CATEGORIES_MASK,
  CONDITION_MASK,
  coversCategories,
  PERMISSION_MASK,
  permitsUse,
  purposeCodes,
} from "../../src/consent/index.ts";

const P = purposeCodes;
const RUNS = { seed: 20261123, numRuns: 300 } as const;
const permissionBits = Object.values(purposeCodes)
  .filter((c) => c.kind === "permission")
  .map((c) => c.bit);
const conditionBits = Object.values(purposeCodes)
  .filter((c) => c.kind === "condition")
  .map((c) => c.bit);

const orOf = (bits: readonly number[]): number => bits.reduce((a, b) => a | b, 0) >>> 0;
const uint32 = fc.integer({ min: 0, max: 2 ** 32 - 1 });
/** Mostly well-formed words (defined bits only), sometimes any 32-bit word. */
const purposesWord = fc.oneof(
  fc
    .tuple(fc.subarray(permissionBits), fc.subarray(conditionBits))
    .map(([p, c]) => orOf([...p, ...c])),
  uint32,
);
/** Mostly one purpose plus attested conditions, sometimes any 32-bit word. */
const useWord = fc.oneof(
  fc
    .tuple(fc.constantFrom(...permissionBits), fc.subarray(conditionBits))
    .map(([p, c]) => orOf([p, ...c])),
  uint32,
);
const categoriesWord = fc.oneof(fc.integer({ min: 0, max: ALL_CATEGORIES_MASK }), uint32);

type Harness = {
  permits(consent: number, use: number): Promise<boolean>;
  covers(consented: number, requested: number): Promise<boolean>;
  masks(): Promise<[bigint, bigint, bigint]>;
};

let harness: Harness;

beforeAll(async () => {
  const { ethers } = await hre.network.connect();
  const contract = await ethers.deployContract("ConsentCodesHarness");
  harness = {
    permits: (c, u) => contract.getFunction("permits")(c, u) as Promise<boolean>,
    covers: (c, r) => contract.getFunction("coversCategories")(c, r) as Promise<boolean>,
    masks: async () => [...(await contract.getFunction("masks")())] as [bigint, bigint, bigint],
  };
});

describe("ConsentCodes (Solidity) and consentCodes.ts agree", () => {
  it("has the same masks, and every code's bit lies in its kind's mask", async () => {
    expect(await harness.masks()).toEqual([
      BigInt(PERMISSION_MASK),
      BigInt(CONDITION_MASK),
      BigInt(ALL_CATEGORIES_MASK),
    ]);
    expect(orOf(permissionBits)).toBe(PERMISSION_MASK);
    expect(orOf(conditionBits)).toBe(CONDITION_MASK);
    expect(PERMISSION_MASK & CONDITION_MASK).toBe(0);
  });

  it("permits exactly when permitsUse does", async () => {
    await fc.assert(
      fc.asyncProperty(purposesWord, useWord, async (consent, use) => {
        expect(await harness.permits(consent, use)).toBe(permitsUse(consent, use));
      }),
      RUNS,
    );
  });

  it("covers categories exactly when coversCategories does", async () => {
    await fc.assert(
      fc.asyncProperty(categoriesWord, categoriesWord, async (consented, requested) => {
        expect(await harness.covers(consented, requested)).toBe(
          coversCategories(consented, requested),
        );
      }),
      RUNS,
    );
  });
});

describe("DUO cases, on chain and in TypeScript", () => {
  const cases: [string, number, number, boolean][] = [
    ["GRU covers HMB", P.GRU.bit, P.HMB.bit, true],
    ["HMB covers DS", P.HMB.bit, P.DS.bit, true],
    ["HMB does not cover POA", P.HMB.bit, P.POA.bit, false],
    ["HMB does not cover GRU", P.HMB.bit, P.GRU.bit, false],
    ["GRU covers POA", P.GRU.bit, P.POA.bit, true],
    ["NRES covers CC", P.NRES.bit, P.CC.bit, true],
    ["NCU unattested denies", P.HMB.bit | P.NCU.bit, P.HMB.bit, false],
    ["NCU attested permits", P.HMB.bit | P.NCU.bit, P.HMB.bit | P.NCU.bit, true],
    ["NPOA blocks POA", P.GRU.bit | P.NPOA.bit, P.POA.bit, false],
    ["NPOA is met by HMB", P.GRU.bit | P.NPOA.bit, P.HMB.bit, true],
    ["two purposes at once deny", P.NRES.bit, P.HMB.bit | P.DS.bit, false],
    ["no purpose denies", P.NRES.bit, P.NCU.bit, false],
  ];
  for (const [name, consent, use, expected] of cases) {
    it(name, async () => {
      expect(permitsUse(consent, use)).toBe(expected);
      expect(await harness.permits(consent, use)).toBe(expected);
    });
  }
});
