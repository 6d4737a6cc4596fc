/**
 * `npm run bench:gas`: gas of the operations that dominate Custos' on-chain cost, on the real
 * contract stack (Consortium with 6 hospitals — the first deployment's size — ConsentRegistry,
 * AccessLedger) deployed from the SDK bindings on Hardhat's in-process network. Each hospital
 * has one admin account and one consent recorder (disjoint since issue 10): recorders send the
 * consent and result transactions, the admin account sets ε limits. Consents are written under
 * hospital 1 as custodian. Gas is deterministic for a given state, so each figure is one
 * transaction's gasUsed; batch figures are total gas / batch size (the 21,000 transaction base
 * cost included). Writes bench/results/gas.json.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import type { Signer } from "ethers";
import { Wallet } from "ethers";
import hre from "hardhat";
import { deployContracts, Role } from "../scripts/deployContracts.ts";
import { canonicalHash } from "../src/canonical/index.ts";
import { dataCategories, purposeCodes } from "../src/consent/index.ts";
import { ledgerContracts } from "../src/ledger/index.ts";
import { bindLedgerContract } from "../src/ledger/ledgerHandle.ts";
import { sendLedgerTransaction } from "../src/ledger/ledgerTransaction.ts";

const HOSPITALS = 6;
const { ethers } = await hre.network.connect();
const signers = await ethers.getSigners();
const deployer = signers[0];
const admins = signers.slice(1, 1 + HOSPITALS);
const recorders = signers.slice(1 + HOSPITALS, 1 + 2 * HOSPITALS);
const researcher = signers[1 + 2 * HOSPITALS];
const board = signers[2 + 2 * HOSPITALS];
if (
  deployer === undefined ||
  researcher === undefined ||
  board === undefined ||
  recorders.length < HOSPITALS
) {
  throw new Error(`need ${3 + 2 * HOSPITALS} dev accounts`);
}
const organisations = [
  ...admins.map((a, i) => ({
    role: Role.Hospital,
    metadata: canonicalHash({ hospital: i }),
    accounts: [a.address],
    recorders: [recorders[i]?.address ?? ethers.ZeroAddress],
    validator: Wallet.createRandom().address,
  })),
  {
    role: Role.Researcher,
    metadata: canonicalHash({ r: 1 }),
    accounts: [researcher.address],
    recorders: [],
    validator: ethers.ZeroAddress,
  },
  {
    role: Role.ReviewBoard,
    metadata: canonicalHash({ b: 1 }),
    accounts: [board.address],
    recorders: [],
    validator: ethers.ZeroAddress,
  },
] as const;
const RESEARCHER_ORG = HOSPITALS + 1;
const { registry, ledger } = await deployContracts(deployer, {
  organisations,
  executionDelay: 1,
  votingPeriod: 1_000,
  requiredApprovals: 1,
});

const registryAddress = await registry.getAddress();
const ledgerAddress = await ledger.getAddress();
/** Registry and ledger functions sent as `signer`, typed from the generated ABIs. */
const registryAs = (signer: Signer) =>
  bindLedgerContract(ledgerContracts.ConsentRegistry, { address: registryAddress, runner: signer });
const ledgerAs = (signer: Signer) =>
  bindLedgerContract(ledgerContracts.AccessLedger, { address: ledgerAddress, runner: signer });
const { grant, update, revoke, batchGrant, batchRevoke } =
  ledgerContracts.ConsentRegistry.functions;
const { submitQuery, approveQuery, setBudgetLimit, recordResult, declineQuery } =
  ledgerContracts.AccessLedger.functions;

async function gasOf(sent: Promise<{ readonly gasUsed: bigint }>): Promise<number> {
  return Number((await sent).gasUsed);
}

/** Hospital 1: the custodian of the benchmark's consents and the first query target. */
const CUSTODIAN = 1;
const recorder = recorders[0] as Signer;
const admin = admins[0] as Signer;
const now = (await ethers.provider.getBlock("latest"))?.timestamp ?? 0;
const terms = {
  purposes: purposeCodes.HMB.bit | purposeCodes.NCU.bit,
  categories:
    dataCategories.DEMOGRAPHICS.bit | dataCategories.CONDITIONS.bit | dataCategories.DRUGS.bit,
  validFrom: now,
  validUntil: now + 10 * 365 * 86_400,
};
const subject = (label: string) => canonicalHash({ subject: label });
const doc = (label: string) => canonicalHash({ doc: label });

const figures: Record<string, number> = {};
const asRecorder = registryAs(recorder);
figures.grant = await gasOf(
  sendLedgerTransaction(asRecorder, grant, [CUSTODIAN, subject("s"), terms, doc("g")]),
);
figures.update = await gasOf(
  sendLedgerTransaction(asRecorder, update, [
    CUSTODIAN,
    subject("s"),
    { ...terms, categories: 1 },
    doc("u"),
  ]),
);
figures.revoke = await gasOf(
  sendLedgerTransaction(asRecorder, revoke, [CUSTODIAN, subject("s"), doc("r")]),
);
for (const size of [100, 500]) {
  const batch = Array.from({ length: size }, (_, i) => subject(`${size}:${i}`));
  const granted = await gasOf(
    sendLedgerTransaction(asRecorder, batchGrant, [CUSTODIAN, batch, terms, batch.map(doc)]),
  );
  figures[`batchGrantPerConsent@${size}`] = Math.round(granted / size);
  const revoked = await gasOf(
    sendLedgerTransaction(asRecorder, batchRevoke, [CUSTODIAN, batch, batch.map(doc)]),
  );
  figures[`batchRevokePerConsent@${size}`] = Math.round(revoked / size);
}
figures.batchGrantPerConsent = figures["batchGrantPerConsent@500"] as number;

const expiry = now + 30 * 86_400;
const use = purposeCodes.HMB.bit | purposeCodes.NCU.bit;
const all = Array.from({ length: HOSPITALS }, (_, i) => i + 1);
const asResearcher = ledgerAs(researcher);
figures.submitQuery = await gasOf(
  sendLedgerTransaction(asResearcher, submitQuery, [
    doc("spec1"),
    use,
    terms.categories,
    [CUSTODIAN],
    doc("irb"),
    expiry,
  ]),
);
figures["submitQuery@6hospitals"] = await gasOf(
  sendLedgerTransaction(asResearcher, submitQuery, [
    doc("spec6"),
    use,
    terms.categories,
    all,
    doc("irb"),
    expiry,
  ]),
);
figures.approveQuery = await gasOf(sendLedgerTransaction(ledgerAs(board), approveQuery, [2n]));
figures.setBudgetLimit = await gasOf(
  sendLedgerTransaction(ledgerAs(admin), setBudgetLimit, [CUSTODIAN, RESEARCHER_ORG, 10_000_000n]),
);
// A final block at or after the query's submission (results need submitted <= consent < now).
const block = BigInt(await ethers.provider.getBlockNumber());
const result = (label: string, epsilon: bigint) => ({
  resultHash: doc(`result:${label}`),
  consentBlock: block,
  consentRoot: doc(`root:${label}`),
  subjectCount: 1_230,
  disclosureReportHash: doc(`report:${label}`),
  epsilon,
});
figures.recordResult = await gasOf(
  sendLedgerTransaction(ledgerAs(recorder), recordResult, [2n, CUSTODIAN, result("a", 500_000n)]),
);
figures["recordResult@epsilon0"] = await gasOf(
  sendLedgerTransaction(ledgerAs(recorders[1] as Signer), recordResult, [2n, 2, result("b", 0n)]),
);
figures.declineQuery = await gasOf(
  sendLedgerTransaction(ledgerAs(recorders[2] as Signer), declineQuery, [2n, 3, 1]),
);

const out = {
  unit: "gas",
  network: "Hardhat EDR in-process (default hardfork), solc 0.8.37 optimizer 200 runs, evm cancun",
  consortium: `${HOSPITALS} hospitals (1 admin account + 1 recorder each), 1 researcher organisation, 1 review board`,
  goal: { batchGrantPerConsent: "<= 30000" },
  ...figures,
};
mkdirSync(new URL("./results/", import.meta.url), { recursive: true });
writeFileSync(new URL("./results/gas.json", import.meta.url), `${JSON.stringify(out, null, 2)}\n`);
for (const [name, gas] of Object.entries(figures))
  console.log(`${name.padEnd(28)} ${gas.toLocaleString("en")}`);
console.log("wrote bench/results/gas.json");
if (figures.batchGrantPerConsent > 30_000) {
  console.error(`batchGrantPerConsent ${figures.batchGrantPerConsent} misses the goal (<= 30000)`);
  process.exitCode = 1;
}
