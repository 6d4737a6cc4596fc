import { bytesToHex } from "@ethereumjs/util";
import { describe, expect, it } from "vitest";
import {
  decodeBlockHeader,
  decodeQbftExtraData,
  encodeQbftExtraData,
  qbftOnchainHash,
  recoverCommitters,
  sealHeader,
  signCommitSeal,
  verifySealedHeader,
} from "../../../../nodes/chain/index.ts";
import { headerWithExtraData } from "../../../../nodes/chain/qbft/withExtraData.ts";
import { expectCustosError } from "../../../expectCustosError.ts";
import { block7528, hex } from "./besuVectors.ts";
import { CURVE_ORDER, word } from "./qbftArbitraries.ts";
import { sealedBy, testHeader, testValidators } from "./qbftFixtures.ts";

/** secp256k1's field prime p. */
const FIELD_PRIME = 2n ** 256n - 2n ** 32n - 977n;

function powMod(base: bigint, exponent: bigint, modulus: bigint): bigint {
  let result = 1n;
  let b = base % modulus;
  for (let e = exponent; e > 0n; e >>= 1n) {
    if (e & 1n) result = (result * b) % modulus;
    b = (b * b) % modulus;
  }
  return result;
}

/** The least r whose x³ + 7 is no square mod p: no curve point has x = r, so no key recovers. */
function rOffTheCurve(): bigint {
  let r = 1n;
  while (powMod(r ** 3n + 7n, (FIELD_PRIME - 1n) / 2n, FIELD_PRIME) === 1n) r++;
  return r;
}

describe("verifySealedHeader", () => {
  const validators = testValidators(4);
  const addresses = validators.map((v) => v.address);
  const [a, b, c, d] = validators as [
    (typeof validators)[0],
    (typeof validators)[0],
    (typeof validators)[0],
    (typeof validators)[0],
  ];
  const header = testHeader({ proposer: b.address, validators: addresses, round: 2, number: 9n });

  function expectRule(action: () => unknown, rule: string): Record<string, unknown> {
    const error = expectCustosError(action, "QBFT_SEAL_INVALID");
    expect(error.details.rule).toBe(rule);
    expect(error.details.number).toBe("9");
    return error.details;
  }

  it("accepts Besu block #7528 against its validators, in any order given", () => {
    const sealed = decodeBlockHeader(block7528.sealed);
    const expected = block7528.validators.map((v) => hex(v));
    const committers = verifySealedHeader(sealed, [...expected].reverse());
    expect(committers.map(bytesToHex)).toEqual(recoverCommitters(sealed).map(bytesToHex));
  });

  it("accepts a quorum of seals and returns the committers in seal order", () => {
    const sealed = sealedBy(header, [c, a, d]);
    expect(verifySealedHeader(sealed, [d.address, c.address, b.address, a.address])).toEqual([
      c.address,
      a.address,
      d.address,
    ]);
    expect(verifySealedHeader(sealedBy(header, validators), addresses)).toHaveLength(4);
  });

  it("refuses too few seals", () => {
    const details = expectRule(
      () => verifySealedHeader(sealedBy(header, [a, c]), addresses),
      "quorum",
    );
    expect(details).toMatchObject({ committers: 2, quorum: 3, validators: 4 });
    expect(details.hash).toBe(bytesToHex(qbftOnchainHash(header)));
    expectRule(() => verifySealedHeader(header, addresses), "quorum");
  });

  it("refuses a seal by a non-validator", () => {
    const [outsider] = testValidators(1, "outsider");
    const sealed = sealedBy(header, [a, outsider as (typeof validators)[0], c]);
    const details = expectRule(() => verifySealedHeader(sealed, addresses), "committer");
    expect(details).toMatchObject({
      seal: 1,
      committer: bytesToHex(outsider?.address as Uint8Array),
    });
  });

  it("refuses a duplicate seal signer, even with a quorum besides", () => {
    const twice = sealedBy(header, [a, c, d, a]);
    expect(expectRule(() => verifySealedHeader(twice, addresses), "duplicate")).toMatchObject({
      seal: 3,
      committer: bytesToHex(a.address),
    });
    // A second, different signature by the same key (high s) is still the same committer.
    const seal = signCommitSeal(header, c.key);
    const s = BigInt(bytesToHex(seal.subarray(32, 64)));
    const highS = Uint8Array.from([
      ...seal.subarray(0, 32),
      ...word(CURVE_ORDER - s),
      (seal[64] as number) ^ 1,
    ]);
    const malleated = sealHeader(header, [seal, highS, signCommitSeal(header, a.key)]);
    expectRule(() => verifySealedHeader(malleated, addresses), "duplicate");
  });

  it("refuses a proposer that is not a validator", () => {
    const [outsider] = testValidators(1, "outsider");
    const byOutsider = testHeader({
      proposer: outsider?.address as Uint8Array,
      validators: addresses,
      round: 2,
      number: 9n,
    });
    expectRule(() => verifySealedHeader(sealedBy(byOutsider, [a, b, c]), addresses), "proposer");
  });

  it("refuses a validator list that is not the expected set in ascending order", () => {
    const reversed = testHeader({
      proposer: b.address,
      validators: [...addresses].reverse(),
      round: 2,
      number: 9n,
    });
    expectRule(() => verifySealedHeader(sealedBy(reversed, [a, b, c]), addresses), "validators");
    const short = testHeader({
      proposer: b.address,
      validators: addresses.slice(0, 3),
      round: 2,
      number: 9n,
    });
    expectRule(() => verifySealedHeader(sealedBy(short, [a, b, c]), addresses), "validators");
    expectRule(
      () => verifySealedHeader(sealedBy(header, [a, b, c]), addresses.slice(0, 3)),
      "validators",
    );
  });

  it("refuses seals signed at another round or over the on-chain hash", () => {
    const atRound0 = testHeader({
      proposer: b.address,
      validators: addresses,
      round: 0,
      number: 9n,
    });
    const seals = [a, c, d].map((v) => signCommitSeal(atRound0, v.key));
    // Same block, sealed as if committed at round 2: the seals sign another hash.
    expectRule(() => verifySealedHeader(sealHeader(header, seals), addresses), "committer");
  });

  it("refuses a seal that recovers to no key, and extraData that does not decode", () => {
    const extraData = decodeQbftExtraData(header.extraData);
    // Well-formed as Besu reads a seal, but no curve point has x = r.
    const noKey = Uint8Array.from([...word(rOffTheCurve()), ...word(1n), 0]);
    const sealed = headerWithExtraData(
      header,
      encodeQbftExtraData({ ...extraData, seals: [signCommitSeal(header, a.key), noKey] }),
    );
    expect(expectRule(() => verifySealedHeader(sealed, addresses), "seal")).toMatchObject({
      seal: 1,
    });
    expectCustosError(() => recoverCommitters(sealed), "QBFT_SEAL_INVALID");
    const garbled = headerWithExtraData(header, Uint8Array.of(0xc1, 0x80));
    expect(expectRule(() => verifySealedHeader(garbled, addresses), "extraData")).toMatchObject({
      field: "vanity",
    });
  });

  it("refuses an expected validator that is not 20 bytes", () => {
    expectCustosError(() => verifySealedHeader(header, [new Uint8Array(19)]), "INVALID_ARGUMENT");
  });
});
