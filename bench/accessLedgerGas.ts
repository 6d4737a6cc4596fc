// Gas used by AccessLedger's state-changing calls on Hardhat's simulated network (cancun,
// solc optimizer 200 runs), against MockConsortium. Gas is deterministic, so each figure is the
// median of a few repetitions only to show it does not drift with storage warm-up.
import { mkdirSync, writeFileSync } from "node:fs";
import type { BaseContract, ContractTransactionReceipt, Signer } from "ethers";
import { id } from "ethers";
import hre from "hardhat";

const REPEAT = 5;
const Role = { Hospital: 1, Researcher: 3, ReviewBoard: 4 } as const;
const RESEARCHER_ORG = 21;
const HOSPITALS = Array.from({ length: 64 }, (_, i) => 100 + i);
const FIRST = 100;

const { ethers } = await hre.network.connect();
const [owner, researcher, boardA, boardB, recorder] = await ethers.getSigners();
if (!owner || !researcher || !boardA || !boardB || !recorder) throw new Error("too few signers");
const consortium = await ethers.deployContract("MockConsortium");
const ledger = await ethers.deployContract("AccessLedger", [await consortium.getAddress(), 2]);

async function send(contract: BaseContract, signer: Signer, name: string, ...args: unknown[]) {
  const tx = await contract.connect(signer).getFunction(name)(...args);
  const receipt = (await tx.wait()) as ContractTransactionReceipt | null;
  if (receipt === null) throw new Error(`${name}: no receipt`);
  return receipt;
}

await send(
  consortium,
  owner,
  "setMember",
  await researcher.getAddress(),
  RESEARCHER_ORG,
  Role.Researcher,
);
await send(consortium, owner, "setMember", await boardA.getAddress(), 31, Role.ReviewBoard);
await send(consortium, owner, "setMember", await boardB.getAddress(), 32, Role.ReviewBoard);
for (const h of HOSPITALS) await send(consortium, owner, "setRole", h, Role.Hospital);
await send(consortium, owner, "setMember", await recorder.getAddress(), FIRST, Role.Hospital);
await send(consortium, owner, "setRecorder", FIRST, await recorder.getAddress(), true);

async function submit(targets: number[]): Promise<ContractTransactionReceipt> {
  const block = await ethers.provider.getBlock("latest");
  const expiry = (block?.timestamp ?? 0) + 86_400;
  return send(
    ledger,
    researcher as Signer,
    "submitQuery",
    id("spec"),
    4,
    9,
    targets,
    id("irb"),
    expiry,
  );
}

async function queryIdOf(receipt: ContractTransactionReceipt): Promise<bigint> {
  for (const log of receipt.logs) {
    const parsed = ledger.interface.parseLog(log);
    if (parsed?.name === "QuerySubmitted") return parsed.args[0] as bigint;
  }
  throw new Error("no QuerySubmitted");
}

async function result(epsilon: bigint) {
  return {
    resultHash: id("result"),
    consentBlock: BigInt(await ethers.provider.getBlockNumber()),
    consentRoot: id("root"),
    subjectCount: 120,
    disclosureReportHash: id("report"),
    epsilon,
  };
}

const samples = new Map<string, bigint[]>();
function note(name: string, receipt: ContractTransactionReceipt): void {
  samples.set(name, [...(samples.get(name) ?? []), receipt.gasUsed]);
}

await send(ledger, recorder, "setBudgetLimit", FIRST, RESEARCHER_ORG, 1_000_000_000n);
for (let i = 0; i < REPEAT; i++) {
  note("submitQuery (1 hospital)", await submit([FIRST]));
  note("submitQuery (6 hospitals)", await submit(HOSPITALS.slice(0, 6)));
  note("submitQuery (64 hospitals)", await submit(HOSPITALS));
  const a = await queryIdOf(await submit(HOSPITALS.slice(0, 6)));
  note("approveQuery (first)", await send(ledger, boardA, "approveQuery", a));
  note("approveQuery (reaching threshold)", await send(ledger, boardB, "approveQuery", a));
  note(
    "recordResult (ε charged)",
    await send(ledger, recorder, "recordResult", a, FIRST, await result(100_000n)),
  );
  const b = await queryIdOf(await submit(HOSPITALS.slice(0, 6)));
  await send(ledger, boardA, "approveQuery", b);
  await send(ledger, boardB, "approveQuery", b);
  note(
    "recordResult (ε 0)",
    await send(ledger, recorder, "recordResult", b, FIRST, await result(0n)),
  );
  const c = await queryIdOf(await submit(HOSPITALS.slice(58).concat(FIRST)));
  await send(ledger, boardA, "approveQuery", c);
  await send(ledger, boardB, "approveQuery", c);
  note(
    "recordResult (7th of 7 targets, ε 0)",
    await send(ledger, recorder, "recordResult", c, FIRST, await result(0n)),
  );
  const d = await queryIdOf(await submit([FIRST]));
  await send(ledger, boardA, "approveQuery", d);
  await send(ledger, boardB, "approveQuery", d);
  note("declineQuery", await send(ledger, recorder, "declineQuery", d, FIRST, 3));
  note("closeQuery", await send(ledger, researcher, "closeQuery", d));
  note(
    "setBudgetLimit (update)",
    await send(
      ledger,
      recorder,
      "setBudgetLimit",
      FIRST,
      RESEARCHER_ORG,
      2_000_000_000n + BigInt(i),
    ),
  );
}

function median(values: bigint[]): number {
  const sorted = [...values].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
  return Number(sorted[Math.floor(sorted.length / 2)] ?? 0n);
}

const medians = Object.fromEntries([...samples].map(([name, gas]) => [name, median(gas)]));
for (const [name, gas] of Object.entries(medians)) {
  console.log(`${name.padEnd(40)} ${String(gas).padStart(8)} gas`);
}
mkdirSync("bench/results", { recursive: true });
writeFileSync(
  "bench/results/accessLedgerGas.json",
  `${JSON.stringify({ unit: "gas", repeat: REPEAT, medians }, null, 2)}\n`,
);
