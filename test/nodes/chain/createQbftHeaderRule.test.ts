/**
 * Received blocks verified by Besu's QBFT rules before they execute: the execution engine
 * given `createQbftHeaderRule` takes a block sealed by a quorum of the Consortium's
 * validators for its height and refuses one with missing, too few or foreign seals, or
 * another validator list.
 */
import type { Block } from "@ethereumjs/block";
import { bytesToHex, hexToBytes, type PrefixedHexString } from "@ethereumjs/util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  buildQbftBlock,
  createQbftHeaderRule,
  qbftOnchainHash,
  readValidatorsAt,
  sealExecutedBlock,
  signCommitSeal,
  sortedValidators,
  verifySealedHeader,
} from "../../../nodes/chain/index.ts";
import type { ChainDb } from "../../../nodes/db/index.ts";
import {
  type BuiltBlock,
  createCustosCommon,
  createExecutionEngine,
  type ExecutionEngine,
} from "../../../nodes/execution/index.ts";
import { expectCustosError } from "../../expectCustosError.ts";
import { buildSealedBlock, devGenesis, openChain, tempDir } from "../stateFixtures.ts";

const { genesis, keys } = devGenesis(4, "header-rule");
const common = createCustosCommon({ chainId: BigInt(genesis.chainId) });
const consortium = hexToBytes(genesis.contracts.consortium as PrefixedHexString);
const validatorKeys = keys.hospitals.map((h) =>
  hexToBytes(h.validator.privateKey as PrefixedHexString),
);
const validators = genesis.validators.map((v) => hexToBytes(v as PrefixedHexString));
const proposer = hexToBytes(keys.hospitals[0]?.validator.address as PrefixedHexString);

interface Side {
  chainDb: ChainDb;
  engine: ExecutionEngine;
  remove: () => Promise<void>;
}

async function side(headerRule: boolean): Promise<Side> {
  const dir = await tempDir("custos-header-rule-");
  const chainDb = await openChain(dir.path, genesis, common);
  const engine = createExecutionEngine({
    chainDb,
    ...(headerRule ? { headerRule: createQbftHeaderRule({ consortium }) } : {}),
  });
  return {
    chainDb,
    engine,
    remove: async () => {
      await chainDb.close();
      await dir.remove();
    },
  };
}

let producer: Side;
let verifier: Side;

beforeAll(async () => {
  producer = await side(false);
  verifier = await side(true);
});
afterAll(async () => {
  await producer.remove();
  await verifier.remove();
});

function head(s: Side): Block {
  return s.chainDb.head() as Block;
}

/** Block head+1 of the producer with the given validators and seals by the given keys. */
async function candidate(options: {
  validators?: readonly Uint8Array[];
  sealers?: readonly Uint8Array[];
  round?: number;
}): Promise<BuiltBlock> {
  const parent = head(producer);
  const built = await buildQbftBlock(producer.engine, parent, [], {
    timestamp: parent.header.timestamp + 1n,
    coinbase: proposer,
    gasLimit: BigInt(genesis.gasLimit),
    validators: options.validators ?? validators,
    round: options.round ?? 0,
  });
  return sealExecutedBlock(
    producer.engine,
    built,
    (options.sealers ?? []).map((key) => signCommitSeal(built.block.header, key)),
  );
}

async function refusal(block: Block, rule: string): Promise<Record<string, unknown>> {
  const error = await expectCustosError(verifier.engine.executeBlock(block), "QBFT_SEAL_INVALID");
  expect(error.details.rule).toBe(rule);
  expect(error.details.number).toBe(block.header.number.toString());
  expect(error.details.hash).toBe(bytesToHex(block.hash()));
  return error.details;
}

describe("createQbftHeaderRule", () => {
  it("reads the validators of a height from the Consortium on the parent's state", async () => {
    const read = await readValidatorsAt(
      (request) => verifier.engine.call(request, head(verifier)),
      consortium,
      1n,
    );
    expect(read.map(bytesToHex)).toEqual(sortedValidators(validators).map(bytesToHex));
  });

  it("executes blocks sealed by a quorum, hashed and linked by Besu's on-chain hash", async () => {
    for (let i = 0; i < 2; i++) {
      const built = await buildSealedBlock(producer.engine, head(producer), [], { genesis, keys });
      await producer.engine.commit(built);
      const executed = await verifier.engine.executeBlock(built.block);
      await verifier.engine.commit(executed);
      expect(verifySealedHeader(built.block.header, validators)).toHaveLength(4);
      expect(bytesToHex(head(verifier).hash())).toBe(
        bytesToHex(qbftOnchainHash(built.block.header)),
      );
    }
    const [one, two] = [
      await verifier.chainDb.blockByNumber(1n),
      await verifier.chainDb.blockByNumber(2n),
    ];
    expect(bytesToHex((two as Block).header.parentHash)).toBe(
      bytesToHex(qbftOnchainHash((one as Block).header)),
    );
    expect(bytesToHex((await verifier.chainDb.canonicalHash(2n)) as Uint8Array)).toBe(
      bytesToHex(qbftOnchainHash((two as Block).header)),
    );
  });

  it("takes a block committed in a later round with three of four seals", async () => {
    const built = await candidate({ sealers: validatorKeys.slice(1), round: 2 });
    const executed = await verifier.engine.executeBlock(built.block);
    await verifier.engine.commit(executed);
    await producer.engine.commit(built);
    expect(head(verifier).hash()).toEqual(head(producer).hash());
  });

  it("refuses a block without seals, with too few, or sealed by a non-validator", async () => {
    await refusal((await candidate({})).block, "quorum");
    const two = await refusal(
      (await candidate({ sealers: validatorKeys.slice(0, 2) })).block,
      "quorum",
    );
    expect(two).toMatchObject({ committers: 2, quorum: 3, validators: 4 });
    const stranger = hexToBytes(keys.regulator.privateKey as PrefixedHexString);
    const foreign = await refusal(
      (await candidate({ sealers: [...validatorKeys.slice(0, 2), stranger] })).block,
      "committer",
    );
    expect(foreign.committer).toBe(keys.regulator.address.toLowerCase());
  });

  it("refuses a block listing another validator set than the Consortium holds", async () => {
    const three = validators.slice(0, 3);
    await refusal(
      (await candidate({ validators: three, sealers: validatorKeys })).block,
      "validators",
    );
  });

  it("refuses a block whose extraData is not QBFT extraData", async () => {
    const parent = head(producer);
    const plain = await producer.engine.buildBlock(parent, [], {
      timestamp: parent.header.timestamp + 1n,
      coinbase: proposer,
      gasLimit: BigInt(genesis.gasLimit),
    });
    const error = await expectCustosError(
      verifier.engine.executeBlock(plain.block),
      "QBFT_SEAL_INVALID",
    );
    expect(error.details).toMatchObject({
      rule: "extraData",
      number: plain.block.header.number.toString(),
    });
  });

  it("checks a proposal's validators and proposer but not its seals", async () => {
    const unsealed = await candidate({});
    const executed = await verifier.engine.executeBlock(unsealed.block, { proposal: true });
    expect(executed.block.hash()).toEqual(unsealed.block.hash());
    const wrongSet = await candidate({ validators: validators.slice(1) });
    const error = await expectCustosError(
      verifier.engine.executeBlock(wrongSet.block, { proposal: true }),
      "QBFT_SEAL_INVALID",
    );
    expect(error.details.rule).toBe("validators");
  });

  it("commits a proposal once sealed, and only the same block", async () => {
    const unsealed = await candidate({ round: 1 });
    const executed = await verifier.engine.executeBlock(unsealed.block, { proposal: true });
    const other = await candidate({ round: 1, validators: validators.slice(1) });
    const error = expectCustosError(
      () => verifier.engine.withBlock(executed, other.block),
      "BLOCK_INVALID",
    );
    expect(error.details.field).toBe("hash");
    const sealed = sealExecutedBlock(
      verifier.engine,
      executed,
      validatorKeys.map((key) => signCommitSeal(unsealed.block.header, key)),
    );
    await verifier.engine.commit(sealed);
    expect(verifySealedHeader(head(verifier).header, validators)).toHaveLength(4);
    expect(head(verifier).hash()).toEqual(unsealed.block.hash());
  });
});
