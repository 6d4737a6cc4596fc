/**
 * Gas of Consortium's governance and self-management paths on Hardhat's in-process EVM.
 * Each repetition deploys a fresh network of 4 hospitals + 1 regulator, so every flow runs on
 * the same state; figures are medians over the repetitions (they differ only by address
 * ordering). Writes bench/results/consortiumGas.json.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { type Contract, getAddress, Wallet } from "ethers";
import hre from "hardhat";

const REPEAT = 5;
const DELAY = 2n;
const { ethers } = await hre.network.connect();
const signers = await ethers.getSigners();
const at = (i: number): HardhatEthersSigner => {
  const s = signers[i];
  if (s === undefined) throw new Error(`no signer ${i}`);
  return s;
};
const [h1, h2, h3, h4, regulator] = [at(1), at(2), at(3), at(4), at(5)];
const fresh = (): string => Wallet.createRandom().address;
const validator = (n: number): string => getAddress(`0x${n.toString(16).padStart(40, "a")}`);

interface Flow {
  propose: bigint;
  vote: bigint;
  execute: bigint;
  total: bigint;
}

function median(values: bigint[]): bigint {
  const sorted = [...values].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const mid = sorted[Math.floor(sorted.length / 2)];
  if (mid === undefined) throw new Error("no samples");
  return mid;
}

const hospital = (accounts: string[], v: string, recorders: string[] = []) => ({
  role: 1n,
  metadata: ethers.id("hospital"),
  accounts,
  recorders,
  validator: v,
});

async function gasOf(c: Contract, as: HardhatEthersSigner, name: string, ...args: unknown[]) {
  const receipt = await (await c.connect(as).getFunction(name)(...args)).wait();
  if (receipt === null) throw new Error("no receipt");
  return receipt;
}

/** Proposal by h1, votes by h2 and h3 (3 of 4 hospitals), execution after the delay. */
async function flow(c: Contract, name: string, args: unknown[]): Promise<Flow> {
  const proposed = await gasOf(c, h1, name, ...args);
  const id = (await c.getFunction("proposalCount")()) as bigint;
  const votes = [await gasOf(c, h2, "vote", id), await gasOf(c, h3, "vote", id)];
  await ethers.provider.send("hardhat_mine", [ethers.toQuantity(DELAY)]);
  const executed = await gasOf(c, h4, "execute", id);
  const voteGas = votes.reduce((sum, r) => sum + r.gasUsed, 0n);
  return {
    propose: proposed.gasUsed,
    vote: votes[0]?.gasUsed ?? 0n,
    execute: executed.gasUsed,
    total: proposed.gasUsed + voteGas + executed.gasUsed,
  };
}

const samples = {
  deploy: [] as bigint[],
  addAccount: [] as bigint[],
  addHospital: [] as Flow[],
  setValidator: [] as Flow[],
};
for (let i = 0; i < REPEAT; i++) {
  const c = await ethers.deployContract("Consortium", [
    [
      hospital([h1.address], validator(1)),
      hospital([h2.address], validator(2)),
      hospital([h3.address], validator(3)),
      hospital([h4.address], validator(4)),
      { ...hospital([regulator.address], ethers.ZeroAddress), role: 2n },
    ],
    DELAY,
    100n,
  ]);
  samples.deploy.push((await c.deploymentTransaction()?.wait())?.gasUsed ?? 0n);
  samples.addAccount.push((await gasOf(c, regulator, "addAccount", fresh())).gasUsed);
  const recorder = fresh();
  samples.addHospital.push(
    await flow(c, "proposeAddOrganisation", [
      hospital([fresh(), recorder], validator(10 + i), [recorder]),
    ]),
  );
  samples.setValidator.push(await flow(c, "proposeSetValidator", [4, validator(100 + i)]));
}

const summary = (flows: Flow[]) =>
  Object.fromEntries(
    (["propose", "vote", "execute", "total"] as const).map((k) => [
      k,
      Number(median(flows.map((f) => f[k]))),
    ]),
  );
const results = {
  unit: "gasUsed per transaction, median of 5 fresh deployments (4 hospitals + 1 regulator)",
  addHospital:
    "AddOrganisation of a hospital with 2 accounts (1 recorder) and a validator; propose (with the proposer's vote) + 2 votes + execute",
  deploy: Number(median(samples.deploy)),
  addAccount: Number(median(samples.addAccount)),
  addOrganisation: summary(samples.addHospital),
  setValidator: summary(samples.setValidator),
};
console.log(JSON.stringify(results, null, 2));
mkdirSync("bench/results", { recursive: true });
writeFileSync("bench/results/consortiumGas.json", `${JSON.stringify(results, null, 2)}\n`);
