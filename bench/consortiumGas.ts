/**
 * Gas of Consortium's governance and self-management paths on Hardhat's in-process EVM.
 *
 * Flows: each repetition deploys a fresh network of 4 hospitals + 1 regulator, so every flow
 * runs on the same state; figures are medians over the repetitions (they differ only by address
 * ordering). Every hospital has one admin account (which proposes and votes) and one consent
 * recorder (which can do neither; disjoint from the admin accounts since issue 10).
 *
 * Validator-set changes: each change copies the whole validator set into a new checkpoint, so
 * its cost grows with the number of hospitals. For 4, 16, 31 and 63 active hospitals (63 + 1 is
 * MAX_HOSPITALS) a fresh network executes one SetValidator, one AddOrganisation of a hospital
 * and one RemoveOrganisation of a hospital, each with the smallest passing majority of votes
 * (execution recounts them). Addresses are fixed, so these figures are exact. These networks'
 * hospitals have one admin account and nothing else: with a recorder and a metadata hash each,
 * a 63-hospital constructor needs ~22.5 M gas, above the 2^24 per-transaction cap (EIP-7825) of
 * the network's default hardfork, and neither changes what a set change costs. That bootstrap
 * cost is measured on its own, on a Prague connection (no cap): node genesis runs the
 * constructor outside any transaction.
 *
 * Writes bench/results/consortiumGas.json.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { type Contract, getAddress, Wallet } from "ethers";
import hre from "hardhat";
import type { consortiumAbi } from "../src/contracts/index.ts";
import { ledgerContracts } from "../src/ledger/index.ts";
import { type BoundLedgerContract, bindLedgerContract } from "../src/ledger/ledgerHandle.ts";
import { callLedgerView, sendLedgerTransaction } from "../src/ledger/ledgerTransaction.ts";

const REPEAT = 5;
const DELAY = 2n;
const PERIOD = 1_000n;
const SET_SIZES = [4, 16, 31, 63] as const;
const { ethers } = await hre.network.connect();
const signers = await ethers.getSigners();
const at = (i: number): HardhatEthersSigner => {
  const s = signers[i];
  if (s === undefined) throw new Error(`no signer ${i}`);
  return s;
};
const [h1, h2, h3, h4, regulator] = [at(1), at(2), at(3), at(4), at(5)];
/** The hospitals' consent recorders (not admin accounts). */
const [r1, r2, r3, r4] = [at(6), at(7), at(8), at(9)];
const fresh = (): string => Wallet.createRandom().address;
const validator = (n: number): string => getAddress(`0x${n.toString(16).padStart(40, "a")}`);
/** Fixed address number `i` of a family (`prefix` is one hex byte). */
const seat = (prefix: string, i: number): string =>
  getAddress(`0x${prefix.repeat(18)}${i.toString(16).padStart(4, "0")}`);

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

const hospital = (accounts: string[], v: string, recorderList: string[] = []) => ({
  role: 1n,
  metadata: ethers.id("hospital"),
  accounts,
  recorders: recorderList,
  validator: v,
});

const { addAccount, addRecorder, execute, proposalCount, proposeAddOrganisation } =
  ledgerContracts.Consortium.functions;
const { proposeRemoveOrganisation, proposeSetValidator, vote } =
  ledgerContracts.Consortium.functions;

/** Consortium bound to a signer, its functions typed from the generated ABI. */
type Consortium = BoundLedgerContract<typeof consortiumAbi>;
/** One typed transaction on a bound Consortium. */
type Send = (consortium: Consortium) => Promise<{ readonly gasUsed: bigint }>;

/** Gas of the transaction `send` makes on `c` as `as`. */
async function gasOf(c: Contract, as: HardhatEthersSigner, send: Send): Promise<bigint> {
  const address = await c.getAddress();
  return (await send(bindLedgerContract(ledgerContracts.Consortium, { address, runner: as })))
    .gasUsed;
}

async function latestProposal(c: Contract): Promise<bigint> {
  const address = await c.getAddress();
  const reader = bindLedgerContract(ledgerContracts.Consortium, { address, runner: h1 });
  return callLedgerView(reader, proposalCount, []);
}

const voteFor =
  (id: bigint): Send =>
  (on) =>
    sendLedgerTransaction(on, vote, [id]);
const executeOf =
  (id: bigint): Send =>
  (on) =>
    sendLedgerTransaction(on, execute, [id]);

/** Proposal by h1, votes by h2 and h3 (3 of 4 hospitals), execution after the delay. */
async function flow(c: Contract, propose: Send): Promise<Flow> {
  const proposed = await gasOf(c, h1, propose);
  const id = await latestProposal(c);
  const votes = [await gasOf(c, h2, voteFor(id)), await gasOf(c, h3, voteFor(id))];
  await ethers.provider.send("hardhat_mine", [ethers.toQuantity(DELAY)]);
  const executed = await gasOf(c, h4, executeOf(id));
  const voteGas = votes.reduce((sum, gas) => sum + gas, 0n);
  return {
    propose: proposed,
    vote: votes[0] ?? 0n,
    execute: executed,
    total: proposed + voteGas + executed,
  };
}

const samples = {
  deploy: [] as bigint[],
  addAccount: [] as bigint[],
  addRecorder: [] as bigint[],
  addHospital: [] as Flow[],
  setValidator: [] as Flow[],
};
for (let i = 0; i < REPEAT; i++) {
  const c = await ethers.deployContract("Consortium", [
    [
      hospital([h1.address], validator(1), [r1.address]),
      hospital([h2.address], validator(2), [r2.address]),
      hospital([h3.address], validator(3), [r3.address]),
      hospital([h4.address], validator(4), [r4.address]),
      { ...hospital([regulator.address], ethers.ZeroAddress), role: 2n },
    ],
    DELAY,
    100n,
  ]);
  samples.deploy.push((await c.deploymentTransaction()?.wait())?.gasUsed ?? 0n);
  samples.addAccount.push(
    await gasOf(c, regulator, (on) => sendLedgerTransaction(on, addAccount, [fresh()])),
  );
  samples.addRecorder.push(
    await gasOf(c, h1, (on) => sendLedgerTransaction(on, addRecorder, [fresh()])),
  );
  const newHospital = hospital([fresh()], validator(10 + i), [fresh()]);
  samples.addHospital.push(
    await flow(c, (on) => sendLedgerTransaction(on, proposeAddOrganisation, [newHospital])),
  );
  const newValidator = validator(100 + i);
  samples.setValidator.push(
    await flow(c, (on) => sendLedgerTransaction(on, proposeSetValidator, [4, newValidator])),
  );
}

// ------------------------------------------------------------ validator-set change vs size

/** A funded signer for a generated admin address. */
async function impersonate(address: string): Promise<HardhatEthersSigner> {
  await ethers.provider.send("hardhat_impersonateAccount", [address]);
  await ethers.provider.send("hardhat_setBalance", [address, "0xde0b6b3a7640000"]);
  return ethers.getSigner(address);
}

/** A fresh network of `n` lean hospitals (admin `seat("ad", i)`, validator), ids 1..n. */
async function network(n: number): Promise<Contract> {
  const inits = Array.from({ length: n }, (_, i) => ({
    ...hospital([seat("ad", i)], seat("7a", i)),
    metadata: ethers.ZeroHash,
  }));
  return ethers.deployContract("Consortium", [inits, DELAY, PERIOD]);
}

const uncapped = await hre.network.connect({ override: { hardfork: "prague" } });
/** Constructor gas of `n` hospitals with 1 admin account, 1 recorder and a metadata hash each. */
async function bootstrapGas(n: number): Promise<bigint> {
  const inits = Array.from({ length: n }, (_, i) =>
    hospital([seat("ad", i)], seat("7a", i), [seat("ec", i)]),
  );
  const c = await uncapped.ethers.deployContract("Consortium", [inits, DELAY, PERIOD]);
  return (await c.deploymentTransaction()?.wait())?.gasUsed ?? 0n;
}

/** Proposes as hospital 1, adds the fewest votes that pass, mines the delay, executes. */
async function executeWithMajority(c: Contract, n: number, propose: Send): Promise<bigint> {
  const admins: HardhatEthersSigner[] = [];
  const needed = Math.floor(n / 2) + 1;
  for (let i = 0; i < needed; i++) admins.push(await impersonate(seat("ad", i)));
  const [proposer, ...voters] = admins;
  if (proposer === undefined) throw new Error("no proposer");
  await gasOf(c, proposer, propose);
  const id = await latestProposal(c);
  for (const voter of voters) await gasOf(c, voter, voteFor(id));
  await ethers.provider.send("hardhat_mine", [ethers.toQuantity(DELAY)]);
  return gasOf(c, proposer, executeOf(id));
}

const bySize: Record<string, Record<string, number>> = {};
for (const n of SET_SIZES) {
  const setValidator = await executeWithMajority(await network(n), n, (on) =>
    sendLedgerTransaction(on, proposeSetValidator, [n, seat("5e", n)]),
  );
  const added = hospital([seat("a0", n)], seat("5a", n), [seat("e0", n)]);
  const addHospital = await executeWithMajority(await network(n), n, (on) =>
    sendLedgerTransaction(on, proposeAddOrganisation, [added]),
  );
  const removeHospital = await executeWithMajority(await network(n), n, (on) =>
    sendLedgerTransaction(on, proposeRemoveOrganisation, [n]),
  );
  bySize[String(n)] = {
    votes: Math.floor(n / 2) + 1,
    bootstrapDeployUncapped: Number(await bootstrapGas(n)),
    setValidatorExecute: Number(setValidator),
    addHospitalExecute: Number(addHospital),
    removeHospitalExecute: Number(removeHospital),
  };
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
  network:
    "Hardhat EDR in-process (default hardfork: per-transaction gas cap 16,777,216, EIP-7825), solc 0.8.37 optimizer 200 runs",
  addHospital:
    "AddOrganisation of a hospital with 1 admin account, 1 recorder and a validator; propose (with the proposer's vote) + 2 votes + execute",
  deploy: Number(median(samples.deploy)),
  addAccount: Number(median(samples.addAccount)),
  addRecorder: Number(median(samples.addRecorder)),
  addOrganisation: summary(samples.addHospital),
  setValidator: summary(samples.setValidator),
  validatorSetChange: {
    note: "gasUsed of executing one validator-set change with N active hospitals, counting the smallest passing majority of votes (`votes`); addHospital (1 admin account, 1 recorder) takes the set to N + 1 (64 = MAX_HOSPITALS), removeHospital to N - 1. bootstrapDeployUncapped: the constructor with N hospitals of 1 admin account, 1 recorder and a metadata hash each, on Prague (no per-transaction cap; above 16,777,216 it cannot be one transaction on the default hardfork, node genesis runs it outside a transaction).",
    byHospitals: bySize,
  },
};
console.log(JSON.stringify(results, null, 2));
mkdirSync("bench/results", { recursive: true });
writeFileSync("bench/results/consortiumGas.json", `${JSON.stringify(results, null, 2)}\n`);
