/**
 * Gas of ConsentRegistry's writes on Hardhat's in-process network: grant, update, revoke
 * (direct and by signature) and batchGrant/batchRevoke per consent at batch sizes 1, 100, 500.
 * Gas is deterministic, so each figure is one transaction's `gasUsed` (the median of one).
 * Writes bench/results/consentGas.json.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { keccak256, toUtf8Bytes } from "ethers";
import hre from "hardhat";

const HOSPITAL = 1;
const RECORDER_ORG = 1;
const terms = { purposes: 0b110, categories: 0b1111, validFrom: 1_700_000_000, validUntil: 0 };
const doc = (label: string): string => keccak256(toUtf8Bytes(`doc:${label}`));
const subjectKey = (label: string): string => keccak256(toUtf8Bytes(`subject:${label}`));

const { ethers, networkConfig } = await hre.network.connect();
const [recorder, patient, relayer] = await ethers.getSigners();
if (recorder === undefined || patient === undefined || relayer === undefined) {
  throw new Error("need three signers");
}
const consortium = await ethers.deployContract("MockConsortium");
await (await consortium.getFunction("setMember")(recorder.address, RECORDER_ORG, HOSPITAL)).wait();
await (await consortium.getFunction("setRecorder")(RECORDER_ORG, recorder.address, true)).wait();
const registry = await ethers.deployContract("ConsentRegistry", [await consortium.getAddress()]);
const address = await registry.getAddress();
const { chainId } = await ethers.provider.getNetwork();
const domain = {
  name: "Custos ConsentRegistry",
  version: "1",
  chainId,
  verifyingContract: address,
};

async function gasOf(
  tx: Promise<{ wait(): Promise<{ gasUsed: bigint } | null> }>,
): Promise<number> {
  const receipt = await (await tx).wait();
  if (receipt === null) throw new Error("no receipt");
  return Number(receipt.gasUsed);
}

const figures: Record<string, number> = {};
const s = subjectKey("single");
figures.grant = await gasOf(registry.getFunction("grant")(s, terms, doc("g1")));
figures.update = await gasOf(
  registry.getFunction("update")(s, { ...terms, purposes: 0b10 }, doc("u1")),
);
figures.revoke = await gasOf(registry.getFunction("revoke")(s, doc("r1")));
figures.regrantAfterRevoke = await gasOf(registry.getFunction("grant")(s, terms, doc("g2")));
figures.setPatientKey = await gasOf(registry.getFunction("setPatientKey")(s, patient.address));
figures.setDelegate = await gasOf(registry.getFunction("setDelegate")(s, relayer.address, true));
const deadline = 2n ** 40n;
const revokeSig = await patient.signTypedData(
  domain,
  {
    Revoke: [
      { name: "subject", type: "bytes32" },
      { name: "documentHash", type: "bytes32" },
      { name: "nonce", type: "uint256" },
      { name: "deadline", type: "uint256" },
    ],
  },
  { subject: s, documentHash: doc("r2"), nonce: 0n, deadline },
);
figures.revokeBySig = await gasOf(
  registry.connect(relayer).getFunction("revokeBySig")(s, doc("r2"), 0n, deadline, revokeSig),
);

const batchTotals: Record<number, number> = {};
for (const size of [1, 100, 500]) {
  const subjects = Array.from({ length: size }, (_, i) => subjectKey(`batch${size}:${i}`));
  const docs = subjects.map((x) => doc(x));
  const granted = await gasOf(registry.getFunction("batchGrant")(subjects, terms, docs));
  batchTotals[size] = granted;
  figures[`batchGrantPerConsent@${size}`] = Math.round(granted / size);
  const revoked = await gasOf(registry.getFunction("batchRevoke")(subjects, docs));
  figures[`batchRevokePerConsent@${size}`] = Math.round(revoked / size);
}

figures.batchGrantMarginal = Math.round(((batchTotals[500] ?? 0) - (batchTotals[100] ?? 0)) / 400);
const hardfork = (networkConfig as { hardfork?: string }).hardfork ?? "default";

for (const [name, gas] of Object.entries(figures)) console.log(`${name.padEnd(28)} ${gas}`);
mkdirSync("bench/results", { recursive: true });
writeFileSync(
  "bench/results/consentGas.json",
  `${JSON.stringify({ unit: "gas", hardfork, compiledFor: "cancun", figures }, null, 2)}\n`,
);
