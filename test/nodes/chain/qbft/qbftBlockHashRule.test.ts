/**
 * Custos's block-hash rule installed into EthereumJS: `header.hash()` and `block.hash()` of a
 * Custos header are Besu's on-chain hash, whatever its round and seals; other chains' headers
 * keep EthereumJS's hash.
 */
import { Block, createBlockHeader, createBlockHeaderFromRLP } from "@ethereumjs/block";
import { Common, Hardfork, Mainnet } from "@ethereumjs/common";
import { RLP } from "@ethereumjs/rlp";
import { bytesToHex } from "@ethereumjs/util";
import { keccak_256 } from "@noble/hashes/sha3.js";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import {
  decodeBlockHeader,
  encodeQbftExtraData,
  installQbftBlockHash,
  qbftBlockHashRule,
  qbftOnchainHash,
  sealHeader,
} from "../../../../nodes/chain/index.ts";
import { headerWithExtraData } from "../../../../nodes/chain/qbft/withExtraData.ts";
import {
  blockHashRuleName,
  HEADER_RLP_HASH_RULE,
  installBlockHashRule,
  installedBlockHashRule,
} from "../../../../nodes/db/index.ts";
import { expectCustosError } from "../../../expectCustosError.ts";
import { block7528 } from "./besuVectors.ts";
import { extraDataArbitrary } from "./qbftArbitraries.ts";
import { sealedBy, testCommon, testHeader, testValidators } from "./qbftFixtures.ts";

const SEED = 20261207;

beforeAll(() => {
  installQbftBlockHash();
});

describe("installQbftBlockHash", () => {
  it("installs the rule once and refuses another in the same thread", () => {
    expect(installedBlockHashRule()?.name).toBe("qbft-onchain");
    installQbftBlockHash();
    expect(installedBlockHashRule()).toBe(qbftBlockHashRule);
    expect(blockHashRuleName(testCommon)).toBe("qbft-onchain");
    expect(blockHashRuleName(new Common({ chain: Mainnet }))).toBe(HEADER_RLP_HASH_RULE);
    const error = expectCustosError(
      () => installBlockHashRule({ ...qbftBlockHashRule, name: "other" }),
      "INTERNAL",
    );
    expect(error.details).toMatchObject({ installed: "qbft-onchain", requested: "other" });
  });

  it("answers Besu's on-chain hash of block #7528, sealed or not", () => {
    const sealed = decodeBlockHeader(block7528.sealed);
    const unsealed = decodeBlockHeader(block7528.unsealed);
    expect(bytesToHex(sealed.hash())).toBe(block7528.onchainHash);
    expect(bytesToHex(unsealed.hash())).toBe(block7528.onchainHash);
  });

  it("hashes every Custos header as qbftOnchainHash, the same whatever its round and seals", () => {
    const validators = testValidators(4, "hash-rule");
    const [proposer] = validators;
    fc.assert(
      fc.property(extraDataArbitrary, fc.bigInt({ min: 1n, max: 2n ** 40n }), (extra, number) => {
        const header = headerWithExtraData(
          testHeader({ proposer: proposer?.address as Uint8Array, validators: [], number }),
          encodeQbftExtraData(extra),
        );
        const hash = bytesToHex(header.hash());
        expect(hash).toBe(bytesToHex(qbftOnchainHash(header)));
        const bare = headerWithExtraData(
          header,
          encodeQbftExtraData({ ...extra, round: 0, seals: [] }),
        );
        // Round 0 and no seals: Besu's hash is keccak-256 of the header as it stands.
        expect(hash).toBe(bytesToHex(keccak_256(RLP.encode(bare.raw()))));
        expect(bytesToHex(new Block(header, [], [], [], { common: testCommon }).hash())).toBe(hash);
      }),
      { seed: SEED, numRuns: 300 },
    );
    const header = testHeader({
      proposer: proposer?.address as Uint8Array,
      validators: validators.map((v) => v.address),
      round: 3,
    });
    const sealed = sealedBy(header, validators.slice(0, 3));
    expect(bytesToHex(sealed.hash())).toBe(bytesToHex(header.hash()));
    expect(bytesToHex(sealed.hash())).not.toBe(bytesToHex(keccak_256(sealed.serialize())));
  });

  it("keeps block 0's extraData as it is", () => {
    const validators = testValidators(2, "genesis-hash");
    const genesis = testHeader({
      proposer: new Uint8Array(20),
      validators: validators.map((v) => v.address),
      round: 5,
      number: 0n,
    });
    expect(bytesToHex(genesis.hash())).toBe(bytesToHex(keccak_256(genesis.serialize())));
  });

  it("hashes a header without QBFT extraData as it stands, and other chains' headers as EthereumJS", () => {
    const plain = createBlockHeader({ number: 5n, gasLimit: 30_000_000n }, { common: testCommon });
    expect(bytesToHex(plain.hash())).toBe(bytesToHex(keccak_256(plain.serialize())));
    const [proposer, other] = testValidators(2, "mainnet");
    const sealed = sealHeader(
      testHeader({
        proposer: proposer?.address as Uint8Array,
        validators: [proposer?.address as Uint8Array, other?.address as Uint8Array],
        round: 2,
      }),
      [],
    );
    const mainnet = createBlockHeaderFromRLP(sealed.serialize(), {
      common: new Common({ chain: Mainnet, hardfork: Hardfork.Cancun }),
      setHardfork: false,
      skipConsensusFormatValidation: true,
    });
    expect(bytesToHex(mainnet.hash())).toBe(bytesToHex(keccak_256(mainnet.serialize())));
    expect(bytesToHex(mainnet.hash())).not.toBe(bytesToHex(qbftOnchainHash(sealed)));
  });

  it("computes a frozen header's hash once and an unfrozen one's each time", () => {
    const [proposer] = testValidators(1, "cache");
    const header = testHeader({
      proposer: proposer?.address as Uint8Array,
      validators: [proposer?.address as Uint8Array],
      round: 1,
    });
    expect(Object.isFrozen(header)).toBe(true);
    expect(header.hash()).toBe(header.hash());
    const unfrozen = createBlockHeader(
      { number: 1n, extraData: header.extraData, coinbase: header.coinbase },
      { common: testCommon, freeze: false },
    );
    expect(unfrozen.hash()).not.toBe(unfrozen.hash());
    expect(unfrozen.hash()).toEqual(unfrozen.hash());
  });
});

describe("qbftBlockHashRule.hashFields", () => {
  it("equals the installed header hash", () => {
    const [proposer, other] = testValidators(2, "fields");
    const header = sealedBy(
      testHeader({
        proposer: proposer?.address as Uint8Array,
        validators: [proposer?.address as Uint8Array, other?.address as Uint8Array],
        round: 9,
      }),
      testValidators(2, "fields"),
    );
    expect(bytesToHex(qbftBlockHashRule.hashFields(header.raw()))).toBe(bytesToHex(header.hash()));
  });
});
