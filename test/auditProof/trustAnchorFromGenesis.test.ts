import { describe, expect, it } from "vitest";
import {
  createDevGenesis,
  DEFAULT_GENESIS_DEPLOYER,
  genesisContractAddresses,
} from "../../nodes/chain/index.ts";
import { qbftQuorum } from "../../nodes/consensus/core/index.ts";
import { qbftQuorumOf, trustAnchorFromGenesis } from "../../src/auditProof/index.ts";
import { expectCustosError } from "../expectCustosError.ts";

const seeded = (seed: number) => {
  let state = seed;
  return (length: number) =>
    Uint8Array.from({ length }, () => {
      state = (state * 1103515245 + 12345) % 2 ** 31;
      return (state >> 8) & 0xff;
    });
};

describe("trustAnchorFromGenesis", () => {
  const { genesis } = createDevGenesis({ hospitals: 5, randomBytes: seeded(7) });

  it("takes the chain id, the sorted validators and the contracts the node derives", () => {
    const anchor = trustAnchorFromGenesis(JSON.parse(JSON.stringify(genesis)));
    const contracts = genesisContractAddresses(DEFAULT_GENESIS_DEPLOYER);
    expect(anchor).toEqual({
      chainId: genesis.chainId,
      consortium: contracts.consortium,
      validators: genesis.validators.map((v) => v.toLowerCase()).sort(),
      fromBlock: 0,
      contracts: {
        consortium: contracts.consortium,
        consentRegistry: contracts.consentRegistry,
        accessLedger: contracts.accessLedger,
      },
    });
  });

  it("starts at a trusted checkpoint with its set instead", () => {
    const validators = [`0x${"bb".repeat(20)}`, `0x${"AA".repeat(20)}`];
    const anchor = trustAnchorFromGenesis(genesis, { block: 120, validators });
    expect(anchor.fromBlock).toBe(120);
    expect(anchor.validators).toEqual([`0x${"aa".repeat(20)}`, `0x${"bb".repeat(20)}`]);
    expectCustosError(
      () => trustAnchorFromGenesis(genesis, { block: -1, validators }),
      "INVALID_ARGUMENT",
    );
    expectCustosError(
      () => trustAnchorFromGenesis(genesis, { block: 1, validators: [] }),
      "INVALID_ARGUMENT",
    );
  });

  it("refuses a document whose fields it needs are missing or wrong, naming the field", () => {
    const cases: [unknown, string][] = [
      [null, "(root)"],
      [{ ...genesis, chainId: "4242" }, "chainId"],
      [{ ...genesis, validators: [] }, "validators"],
      [{ ...genesis, validators: [genesis.validators[0], genesis.validators[0]] }, "validators"],
      [{ ...genesis, validators: ["0x12"] }, "validators[0]"],
      [{ ...genesis, contracts: { ...genesis.contracts, deployer: "nope" } }, "contracts.deployer"],
      [
        { ...genesis, contracts: { ...genesis.contracts, accessLedger: `0x${"00".repeat(20)}` } },
        "contracts.accessLedger",
      ],
    ];
    for (const [document, field] of cases) {
      const error = expectCustosError(() => trustAnchorFromGenesis(document), "GENESIS_INVALID");
      expect(error.details.field).toBe(field);
    }
  });
});

describe("qbftQuorumOf", () => {
  it("is the node's qbftQuorum for every set size", () => {
    for (let n = 0; n <= 200; n++) expect(qbftQuorumOf(n)).toBe(qbftQuorum(n));
  });
});
