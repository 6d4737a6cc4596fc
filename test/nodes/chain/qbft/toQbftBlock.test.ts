import { Block, createBlock } from "@ethereumjs/block";
import { createFeeMarket1559Tx } from "@ethereumjs/tx";
import { bytesToHex } from "@ethereumjs/util";
import { keccak_256 } from "@noble/hashes/sha3.js";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  createQbftBlockCodec,
  createQbftSigner,
  createSecp256k1QbftCrypto,
  decodeQbftExtraData,
  qbftCommitSealHash,
  qbftOnchainHash,
  recoverCommitters,
  sealBlock,
  signCommitSeal,
  toQbftBlock,
} from "../../../../nodes/chain/index.ts";
import { blockWithExtraData } from "../../../../nodes/chain/qbft/withExtraData.ts";
import { expectCustosError } from "../../../expectCustosError.ts";
import { block7528, hex, vectorText } from "./besuVectors.ts";
import { CURVE_ORDER, word } from "./qbftArbitraries.ts";
import { testCommon, testHeader, testValidators } from "./qbftFixtures.ts";

const SEED = 20261206;
const validators = testValidators(4);
const [a, b, c] = validators as [
  (typeof validators)[0],
  (typeof validators)[0],
  (typeof validators)[0],
];
const addresses = validators.map((v) => v.address);

/** A block at height 5, round 3, proposed by b, with one signed transaction. */
function testBlock(): Block {
  const header = testHeader({ proposer: b.address, validators: addresses, round: 3, number: 5n });
  const tx = createFeeMarket1559Tx(
    { to: `0x${"11".repeat(20)}`, gasLimit: 21_000n, maxFeePerGas: 10n, chainId: 4242n },
    { common: testCommon },
  ).sign(a.key);
  return new Block(header, [tx], [], [], { common: testCommon });
}

describe("toQbftBlock", () => {
  it("shows the core a block's height, round, proposer, parent, hashes and RLP", () => {
    const block = testBlock();
    const view = toQbftBlock(block);
    expect(view.height).toBe(5n);
    expect(view.round).toBe(3);
    expect(view.proposer).toEqual(b.address);
    expect(view.parentHash).toEqual(block.header.parentHash);
    expect(view.hash).toEqual(qbftOnchainHash(block.header));
    expect(view.digest).toEqual(qbftCommitSealHash(block.header));
    expect(view.hash).not.toEqual(view.digest);
    expect(view.encoded).toEqual(block.serialize());
    expect(view.block).toBe(block);
  });

  it("re-rounds a sealed block: same on-chain hash, new digest, no seals, same body", () => {
    const block = testBlock();
    const sealed = sealBlock(block, [signCommitSeal(block.header, a.key)]);
    const view = toQbftBlock(sealed);
    const later = view.withRound(7);
    expect(later.round).toBe(7);
    expect(later.hash).toEqual(view.hash);
    expect(later.digest).not.toEqual(view.digest);
    expect(decodeQbftExtraData(later.block.header.extraData)).toMatchObject({
      round: 7,
      seals: [],
    });
    expect(later.block.transactions.map((tx) => tx.hash())).toEqual(
      block.transactions.map((tx) => tx.hash()),
    );
    expect(later.withRound(3).digest).toEqual(toQbftBlock(block).digest);
    expectCustosError(() => view.withRound(-1), "QBFT_EXTRA_DATA_INVALID");
  });

  it("refuses a block without QBFT extraData", () => {
    const block = createBlock(
      { header: { number: 1n, extraData: Uint8Array.of(1, 2) } },
      { common: testCommon },
    );
    expectCustosError(() => toQbftBlock(block), "QBFT_EXTRA_DATA_INVALID");
  });
});

describe("createQbftBlockCodec", () => {
  const codec = createQbftBlockCodec(testCommon);

  it("decodes a block's wire form to the same hashes and body", () => {
    const block = sealBlock(testBlock(), [signCommitSeal(testBlock().header, c.key)]);
    const decoded = codec.decode(toQbftBlock(block).encoded);
    expect(decoded).toBeDefined();
    expect(decoded?.hash).toEqual(toQbftBlock(block).hash);
    expect(decoded?.digest).toEqual(toQbftBlock(block).digest);
    expect(decoded?.block.transactions).toHaveLength(1);
    expect(recoverCommitters(decoded?.block.header as Block["header"])).toEqual([c.address]);
  });

  it("answers undefined, never throws, for bytes that are not a block of this chain", () => {
    const encoded = toQbftBlock(testBlock()).encoded;
    // A block whose extraData is not QBFT's; a Besu header alone; another hardfork's block.
    const plain = createBlock({ header: { number: 1n } }, { common: testCommon }).serialize();
    expect(codec.decode(plain)).toBeUndefined();
    expect(codec.decode(block7528.sealed)).toBeUndefined();
    expect(codec.decode(new Uint8Array(0))).toBeUndefined();
    const badRound = blockWithExtraData(testBlock(), Uint8Array.of(0xc0)).serialize();
    expect(codec.decode(badRound)).toBeUndefined();
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 600 }),
          fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })).map(([at, byte]) => {
            const bytes = encoded.slice();
            bytes[at % bytes.length] = byte;
            return bytes;
          }),
          fc.nat().map((at) => encoded.subarray(0, at % encoded.length)),
        ),
        (bytes) => {
          const block = codec.decode(bytes);
          if (block !== undefined) expect(block.hash).toHaveLength(32);
        },
      ),
      { seed: SEED, numRuns: 3000 },
    );
  });
});

describe("createSecp256k1QbftCrypto and createQbftSigner", () => {
  const crypto = createSecp256k1QbftCrypto();

  it("recovers qbft-tests' COMMIT seal to its signer against its digest", () => {
    const messages = JSON.parse(vectorText("qbft-tests/messages.json")) as {
      commit: { message: { unsignedCommit: { commitSeal: string; digest: string } } };
    };
    const { commitSeal, digest } = messages.commit.message.unsignedCommit;
    const signer = crypto.recoverAddress(hex(digest), hex(commitSeal));
    expect(bytesToHex(signer as Uint8Array)).toBe("0xd09d559810bff66602d945c5d2956d12c3dbd584");
  });

  it("hashes with keccak-256", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (data) => {
        expect(crypto.keccak256(data)).toEqual(keccak_256(data));
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it("signs deterministically what it recovers, as signCommitSeal does", () => {
    const signer = createQbftSigner(a.key);
    expect(signer.address).toEqual(a.address);
    const block = toQbftBlock(testBlock());
    const seal = signer.sign(block.digest);
    expect(seal).toHaveLength(65);
    expect(seal).toEqual(signer.sign(block.digest));
    expect(seal).toEqual(signCommitSeal(block.block.header, a.key));
    expect(crypto.recoverAddress(block.digest, seal)).toEqual(a.address);
    expect(crypto.recoverAddress(block.hash, seal)).not.toEqual(a.address);
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (hash) => {
        expect(crypto.recoverAddress(hash, signer.sign(hash))).toEqual(a.address);
      }),
      { seed: SEED, numRuns: 200 },
    );
  });

  it("recovers nothing from a malformed signature or hash", () => {
    const hash = keccak_256(Uint8Array.of(1));
    const seal = createQbftSigner(a.key).sign(hash);
    const withId = (id: number) => Uint8Array.from([...seal.subarray(0, 64), id]);
    expect(crypto.recoverAddress(hash, seal.subarray(0, 64))).toBeUndefined();
    expect(crypto.recoverAddress(hash, withId(2))).toBeUndefined();
    expect(crypto.recoverAddress(hash, withId(27))).toBeUndefined();
    expect(crypto.recoverAddress(hash.subarray(0, 31), seal)).toBeUndefined();
    expect(
      crypto.recoverAddress(hash, Uint8Array.from([...word(0n), ...seal.subarray(32)])),
    ).toBeUndefined();
    expect(
      crypto.recoverAddress(
        hash,
        Uint8Array.from([...seal.subarray(0, 32), ...word(CURVE_ORDER), 0]),
      ),
    ).toBeUndefined();
  });

  it("refuses a private key that is none, without echoing it", () => {
    for (const key of [new Uint8Array(32), word(CURVE_ORDER), new Uint8Array(31).fill(1)]) {
      const error = expectCustosError(() => createQbftSigner(key), "INVALID_ARGUMENT");
      expect(JSON.stringify(error.details)).not.toContain(bytesToHex(key).slice(2));
    }
    expectCustosError(() => createQbftSigner(a.key).sign(new Uint8Array(31)), "INVALID_ARGUMENT");
  });
});
