/**
 * ConsentRegistry.batchGrant writes its event data in assembly. Compiled through the via-IR
 * pipeline (which moves memory more freely than the legacy one the project builds with), the
 * contract must behave exactly as the legacy build: same records, same events, same batch
 * rejections. This compiles it with the npm `solc` through via-IR and compares both builds.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { BaseContract, ContractTransactionReceipt } from "ethers";
import { keccak256, toUtf8Bytes, ZeroHash } from "ethers";
import hre from "hardhat";
import { beforeAll, describe, expect, it } from "vitest";
import { dataCategories, purposeCodes } from "../../src/consent/index.ts";
import { expectCustomError } from "./expectCustomError.ts";

const require = createRequire(import.meta.url);
const solc = require("solc") as { compile(input: string, callbacks: unknown): string };

const { ethers } = await hre.network.connect();
const HOSPITAL = 7;
const terms = {
  purposes: purposeCodes.HMB.bit,
  categories: dataCategories.DRUGS.bit,
  validFrom: 0,
  validUntil: 0,
};
const subject = (i: number): string => keccak256(toUtf8Bytes(`subject:${i}`));
const doc = (i: number): string => keccak256(toUtf8Bytes(`document:${i}`));

/** ConsentRegistry's creation bytecode from solc with `viaIR: true` (project settings otherwise). */
function compileViaIr(): string {
  const source = "contracts/ConsentRegistry.sol";
  const input = {
    language: "Solidity",
    sources: { [source]: { content: readFileSync(source, "utf8") } },
    settings: {
      viaIR: true,
      optimizer: { enabled: true, runs: 200 },
      evmVersion: "cancun",
      outputSelection: { [source]: { ConsentRegistry: ["evm.bytecode.object"] } },
    },
  };
  const findImports = (path: string) => ({
    contents: readFileSync(path.startsWith("@") ? require.resolve(path) : path, "utf8"),
  });
  const output = JSON.parse(solc.compile(JSON.stringify(input), { import: findImports })) as {
    errors?: { severity: string; formattedMessage: string }[];
    contracts: Record<string, Record<string, { evm: { bytecode: { object: string } } }>>;
  };
  const errors = (output.errors ?? []).filter((e) => e.severity === "error");
  if (errors.length > 0) throw new Error(errors.map((e) => e.formattedMessage).join("\n"));
  const object = output.contracts[source]?.ConsentRegistry?.evm.bytecode.object;
  if (object === undefined) throw new Error("no bytecode");
  return `0x${object}`;
}

let legacy: BaseContract;
let viaIr: BaseContract;

beforeAll(async () => {
  const [recorder] = await ethers.getSigners();
  if (recorder === undefined) throw new Error("no signer");
  const consortium = await ethers.deployContract("MockConsortium");
  await (await consortium.getFunction("setRole")(HOSPITAL, 1)).wait();
  await (await consortium.getFunction("setRecorder")(HOSPITAL, recorder.address, true)).wait();
  legacy = await ethers.deployContract("ConsentRegistry", [consortium.target]);
  const factory = await ethers.getContractFactory("ConsentRegistry");
  const viaIrFactory = new ethers.ContractFactory(factory.interface, compileViaIr(), recorder);
  viaIr = (await viaIrFactory.deploy(consortium.target)) as BaseContract;
  await viaIr.waitForDeployment();
}, 120_000);

async function grantBoth(subjects: string[], docs: string[]) {
  const receipts: ContractTransactionReceipt[] = [];
  for (const registry of [legacy, viaIr]) {
    const tx = await registry.getFunction("batchGrant")(HOSPITAL, subjects, terms, docs);
    const receipt = await tx.wait();
    if (receipt === null) throw new Error("no receipt");
    receipts.push(receipt);
  }
  return receipts as [ContractTransactionReceipt, ContractTransactionReceipt];
}

describe("ConsentRegistry compiled via IR", () => {
  it("is a different build", async () => {
    const code = async (c: BaseContract) => ethers.provider.getCode(await c.getAddress());
    expect(await code(viaIr)).not.toBe(await code(legacy));
  });

  it("batch-grants exactly as the legacy build: records and events", async () => {
    const subjects = Array.from({ length: 40 }, (_, i) => subject(i));
    const docs = Array.from({ length: 40 }, (_, i) => doc(i));
    const [a, b] = await grantBoth(subjects, docs);
    const shape = (r: ContractTransactionReceipt) => r.logs.map((l) => [l.topics, l.data]);
    expect(shape(b)).toEqual(shape(a));
    expect(b.logs).toHaveLength(40);
    for (const s of [subjects[0], subjects[17], subjects[39]]) {
      const read = async (c: BaseContract) =>
        ((await c.getFunction("consentOf")(HOSPITAL, s)) as { toObject(): unknown }).toObject();
      expect(await read(viaIr)).toEqual(await read(legacy));
    }
  });

  it("rejects the same bad item with the same error", async () => {
    const subjects = [subject(100), subject(101), ZeroHash];
    const docs = [doc(100), doc(101), doc(102)];
    const reason = viaIr.interface.getError("ConsentRegistryZeroSubject")?.selector;
    for (const registry of [legacy, viaIr]) {
      await expectCustomError(
        registry.getFunction("batchGrant")(HOSPITAL, subjects, terms, docs),
        registry,
        "ConsentRegistryBatchItemRejected",
        [2n, ZeroHash, reason],
      );
    }
  });
});
