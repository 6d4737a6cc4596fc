import { createBlockHeader } from "@ethereumjs/block";
import { bytesToHex } from "@ethereumjs/util";
import { keccak_256 } from "@noble/hashes/sha3.js";
import { describe, expect, it } from "vitest";
import {
  decodeQbftExtraData,
  qbftGenesisExtraData,
  validatorsOfGenesis,
} from "../../../../nodes/chain/index.ts";
import { expectCustosError } from "../../../expectCustosError.ts";
import { hex, javaHexStrings, vectorText } from "./besuVectors.ts";
import { testCommon } from "./qbftFixtures.ts";

function genesisHeader(extraData: Uint8Array, number = 0n) {
  return createBlockHeader({ number, extraData, gasLimit: 30_000_000n }, { common: testCommon });
}

function genesisExtraData(path: string): Uint8Array {
  return hex((JSON.parse(vectorText(path)) as { extraData: string }).extraData);
}

describe("QBFT genesis extraData", () => {
  it("reads and rewrites Besu's three QBFT genesis files", () => {
    const files = {
      "besu/qbft-emptyextradata.json": [],
      "besu/genesis_validator_contract.json": [],
      "besu/genesis_migrating_validator_contract.json": [
        "0xeac51e3fe1afc9894f0dfeab8ceb471899b932df",
      ],
    } as const;
    for (const [path, expected] of Object.entries(files)) {
      const extraData = genesisExtraData(path);
      const validators = validatorsOfGenesis(genesisHeader(extraData));
      expect(validators.map(bytesToHex), path).toEqual(expected);
      expect(qbftGenesisExtraData(validators), path).toEqual(extraData);
    }
  });

  it("names the validators of besu-qbft-elc's genesis by their nodes' public keys, sorted", () => {
    const extraData = genesisExtraData("besu-qbft-elc/genesis.json");
    const fromKeys = [0, 1, 2, 3].map((i) => {
      const publicKey = hex(vectorText(`besu-qbft-elc/Node-${i}/key.pub`).trim());
      return bytesToHex(keccak_256(publicKey).slice(12));
    });
    const validators = validatorsOfGenesis(genesisHeader(extraData)).map(bytesToHex);
    expect(validators).toEqual([...fromKeys].sort());
    // Written in the order `besu operator generate-blockchain-config` chose, which is kept.
    const listed = decodeQbftExtraData(extraData).validators;
    expect(new Set(listed.map(bytesToHex))).toEqual(new Set(fromKeys));
    expect(qbftGenesisExtraData(listed)).toEqual(extraData);
  });

  it("writes what `besu rlp encode --type QBFT_EXTRA_DATA` writes (RLPSubCommandTest)", () => {
    const expected = javaHexStrings("besu/RLPSubCommandTest.java").filter(
      (s) => s.endsWith("c080c0") && s.includes("be068f726a13c8d46c44be6ce9d275600e1735a4"),
    );
    expect(expected.length).toBeGreaterThan(0);
    const validators = [
      hex("be068f726a13c8d46c44be6ce9d275600e1735a4"),
      hex("5ff6f4b66a46a2b2310a6f3a93aaddc0d9a1c193"),
    ];
    for (const s of expected) expect(bytesToHex(qbftGenesisExtraData(validators))).toBe(s);
  });

  it("refuses a header that is not block 0 or carries no QBFT extraData, and a bad address", () => {
    const extraData = qbftGenesisExtraData([new Uint8Array(20).fill(7)]);
    const error = expectCustosError(
      () => validatorsOfGenesis(genesisHeader(extraData, 1n)),
      "GENESIS_INVALID",
    );
    expect(error.details.field).toBe("number");
    const bad = expectCustosError(
      () => validatorsOfGenesis(genesisHeader(Uint8Array.of(0xc0))),
      "GENESIS_INVALID",
    );
    expect(bad.details.field).toBe("extraData");
    expectCustosError(() => qbftGenesisExtraData([new Uint8Array(19)]), "QBFT_EXTRA_DATA_INVALID");
  });
});
