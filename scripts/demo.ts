/**
 * `npm start`: the Custos flow end to end on a real hospital node, printing every event.
 *
 * Starts `custos node --dev` as a child process (a two-hospital dev chain with Consortium,
 * ConsentRegistry and AccessLedger at genesis, a researcher organisation, a review board and
 * a regulator; each hospital has an admin account and a separate consent recorder) and drives
 * it over JSON-RPC with ethers, as any client would: a hospital's recorder records consents in
 * that hospital's records (single, bulk, and a patient-signed EIP-712 update bound to the
 * record's nonce); a researcher submits a query that the review board approves; the hospital's
 * admin sets the researcher's ε budget; one hospital's recorder records its result hash with
 * the consent snapshot of the approval block (at or after the submission, before the block
 * that records it), the other declines; a patient revokes by signature and the revocation wins
 * at once: a signature she made before it is refused as stale; governance (the hospitals'
 * admins) adds a third hospital, whose validator joins the set two blocks after execution.
 * Stops the node and exits non-zero on any failure.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Contract, type Interface, id, JsonRpcProvider, type Log, Wallet } from "ethers";
import { canonicalHash } from "../src/canonical/index.ts";
import { dataCategories, permitsUse, purposeCodes } from "../src/consent/index.ts";
import { accessLedgerAbi, consentRegistryAbi, consortiumAbi } from "../src/contracts/index.ts";
import {
  buildConsentTypedData,
  type ConsentTypedDataKind,
  type ConsentTypedDataMessages,
  consentTypedDataDomain,
  signConsentTypedData,
} from "../src/ledger/index.ts";
import { createMasterKey, createPseudonymiser, deriveProjectKey } from "../src/pseudonym/index.ts";
import { Role } from "./deployContracts.ts";
import { spawnDevNode } from "./spawnDevNode.ts";

const P = purposeCodes;
const C = dataCategories;

const dataDir = await mkdtemp(join(tmpdir(), "custos-demo-"));
const node = await spawnDevNode({ dataDir, args: ["--dev-chain-hospitals", "2"] });
let failed = false;
try {
  await runDemo();
} catch (error) {
  failed = true;
  process.stderr.write(`demo failed: ${error instanceof Error ? error.stack : String(error)}\n`);
} finally {
  const code = await node.stop();
  await rm(dataDir, { recursive: true, force: true });
  if (code !== 0) failed = true;
}
process.exitCode = failed ? 1 : 0;

async function runDemo(): Promise<void> {
  const keys = await node.devKeys();
  const provider = new JsonRpcProvider(node.rpcUrl, undefined, {
    cacheTimeout: -1,
    pollingInterval: 100,
  });
  const signer = (key: string) => new Wallet(key, provider);
  const [hospitalKeysA, hospitalKeysB] = keys.hospitals;
  if (hospitalKeysA === undefined || hospitalKeysB === undefined) {
    throw new Error("the demo needs a dev chain with two hospitals");
  }
  // Each hospital: an admin account (governance, budgets) and a consent recorder (records).
  const adminA = signer(hospitalKeysA.account.privateKey);
  const recorderA = signer(hospitalKeysA.recorder.privateKey);
  const adminB = signer(hospitalKeysB.account.privateKey);
  const recorderB = signer(hospitalKeysB.recorder.privateKey);
  const researcherAcc = signer(keys.researcher.privateKey);
  const reviewBoardAcc = signer(keys.reviewBoard.privateKey);
  const regulatorAcc = signer(keys.regulator.privateKey);
  // Fixed demo keys, so every run prints the same addresses for them.
  const demoWallet = (label: string): Wallet => new Wallet(id(`custos demo ${label}`));
  const validator = (label: string): string => demoWallet(`validator ${label}`).address;
  const hospitalC = demoWallet("hospital C");
  const recorderC = demoWallet("hospital C recorder");

  function say(line: string): void {
    process.stdout.write(`${line}\n`);
  }

  const contracts: { name: string; iface: Interface; address: string }[] = [];

  function labels(word: bigint, table: Record<string, { bit: number }>): string {
    const names = Object.entries(table)
      .filter(([, code]) => (word & BigInt(code.bit)) !== 0n)
      .map(([name]) => name);
    return `${word} (${names.join("|") || "none"})`;
  }

  function formatValue(value: unknown, field = ""): string {
    if (typeof value === "bigint") {
      if (field === "purposes" || field === "use" || field === "purpose") return labels(value, P);
      if (field === "categories") return labels(value, C);
      return value.toString();
    }
    if (Array.isArray(value)) return `[${value.map((v) => formatValue(v)).join(", ")}]`;
    if (typeof value === "string" && value.length === 66) return `${value.slice(0, 10)}…`;
    if (typeof value === "string" && value.startsWith("0x") && value.length > 66) {
      return `${value.slice(0, 10)}…(${(value.length - 2) / 2} bytes)`;
    }
    return String(value);
  }

  function printEvents(logs: readonly Log[]): void {
    for (const log of logs) {
      const source = contracts.find((c) => c.address === log.address.toLowerCase());
      const parsed = source?.iface.parseLog({ topics: [...log.topics], data: log.data });
      if (source === undefined || parsed == null) continue;
      const fields = parsed.fragment.inputs
        .map((input, i) => `${input.name}=${formatValue(parsed.args[i], input.name)}`)
        .join(" ");
      say(`    block ${log.blockNumber}  ${source.name}.${parsed.name}  ${fields}`);
    }
  }

  async function step(
    title: string,
    tx: Promise<{ wait(): Promise<unknown> }>,
  ): Promise<{ blockNumber: number }> {
    say(`• ${title}`);
    const receipt = (await (await tx).wait()) as {
      logs: readonly Log[];
      blockNumber: number;
    } | null;
    if (receipt === null) throw new Error(`${title}: no receipt`);
    printEvents(receipt.logs);
    return receipt;
  }

  function as(contract: Contract, signer: unknown): Contract {
    return contract.connect(signer as never) as Contract;
  }

  say(`Custos demo — consent and data-access ledger on a hospital node (${node.rpcUrl})\n`);

  const consortium = new Contract(keys.contracts.consortium, consortiumAbi, provider);
  const registry = new Contract(keys.contracts.consentRegistry, consentRegistryAbi, provider);
  const ledger = new Contract(keys.contracts.accessLedger, accessLedgerAbi, provider);
  for (const [name, contract] of [
    ["Consortium", consortium],
    ["ConsentRegistry", registry],
    ["AccessLedger", ledger],
  ] as const) {
    const address = (await contract.getAddress()).toLowerCase();
    contracts.push({ name, iface: contract.interface, address });
    say(`• ${name} deployed at genesis at ${address}`);
  }
  const organisationOf = async (account: Wallet): Promise<number> =>
    Number(await consortium.getFunction("organisationOf")(account.address));
  const HOSPITAL_A = await organisationOf(adminA);
  const HOSPITAL_B = await organisationOf(adminB);
  const RESEARCHER_ORG = await organisationOf(researcherAcc);
  if ((await organisationOf(recorderA)) !== HOSPITAL_A) {
    throw new Error("Hospital A's recorder is not bound to Hospital A");
  }
  say(`• hospitals ${HOSPITAL_A} and ${HOSPITAL_B}, researcher organisation ${RESEARCHER_ORG}`);
  say(
    `  Hospital A: admin account ${adminA.address} (governs, sets budgets), consent recorder ${recorderA.address} (records, nothing else)`,
  );
  say(`  validators now: ${formatValue(await consortium.getFunction("validators")())}\n`);

  say(
    "Consents (records keyed by (custodian hospital, subject); subjects are HMAC-SHA-256 pseudonyms under Hospital A's key; nothing personal on chain)",
  );
  const masterKey = createMasterKey(new Uint8Array(32).fill(7));
  const pseudonymiser = createPseudonymiser({
    key: deriveProjectKey(masterKey, { projectId: "demo" }),
    kind: "mrn",
  });
  const subjects = ["MRN-0001", "MRN-0002", "MRN-0003", "MRN-0004", "MRN-0005"].map((id) =>
    pseudonymiser.pseudonymise(id),
  );
  const [alice, ...others] = subjects as [`0x${string}`, ...`0x${string}`[]];
  const now = (await provider.getBlock("latest"))?.timestamp ?? 0;
  const research = {
    purposes: P.HMB.bit | P.NCU.bit,
    categories: C.DEMOGRAPHICS.bit | C.CONDITIONS.bit | C.DRUGS.bit | C.MEASUREMENTS.bit,
    validFrom: now - 60,
    validUntil: now + 5 * 365 * 86_400,
  };
  const consentDoc = (subject: string, version: number) =>
    canonicalHash({ resourceType: "Consent", subject, version, scope: "research" });
  await step(
    "Hospital A's recorder records Alice's research consent (HMB, non-commercial use only)",
    as(registry, recorderA).getFunction("grant")(HOSPITAL_A, alice, research, consentDoc(alice, 1)),
  );
  await step(
    `Hospital A's recorder bulk-loads ${others.length} consents in one transaction`,
    as(registry, recorderA).getFunction("batchGrant")(
      HOSPITAL_A,
      others,
      research,
      others.map((s) => consentDoc(s, 1)),
    ),
  );
  const patient = demoWallet("patient Alice");
  await step(
    "Hospital A's recorder registers Alice's own key (she signs her own changes from now on)",
    as(registry, recorderA).getFunction("setPatientKey")(HOSPITAL_A, alice, patient.address),
  );

  const { chainId } = await provider.getNetwork();
  const domain = consentTypedDataDomain(chainId, await registry.getAddress());
  const deadline = BigInt(now + 3_600);
  const recordNonce = async (): Promise<number> =>
    Number(await registry.getFunction("nonceOf")(HOSPITAL_A, alice));
  /** Alice signs a change of her record; the signature commits to its nonce `nonce`. */
  const aliceSigns = async <K extends ConsentTypedDataKind>(
    kind: K,
    message: Omit<ConsentTypedDataMessages[K], "custodian" | "subject" | "deadline">,
  ) => {
    const typed = buildConsentTypedData(domain, kind, {
      ...message,
      custodian: HOSPITAL_A,
      subject: alice,
      deadline,
    } as ConsentTypedDataMessages[K]);
    return (await signConsentTypedData(patient, typed)).signature;
  };
  const narrower = { ...research, categories: C.DEMOGRAPHICS.bit | C.CONDITIONS.bit };
  const updateNonce = await recordNonce();
  const updateSig = await aliceSigns("Update", {
    ...narrower,
    documentHash: consentDoc(alice, 2),
    nonce: updateNonce,
  });
  await step(
    `Alice narrows her consent to demographics + conditions (EIP-712 signed for record nonce ${updateNonce}, relayed by the hospital's recorder)`,
    as(registry, recorderA).getFunction("updateBySig")(
      HOSPITAL_A,
      alice,
      narrower,
      consentDoc(alice, 2),
      updateNonce,
      deadline,
      updateSig,
    ),
  );

  say("\nA research query");
  const spec = {
    version: 1,
    cohort: { conditionConceptIds: [319835] },
    measures: [{ kind: "count" }, { kind: "histogram", field: "year_of_birth", binWidth: 10 }],
  };
  const use = P.HMB.bit | P.NCU.bit;
  const categories = C.DEMOGRAPHICS.bit | C.CONDITIONS.bit;
  const submitted = await step(
    "The researcher submits the query (spec hash = keccak-256 of its RFC 8785 form) to hospitals A and B",
    as(ledger, researcherAcc).getFunction("submitQuery")(
      canonicalHash(spec),
      use,
      categories,
      [HOSPITAL_A, HOSPITAL_B],
      canonicalHash({ approval: "REB-2026-117" }),
      now + 30 * 86_400,
    ),
  );
  const approved = await step(
    "The review board approves it",
    as(ledger, reviewBoardAcc).getFunction("approveQuery")(1n),
  );
  // The consent snapshot: the approval block. A result must use a final block at or after the
  // submission (a snapshot from before it could miss revocations), before the block recording it.
  const consentBlock = approved.blockNumber;
  if (consentBlock < submitted.blockNumber) throw new Error("approved before it was submitted");

  const at = BigInt(now);
  let consenting = 0;
  for (const s of subjects) {
    const permitted = await registry.getFunction("isPermitted")(
      HOSPITAL_A,
      s,
      use,
      categories,
      at,
      { blockTag: consentBlock },
    );
    if (permitted) consenting += 1;
  }
  say(
    `  Hospital A checks consent on chain at block ${consentBlock} (the approval block, its snapshot): ${consenting} of ${subjects.length} subjects may be used`,
  );
  if (!permitsUse(research.purposes, use))
    throw new Error("SDK and chain disagree on the purpose rule");
  await step(
    "Hospital A's admin account sets the researcher organisation's ε budget to 1.0",
    as(ledger, adminA).getFunction("setBudgetLimit")(HOSPITAL_A, RESEARCHER_ORG, 1_000_000n),
  );
  if ((await provider.getBlockNumber()) <= consentBlock) {
    throw new Error("the consent snapshot block is not final yet");
  }
  await step(
    `Hospital A's recorder records its result hash (consent snapshot of block ${consentBlock}, rounded count, disclosure report, ε 0.5)`,
    as(ledger, recorderA).getFunction("recordResult")(1n, HOSPITAL_A, {
      resultHash: canonicalHash({ count: 10, histogram: [0, 5, 5] }),
      consentBlock: BigInt(consentBlock),
      consentRoot: canonicalHash({ consenting: subjects.slice(0, consenting) }),
      subjectCount: 10,
      disclosureReportHash: canonicalHash({ minCell: 11, rounding: 5, epsilon: 0.5 }),
      epsilon: 500_000n,
    }),
  );
  await step(
    "Hospital B's recorder declines (reason 1: too few consenting subjects)",
    as(ledger, recorderB).getFunction("declineQuery")(1n, HOSPITAL_B, 1),
  );
  await step(
    "The researcher closes the query",
    as(ledger, researcherAcc).getFunction("closeQuery")(1n),
  );

  say("\nRevocation wins");
  const revokeNonce = await recordNonce();
  // A re-grant of her original broad terms that Alice signed too, held by a relayer.
  const heldGrantSig = await aliceSigns("Grant", {
    ...research,
    documentHash: consentDoc(alice, 4),
    nonce: revokeNonce,
  });
  const revokeSig = await aliceSigns("Revoke", {
    documentHash: consentDoc(alice, 3),
    nonce: revokeNonce,
  });
  await step(
    `Alice revokes her consent (signed for record nonce ${revokeNonce}; anyone may relay it — here the regulator's account)`,
    as(registry, regulatorAcc).getFunction("revokeBySig")(
      HOSPITAL_A,
      alice,
      consentDoc(alice, 3),
      revokeNonce,
      deadline,
      revokeSig,
    ),
  );
  const stillPermitted = await registry.getFunction("isPermitted")(
    HOSPITAL_A,
    alice,
    use,
    categories,
    at,
  );
  say(`  isPermitted(Alice) after revocation: ${stillPermitted}`);
  if (stillPermitted) throw new Error("a revoked consent still permits access");
  say(
    `• A relayer tries a re-grant Alice signed before revoking (for record nonce ${revokeNonce})`,
  );
  const refused = await as(registry, regulatorAcc)
    .getFunction("grantBySig")(
      HOSPITAL_A,
      alice,
      research,
      consentDoc(alice, 4),
      revokeNonce,
      deadline,
      heldGrantSig,
    )
    .then(
      () => undefined,
      (error: unknown) => registry.interface.parseError((error as { data?: string }).data ?? "0x"),
    );
  if (refused?.name !== "ConsentRegistryStaleSignature") {
    throw new Error("a signature from before the revocation was not refused as stale");
  }
  say(
    `    refused: ${refused.name}(current nonce ${refused.args[1]}, signed ${refused.args[2]}) — every change of a record makes the signatures before it stale`,
  );
  say(
    `  isPermitted(Alice) still: ${await registry.getFunction("isPermitted")(HOSPITAL_A, alice, use, categories, at)}`,
  );

  say("\nGovernance: the hospitals' admin accounts vote a third hospital in");
  const newHospital = {
    role: Role.Hospital,
    metadata: canonicalHash({ name: "Hospital C" }),
    accounts: [hospitalC.address],
    recorders: [recorderC.address],
    validator: validator("C"),
  };
  await step(
    "Hospital A's admin proposes adding Hospital C (admin account, recorder and validator)",
    as(consortium, adminA).getFunction("proposeAddOrganisation")(newHospital),
  );
  await step(
    "Hospital B's admin votes for it (2 of 2 hospitals: a strict majority)",
    as(consortium, adminB).getFunction("vote")(1n),
  );
  await step(
    "Anyone executes it after the delay",
    as(consortium, regulatorAcc).getFunction("execute")(1n),
  );
  const executedAt = await provider.getBlockNumber();
  const before = (await consortium.getFunction("validatorsAt")(executedAt + 1)) as string[];
  const after = (await consortium.getFunction("validatorsAt")(executedAt + 2)) as string[];
  say(
    `  validators at block ${executedAt + 1}: ${before.length}, from block ${executedAt + 2}: ${after.length}`,
  );
  if (after.length !== before.length + 1) throw new Error("the validator set did not grow at H+2");

  say("\nDemo complete: every step succeeded.");
  provider.destroy();
}
