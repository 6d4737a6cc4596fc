import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import { type Provider, type Signer, Wallet } from "ethers";
import { signResearcherRequest } from "../../src/federation/index.ts";
import { createConsentRegistryClient } from "../../src/ledger/index.ts";

/** What the demo's patient step needs. */
export interface DemoPatientContext {
  readonly provider: Provider;
  /** The custodian hospital's consent recorder (registers the patient's key). */
  readonly recorder: Signer;
  readonly consentRegistry: string;
  /** The custodian hospital's id and its generated OMOP directory. */
  readonly custodian: number;
  readonly hospitalDir: string;
  /** The custodian's own node (it serves the record's accounting of disclosures). */
  readonly nodeUrl: string;
  readonly regulatorKey: string;
  readonly queryId: string;
  /** Where the patient's key is written for the user's browser wallet. */
  readonly networkDir: string;
  readonly say: (line: string) => void;
}

/** The demo patient: their record and the file holding their key. */
export interface DemoPatient {
  readonly custodian: number;
  readonly subject: `0x${string}`;
  readonly keyFile: string;
}

async function subjectsIn(file: string): Promise<string[]> {
  const rows = parse(await readFile(file, "utf8"), { columns: true }) as { subject: string }[];
  return rows.map((row) => row.subject.toLowerCase());
}

/** A signed GET to the node's audit API as the regulator. */
async function auditGet(
  context: DemoPatientContext,
  path: string,
): Promise<Record<string, unknown>> {
  const headers = await signResearcherRequest(
    new Wallet(context.regulatorKey),
    { method: "GET", path },
    Date.now() / 1000,
  );
  const response = await fetch(`${context.nodeUrl}${path}`, { headers });
  const body = (await response.json()) as Record<string, unknown>;
  if (!response.ok) throw new Error(`${path}: ${response.status} ${JSON.stringify(body)}`);
  return body;
}

/**
 * A consenting patient of the custodian gets a key for the portal, and the demo checks, as
 * the regulator, that their accounting of disclosures lists the demo query with a Merkle
 * proof the node verified against the consent root on chain: what the portal shows them.
 */
export async function showDemoPatient(context: DemoPatientContext): Promise<DemoPatient> {
  const revoked = new Set(await subjectsIn(join(context.hospitalDir, "revocations.csv")));
  const subject = (await subjectsIn(join(context.hospitalDir, "consents.csv"))).find(
    (s) => !revoked.has(s),
  ) as `0x${string}` | undefined;
  if (subject === undefined) throw new Error("the demo hospital has no consenting patient");
  const patient = Wallet.createRandom();
  await createConsentRegistryClient({
    address: context.consentRegistry,
    runner: context.recorder,
    custodian: context.custodian,
  }).setPatientKey(subject, patient.address);
  const keyFile = join(context.networkDir, "patient.key");
  await writeFile(keyFile, `${patient.privateKey}\n`, { mode: 0o600 });
  const base = `/audit/v1/subjects/${context.custodian}/${subject}/disclosures`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    const page = (await auditGet(context, base)) as { items: { queryId: string }[] };
    if (page.items.some((item) => item.queryId === context.queryId)) break;
    if (Date.now() > deadline)
      throw new Error("the demo query is missing from a patient's accounting");
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  const proven = (await auditGet(context, `${base}/${context.queryId}/proof`)) as {
    verified: boolean;
    disclosure: { researcherOrg: number; purposeLabel: string; counted: boolean };
  };
  if (!proven.verified) throw new Error("a patient's disclosure proof did not verify");
  const d = proven.disclosure;
  context.say(
    `• a patient of hospital ${context.custodian} (record ${subject.slice(0, 10)}…) sees the query in their accounting of disclosures: research organisation ${d.researcherOrg}, purpose ${d.purposeLabel}, record ${d.counted ? "counted" : "in the consent snapshot, not in the cohort"}; its Merkle proof against the consent root on chain verifies`,
  );
  return { custodian: context.custodian, subject, keyFile };
}
