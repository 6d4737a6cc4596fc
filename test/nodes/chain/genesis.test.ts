import type { Block } from "@ethereumjs/block";
import { bytesToHex, hexToBytes, type PrefixedHexString } from "@ethereumjs/util";
import { Interface } from "ethers";
import { afterEach, describe, expect, it } from "vitest";
import {
  commitGenesis,
  DEFAULT_GENESIS_DEPLOYER,
  type Genesis,
  genesisBlock,
  genesisContractAddresses,
  loadGenesisFile,
  parseGenesis,
  qbftGenesisExtraData,
  qbftOnchainHash,
  sortedValidators,
  validatorsOfGenesis,
} from "../../../nodes/chain/index.ts";
import { createChainDb } from "../../../nodes/db/index.ts";
import { createCustosCommon, createExecutionEngine } from "../../../nodes/execution/index.ts";
import {
  accessLedgerAbi,
  consentRegistryAbi,
  consortiumAbi,
} from "../../../src/contracts/index.ts";
import { expectCustosError } from "../../expectCustosError.ts";
import { devGenesis, openChain, tempDir } from "../stateFixtures.ts";

const { genesis, keys } = devGenesis(3);
const common = createCustosCommon({ chainId: BigInt(genesis.chainId) });
const hex = (s: string) => hexToBytes(s as PrefixedHexString);

function mutate(change: (g: Record<string, unknown>) => void): unknown {
  const copy = structuredClone(genesis) as unknown as Record<string, unknown>;
  change(copy);
  return copy;
}

function expectInvalid(document: unknown, field: string) {
  expect(expectCustosError(() => parseGenesis(document), "GENESIS_INVALID").details.field).toBe(
    field,
  );
}

describe("genesis", () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0)) await c();
  });

  it("fixes the contracts at the deployer's CREATE addresses", () => {
    const addresses = genesisContractAddresses(DEFAULT_GENESIS_DEPLOYER);
    expect(genesis.contracts).toEqual(addresses);
    expect(new Set(Object.values(addresses)).size).toBe(4);
  });

  it("builds the same block 0 every time", async () => {
    const a = await genesisBlock(genesis);
    const b = await genesisBlock(parseGenesis(structuredClone(genesis)));
    expect(bytesToHex(a.block.hash())).toBe(bytesToHex(b.block.hash()));
    expect(a.block.header.number).toBe(0n);
    expect(a.block.header.gasLimit).toBe(BigInt(genesis.gasLimit));
    expect(a.stateWrites.length).toBeGreaterThan(10);
  });

  it("runs the constructors: membership, stored consortium address and EIP-712 domain are right", async () => {
    const dir = await tempDir();
    const db = await openChain(dir.path, genesis, common);
    cleanups.push(async () => {
      await db.close();
      await dir.remove();
    });
    const engine = createExecutionEngine({ chainDb: db });
    const g = db.head() as Block;
    const call = async (address: string, abi: Interface, name: string, args: unknown[]) => {
      const result = await engine.call(
        { to: hex(address), data: hex(abi.encodeFunctionData(name, args)) },
        g,
      );
      expect(result.revert).toBeUndefined();
      return abi.decodeFunctionResult(name, result.returnData);
    };
    const consortium = new Interface(consortiumAbi);
    const registry = new Interface(consentRegistryAbi);
    const ledger = new Interface(accessLedgerAbi);
    const hospital2 = keys.hospitals[1] as (typeof keys.hospitals)[number];
    expect(
      (
        await call(genesis.contracts.consortium, consortium, "isRecorder", [
          2,
          hospital2.recorder.address,
        ])
      )[0],
    ).toBe(true);
    // Admin accounts and recorders are apart: the admin account is no recorder, the recorder
    // no admin, and both belong to hospital 2.
    expect(
      (
        await call(genesis.contracts.consortium, consortium, "isRecorder", [
          2,
          hospital2.account.address,
        ])
      )[0],
    ).toBe(false);
    expect(
      (
        await call(genesis.contracts.consortium, consortium, "isAdmin", [
          2,
          hospital2.account.address,
        ])
      )[0],
    ).toBe(true);
    expect(
      (
        await call(genesis.contracts.consortium, consortium, "isAdmin", [
          2,
          hospital2.recorder.address,
        ])
      )[0],
    ).toBe(false);
    for (const account of [hospital2.account.address, hospital2.recorder.address]) {
      expect(
        (await call(genesis.contracts.consortium, consortium, "organisationOf", [account]))[0],
      ).toBe(2n);
    }
    // Hospitals 1..3, then regulator, researcher and review board.
    expect(
      (
        await call(genesis.contracts.consortium, consortium, "organisationOf", [
          keys.reviewBoard.address,
        ])
      )[0],
    ).toBe(6n);
    expect((await call(genesis.contracts.accessLedger, ledger, "requiredApprovals", []))[0]).toBe(
      1n,
    );
    expect(
      (
        await call(genesis.contracts.consortium, consortium, "hasRole", [2, keys.regulator.address])
      )[0],
    ).toBe(true);
    expect(
      (
        await call(genesis.contracts.consortium, consortium, "isMember", [
          keys.hospitals[0]?.validator.address,
        ])
      )[0],
    ).toBe(false);
    expect(
      (await call(genesis.contracts.consentRegistry, registry, "consortium", []))[0].toLowerCase(),
    ).toBe(genesis.contracts.consortium);
    expect(
      (await call(genesis.contracts.accessLedger, ledger, "consortium", []))[0].toLowerCase(),
    ).toBe(genesis.contracts.consortium);
    const domain = await call(genesis.contracts.consentRegistry, registry, "eip712Domain", []);
    expect(domain[3]).toBe(BigInt(genesis.chainId));
    expect(String(domain[4]).toLowerCase()).toBe(genesis.contracts.consentRegistry);
    const balance = await engine.account(hex(keys.researcher.address), g);
    expect(balance.balance).toBe(BigInt(genesis.alloc[keys.researcher.address]?.balance as string));
    // Recorders send transactions too: they are funded; validators are not.
    expect((await engine.account(hex(hospital2.recorder.address), g)).balance).toBeGreaterThan(0n);
    expect(genesis.alloc[hospital2.validator.address]).toBeUndefined();
  });

  it("commitGenesis accepts the same genesis again and refuses another", async () => {
    const dir = await tempDir();
    cleanups.push(dir.remove);
    const db = await openChain(dir.path, genesis, common);
    await db.close();
    const reopened = await createChainDb({ location: dir.path, common });
    const block = await commitGenesis(reopened, genesis);
    expect(bytesToHex(block.hash())).toBe(bytesToHex((reopened.head() as Block).hash()));
    const other = devGenesis(3, "another-seed").genesis;
    await expectCustosError(commitGenesis(reopened, other), "GENESIS_INVALID");
    await reopened.close();
  });

  it("names the offending field of an invalid document", () => {
    expectInvalid(
      mutate((g) => delete g.chainId),
      "chainId",
    );
    expectInvalid(
      mutate((g) => (g.gasLimit = "30000000")),
      "gasLimit",
    );
    expectInvalid(
      mutate((g) => (g.extra = 1)),
      "extra",
    );
    expectInvalid(
      mutate((g) =>
        ((g.organisations as { accounts: string[] }[])[1] as { accounts: string[] }).accounts.push(
          "0x12",
        ),
      ),
      "organisations[1].accounts[1]",
    );
    expectInvalid(
      mutate((g) => (g.alloc = { "0xnothex": { balance: "1" } })),
      "alloc.0xnothex",
    );
    expectInvalid(
      mutate((g) => (g.validators = [...(g.validators as string[])].reverse())),
      "validators",
    );
    expectInvalid(
      mutate(
        (g) =>
          ((g.contracts as Record<string, string>).consentRegistry =
            genesis.contracts.accessLedger),
      ),
      "contracts.consentRegistry",
    );
    // The regulator's account as a hospital recorder: the later binding is named.
    expectInvalid(
      mutate((g) =>
        (
          (g.organisations as { recorders: string[] }[])[0] as { recorders: string[] }
        ).recorders.push(keys.regulator.address),
      ),
      "organisations[3].accounts[0]",
    );
    // A recorder that is also an admin account of its own hospital (Consortium would revert
    // ConsortiumRecorderIsAdmin).
    expectInvalid(
      mutate((g) => {
        const org = (g.organisations as { accounts: string[]; recorders: string[] }[])[0] as {
          accounts: string[];
          recorders: string[];
        };
        org.recorders.push(org.accounts[0] as string);
      }),
      "organisations[0].recorders[1]",
    );
    // The same account in two organisations.
    expectInvalid(
      mutate((g) => {
        const orgs = g.organisations as { accounts: string[] }[];
        (orgs[1] as { accounts: string[] }).accounts.push(
          (orgs[0] as { accounts: string[] }).accounts[0] as string,
        );
      }),
      "organisations[1].accounts[1]",
    );
    // Recorders only for hospitals.
    expectInvalid(
      mutate((g) =>
        (
          (g.organisations as { recorders: string[] }[])[3] as { recorders: string[] }
        ).recorders.push(`0x${"77".repeat(20)}`),
      ),
      "organisations[3].recorders[0]",
    );
    // More approvals than review boards: AccessLedger's constructor would revert.
    expectInvalid(
      mutate((g) => ((g.governance as { requiredApprovals: number }).requiredApprovals = 2)),
      "governance.requiredApprovals",
    );
    expectInvalid(
      mutate((g) => {
        g.organisations = (g.organisations as { role: string }[]).filter(
          (o) => o.role !== "reviewBoard",
        );
      }),
      "governance.requiredApprovals",
    );
    expectInvalid(
      mutate(
        (g) =>
          delete ((g.organisations as Record<string, unknown>[])[0] as Record<string, unknown>)
            .validator,
      ),
      "organisations[0].validator",
    );
  });

  it("reports a constructor failure as GENESIS_INVALID", async () => {
    const bad = parseGenesis(
      mutate((g) => {
        const orgs = g.organisations as { accounts: string[] }[];
        // The zero address as an account: Consortium's constructor reverts.
        (orgs[1] as { accounts: string[] }).accounts.push(`0x${"00".repeat(20)}`);
      }),
    );
    const error = await expectCustosError(genesisBlock(bad), "GENESIS_INVALID");
    expect(error.details.field).toBe("organisations");
  });

  it("puts the validators in block 0's extraData as Besu does, sorted", async () => {
    const sorted = sortedValidators(genesis.validators.map(hex));
    const expected = qbftGenesisExtraData(sorted);
    expect(genesis.extraData).toBe(bytesToHex(expected));
    const { block } = await genesisBlock(genesis);
    expect(block.header.extraData).toEqual(expected);
    expect(validatorsOfGenesis(block.header).map(bytesToHex)).toEqual(sorted.map(bytesToHex));
    // Besu's genesis hash: block 0 is hashed with its extraData as it is.
    expect(bytesToHex(block.hash())).toBe(bytesToHex(qbftOnchainHash(block.header)));
  });

  it("takes a genesis without extraData (files of earlier versions) as the same chain", async () => {
    const older = mutate((g) => delete g.extraData);
    const parsed = parseGenesis(older);
    expect(parsed.extraData).toBeUndefined();
    const [a, b] = [await genesisBlock(parsed), await genesisBlock(genesis)];
    expect(a.block.hash()).toEqual(b.block.hash());
  });

  it("refuses an extraData that does not hold the validators, naming both", () => {
    const others = sortedValidators(genesis.validators.slice(1).map(hex));
    const wrong = bytesToHex(qbftGenesisExtraData(others));
    const error = expectCustosError(
      () => parseGenesis(mutate((g) => (g.extraData = wrong))),
      "GENESIS_INVALID",
    );
    expect(error.details).toMatchObject({
      field: "extraData",
      expected: genesis.extraData,
      actual: wrong,
      validators: genesis.validators.map((v) => v.toLowerCase()),
    });
    // Another order of the same validators is another extraData: Besu sorts them.
    const unsorted = bytesToHex(
      qbftGenesisExtraData([...sortedValidators(genesis.validators.map(hex))].reverse()),
    );
    expectInvalid(
      mutate((g) => (g.extraData = unsorted)),
      "extraData",
    );
    expectInvalid(
      mutate((g) => (g.extraData = "0x12345")),
      "extraData",
    );
  });

  it("refuses validators that disagree with the Consortium's genesis state, naming both", async () => {
    // Past parseGenesis (which would refuse it): validators the hospitals do not name.
    const stranger = `0x${"5a".repeat(20)}`;
    const forged = {
      ...genesis,
      validators: [stranger],
      extraData: undefined,
    } as unknown as Genesis;
    const error = await expectCustosError(genesisBlock(forged), "GENESIS_INVALID");
    expect(error.details).toMatchObject({
      field: "validators",
      extraData: [stranger],
      consortium: genesis.validators.map((v) => v.toLowerCase()).sort(),
    });
  });

  it("loads a genesis file and reports unreadable or non-JSON files", async () => {
    const dir = await tempDir();
    cleanups.push(dir.remove);
    const { writeFile } = await import("node:fs/promises");
    await writeFile(`${dir.path}/g.json`, JSON.stringify(genesis));
    const loaded: Genesis = await loadGenesisFile(`${dir.path}/g.json`);
    expect(loaded).toEqual(genesis);
    expect(Object.isFrozen(loaded.organisations[0])).toBe(true);
    await writeFile(`${dir.path}/bad.json`, "{");
    await expectCustosError(loadGenesisFile(`${dir.path}/bad.json`), "GENESIS_INVALID");
    await expectCustosError(loadGenesisFile(`${dir.path}/missing.json`), "GENESIS_INVALID");
  });
});
