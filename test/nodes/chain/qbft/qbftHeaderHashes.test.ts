import { bytesToHex } from "@ethereumjs/util";
import { keccak_256 } from "@noble/hashes/sha3.js";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  createSecp256k1QbftCrypto,
  decodeBlockHeader,
  decodeQbftExtraData,
  encodeQbftExtraData,
  qbftCommitSealHash,
  qbftOnchainHash,
  recoverCommitters,
  sealHeader,
} from "../../../../nodes/chain/index.ts";
import { headerWithExtraData } from "../../../../nodes/chain/qbft/withExtraData.ts";
import { expectCustosError } from "../../../expectCustosError.ts";
import { block7528 } from "./besuVectors.ts";
import { sealArbitrary } from "./qbftArbitraries.ts";
import { testHeader, testValidators } from "./qbftFixtures.ts";

const SEED = 20261206;

describe("QBFT header hashes on Besu block #7528 (besu-qbft-elc/header.rs)", () => {
  const sealed = decodeBlockHeader(block7528.sealed);

  it("decodes the 15-field header with its round, validators and seals", () => {
    expect(sealed.number).toBe(7528n);
    expect(sealed.timestamp).toBe(1715495307n);
    const extraData = decodeQbftExtraData(sealed.extraData);
    expect(extraData.round).toBe(1);
    expect(extraData.validators.map(bytesToHex)).toEqual(block7528.validators);
    expect(extraData.seals).toHaveLength(3);
  });

  it("gives the commit-seal hash header.rs asserts and the on-chain hash of Besu's rules", () => {
    expect(bytesToHex(qbftCommitSealHash(sealed))).toBe(block7528.commitSealHash);
    expect(bytesToHex(qbftOnchainHash(sealed))).toBe(block7528.onchainHash);
    // The unsealed header of header.rs is the commit-seal preimage itself.
    expect(bytesToHex(keccak_256(block7528.unsealed))).toBe(block7528.commitSealHash);
    const unsealed = decodeBlockHeader(block7528.unsealed);
    expect(bytesToHex(qbftCommitSealHash(unsealed))).toBe(block7528.commitSealHash);
    expect(bytesToHex(qbftOnchainHash(unsealed))).toBe(block7528.onchainHash);
    // Not EthereumJS's own hash, which keeps round and seals.
    expect(bytesToHex(sealed.hash())).not.toBe(block7528.onchainHash);
  });

  it("recovers its 3 seals to the 3 listed validators against the commit-seal hash only", () => {
    const committers = recoverCommitters(sealed).map(bytesToHex);
    expect(committers).toHaveLength(3);
    expect(new Set(committers).size).toBe(3);
    for (const prefix of block7528.committerPrefixes) {
      expect(
        committers.some((c) => c.startsWith(prefix)),
        prefix,
      ).toBe(true);
    }
    for (const committer of committers) expect(block7528.validators).toContain(committer);

    const crypto = createSecp256k1QbftCrypto();
    const onchain = qbftOnchainHash(sealed);
    for (const seal of decodeQbftExtraData(sealed.extraData).seals) {
      const wrong = crypto.recoverAddress(onchain, seal);
      expect(wrong === undefined || !block7528.validators.includes(bytesToHex(wrong))).toBe(true);
    }
  });

  it("reproduces the sealed header from the unsealed one and its seals", () => {
    const unsealed = decodeBlockHeader(block7528.unsealed);
    const seals = decodeQbftExtraData(sealed.extraData).seals;
    expect(sealHeader(unsealed, seals).serialize()).toEqual(block7528.sealed);
  });
});

describe("QBFT header hashes: properties", () => {
  const [proposer, other] = testValidators(2);
  const base = testHeader({
    proposer: proposer?.address as Uint8Array,
    validators: [proposer?.address as Uint8Array, other?.address as Uint8Array],
  });

  it("keeps the on-chain hash whatever the round and seals, and the commit-seal hash whatever the seals", () => {
    const extraData = decodeQbftExtraData(base.extraData);
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 0x7fffffff }),
        fc.array(sealArbitrary, { maxLength: 4 }),
        (round, seals) => {
          const atRound = headerWithExtraData(base, encodeQbftExtraData({ ...extraData, round }));
          const sealed = headerWithExtraData(
            base,
            encodeQbftExtraData({ ...extraData, round, seals }),
          );
          expect(qbftOnchainHash(sealed)).toEqual(qbftOnchainHash(base));
          expect(qbftCommitSealHash(sealed)).toEqual(qbftCommitSealHash(atRound));
          expect(
            qbftCommitSealHash(atRound).some((b, i) => b !== qbftCommitSealHash(base)[i]),
          ).toBe(round !== 0);
        },
      ),
      { seed: SEED, numRuns: 300 },
    );
  });

  it("hashes block 0 with its extraData as it is", () => {
    const genesis = testHeader({
      proposer: new Uint8Array(20),
      validators: [proposer?.address as Uint8Array],
      number: 0n,
      round: 3,
    });
    expect(qbftOnchainHash(genesis)).toEqual(keccak_256(genesis.serialize()));
    expect(qbftCommitSealHash(genesis)).toEqual(keccak_256(genesis.serialize()));
  });

  it("refuses a header whose extraData is not QBFT extraData", () => {
    const bad = headerWithExtraData(base, Uint8Array.of(0xc0));
    expectCustosError(() => qbftOnchainHash(bad), "QBFT_EXTRA_DATA_INVALID");
    expectCustosError(() => qbftCommitSealHash(bad), "QBFT_EXTRA_DATA_INVALID");
  });
});
