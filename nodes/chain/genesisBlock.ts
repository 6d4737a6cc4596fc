import { type Block, createBlock } from "@ethereumjs/block";
import type { Common } from "@ethereumjs/common";
import { EVMMockBlockchain } from "@ethereumjs/evm";
import { MerklePatriciaTrie } from "@ethereumjs/mpt";
import { Caches } from "@ethereumjs/statemanager";
import {
  Account,
  bytesToHex,
  createAddressFromString,
  hexToBytes,
  MapDB,
  ValueEncoding,
} from "@ethereumjs/util";
import { Interface } from "ethers";
import {
  accessLedgerAbi,
  accessLedgerBytecode,
  consentRegistryAbi,
  consentRegistryBytecode,
  consortiumAbi,
  consortiumBytecode,
} from "../../src/contracts/index.ts";
import { CustosError } from "../../src/errors/index.ts";
import { createWriteBackDb, liveStateKeys, type StateWrite, stateNodeLoader } from "../db/index.ts";
import {
  createCustosCommon,
  createTransientVm,
  OwnedStorageStateManager,
} from "../execution/index.ts";
import { genesisExtraData } from "./genesisExtraData.ts";
import { type Genesis, genesisRoles } from "./genesisSchema.ts";

/** Block 0 and the state writes that make its state root loadable. */
export interface GenesisState {
  readonly common: Common;
  readonly block: Block;
  readonly stateWrites: readonly StateWrite[];
}

/** Gas for one genesis constructor: generous, genesis has no block gas limit. */
const CONSTRUCTOR_GAS = 1_000_000_000n;

const consortiumInterface = new Interface(consortiumAbi);

/**
 * Refuses a genesis whose Consortium, once constructed, holds another validator set for
 * block 1 (`validatorsAt(1)`) than block 0's extraData lists: the set the first block must be
 * sealed by would then depend on where it is read.
 */
async function assertConsortiumValidators(
  vm: Awaited<ReturnType<typeof createTransientVm>>,
  context: Block,
  genesis: Genesis,
): Promise<void> {
  const consortium = createAddressFromString(genesis.contracts.consortium);
  const result = await vm.evm.runCall({
    block: context,
    to: consortium,
    data: hexToBytes(consortiumInterface.encodeFunctionData("validatorsAt", [1n]) as `0x${string}`),
    gasLimit: CONSTRUCTOR_GAS,
    skipBalance: true,
  });
  const held =
    result.execResult.exceptionError === undefined
      ? (
          consortiumInterface.decodeFunctionResult(
            "validatorsAt",
            result.execResult.returnValue,
          )[0] as string[]
        ).map((v) => v.toLowerCase())
      : [];
  const listed = genesis.validators.map((v) => v.toLowerCase()).sort();
  if (held.length !== listed.length || held.some((v, i) => v !== listed[i])) {
    throw new CustosError(
      "GENESIS_INVALID",
      `genesis validators: extraData lists [${listed.join(", ")}] but the Consortium holds [${held.join(", ")}]`,
      {
        details: {
          field: "validators",
          reason: "the extraData and the Consortium's validator set differ",
          extraData: listed,
          consortium: held,
        },
      },
    );
  }
}

/**
 * Builds block 0 of a (validated, see `parseGenesis`) genesis: balances from `alloc`, then
 * Consortium, ConsentRegistry and AccessLedger deployed by RUNNING their constructors in the
 * EVM from `contracts.deployer` (CREATE with nonces 0, 1, 2). Their storage is therefore
 * exactly what the constructors produce at those addresses (the Consortium address stored
 * by the other two, the EIP-712 domain separators cached for their own addresses, the
 * initial organisations and validator checkpoint). Consortium's runs first, so AccessLedger's
 * constructor, which requires `requiredApprovals` ≤ the review boards, sees the organisations.
 * Block 0's extraData holds the validators in QBFT extraData, as a Besu QBFT genesis does
 * (`genesisExtraData`), and must agree with the set the constructed Consortium holds.
 *
 * @throws CustosError `GENESIS_INVALID` (field `organisations`/`governance` or the contract)
 * when a constructor reverts or lands at an unexpected address; (field `validators`, naming
 * both sets) when the Consortium holds another validator set than the extraData lists.
 * @example
 * ```ts
 * const { block, stateWrites } = await genesisBlock(genesis);
 * await chainDb.commitBlock({ block, receipts: [], stateWrites });
 * ```
 */
export async function genesisBlock(genesis: Genesis, common?: Common): Promise<GenesisState> {
  const chainCommon = common ?? createCustosCommon({ chainId: BigInt(genesis.chainId) });
  const db = createWriteBackDb(new MapDB<string, string | Uint8Array>());
  const trie = new MerklePatriciaTrie({
    db,
    useKeyHashing: true,
    valueEncoding: ValueEncoding.Bytes,
    common: chainCommon,
  });
  const stateManager = new OwnedStorageStateManager({
    common: chainCommon,
    trie,
    caches: new Caches(),
  });
  const vm = await createTransientVm({
    common: chainCommon,
    stateManager,
    // Block 0 has no ancestors: BLOCKHASH is zero for every number, as the mock answers.
    blockchain: new EVMMockBlockchain(),
  });
  const header = {
    number: 0n,
    gasLimit: BigInt(genesis.gasLimit),
    timestamp: BigInt(genesis.timestamp),
    baseFeePerGas: BigInt(genesis.baseFeePerGas),
    difficulty: 0n,
  };
  const context = createBlock(
    { header: { ...header, gasLimit: CONSTRUCTOR_GAS } },
    { common: chainCommon },
  );

  for (const [address, { balance }] of Object.entries(genesis.alloc)) {
    await stateManager.putAccount(
      createAddressFromString(address),
      new Account(0n, BigInt(balance)),
    );
  }
  const deployer = createAddressFromString(genesis.contracts.deployer);
  const organisations = genesis.organisations.map((org) => ({
    role: genesisRoles[org.role],
    metadata: org.metadata,
    accounts: org.accounts,
    recorders: org.recorders,
    validator: org.validator ?? "0x0000000000000000000000000000000000000000",
  }));
  const deployments = [
    {
      name: "consortium",
      field: "organisations",
      data: new Interface(consortiumAbi).encodeDeploy([
        organisations,
        genesis.governance.executionDelay,
        genesis.governance.votingPeriod,
      ]),
      bytecode: consortiumBytecode,
    },
    {
      name: "consentRegistry",
      field: "contracts.consentRegistry",
      data: new Interface(consentRegistryAbi).encodeDeploy([genesis.contracts.consortium]),
      bytecode: consentRegistryBytecode,
    },
    {
      name: "accessLedger",
      field: "governance.requiredApprovals",
      data: new Interface(accessLedgerAbi).encodeDeploy([
        genesis.contracts.consortium,
        genesis.governance.requiredApprovals,
      ]),
      bytecode: accessLedgerBytecode,
    },
  ] as const;
  for (const deployment of deployments) {
    const result = await vm.evm.runCall({
      block: context,
      caller: deployer,
      origin: deployer,
      data: hexToBytes(`${deployment.bytecode}${deployment.data.slice(2)}` as `0x${string}`),
      gasLimit: CONSTRUCTOR_GAS,
      skipBalance: true,
    });
    const failure = result.execResult.exceptionError;
    if (failure !== undefined) {
      throw new CustosError(
        "GENESIS_INVALID",
        `genesis ${deployment.field}: the ${deployment.name} constructor failed (${failure.error})`,
        {
          details: {
            field: deployment.field,
            contract: deployment.name,
            reason: failure.error,
            data: bytesToHex(result.execResult.returnValue),
          },
        },
      );
    }
    const expected = genesis.contracts[deployment.name].toLowerCase();
    if (result.createdAddress?.toString() !== expected) {
      throw new CustosError(
        "GENESIS_INVALID",
        `genesis contracts.${deployment.name}: deployed at an unexpected address`,
        {
          details: {
            field: `contracts.${deployment.name}`,
            expected,
            actual: result.createdAddress?.toString() ?? "",
          },
        },
      );
    }
  }
  await assertConsortiumValidators(vm, context, genesis);
  const stateRoot = await stateManager.getStateRoot();
  const block = createBlock(
    { header: { ...header, stateRoot, extraData: genesisExtraData(genesis) } },
    { common: chainCommon },
  );
  // EthereumJS stored every intermediate version of every node while the contracts were
  // deployed; genesis keeps only what its state uses.
  const written = db.writes();
  const byKey = new Map(written.map((w) => [Buffer.from(w.key).toString("hex"), w.value]));
  const live = liveStateKeys(
    stateRoot,
    stateNodeLoader((key) => byKey.get(key)),
  );
  const stateWrites = written.filter((w) => live.has(Buffer.from(w.key).toString("hex")));
  return { common: chainCommon, block, stateWrites };
}
