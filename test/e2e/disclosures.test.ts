import { readFile } from "node:fs/promises";
import { Wallet } from "ethers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyInclusion } from "../../src/consentIndex/index.ts";
import { signResearcherRequest } from "../../src/federation/index.ts";
import { parseQuerySpec } from "../../src/query/index.ts";
import { evaluateReference, readOmopCsvDirectory } from "../query/reference/index.ts";
import {
  HOSPITAL,
  type HospitalWithData,
  startHospitalWithData,
} from "./harness/hospitalWithData.ts";
import { readSyntheticPersons, type SyntheticPersons } from "./harness/syntheticPersons.ts";

/** A JSON answer, read field by field in the assertions. */
// biome-ignore lint/suspicious/noExplicitAny: tests read the API's JSON answers field by field
type Json = any;

let hospital: HospitalWithData;
let persons: SyntheticPersons;
let queryId: bigint;
const spec = parseQuerySpec(
  JSON.parse(
    await readFile(new URL("../fixtures/query/diabetes.spec.json", import.meta.url), "utf8"),
  ),
);

/** A request to the node's audit API signed by `privateKey`. */
async function audit(
  path: string,
  privateKey: string,
  body?: unknown,
): Promise<{ status: number; body: Json }> {
  const bytes = body === undefined ? undefined : new TextEncoder().encode(JSON.stringify(body));
  const method = body === undefined ? "GET" : "POST";
  const headers = await signResearcherRequest(
    new Wallet(privateKey),
    { method, path, ...(bytes === undefined ? {} : { body: bytes }) },
    Date.now() / 1000,
  );
  const response = await fetch(`${hospital.node.rpcUrl}${path}`, {
    method,
    headers: { ...headers, ...(bytes === undefined ? {} : { "content-type": "application/json" }) },
    ...(bytes === undefined ? {} : { body: bytes }),
  });
  return { status: response.status, body: await response.json() };
}

const regulator = () => hospital.keys.regulator.privateKey;
const ownHospital = () => hospital.keys.hospitals[0]?.account.privateKey as string;
const otherHospital = () => hospital.keys.hospitals[1]?.account.privateKey as string;

beforeAll(async () => {
  hospital = await startHospitalWithData({ persons: 1500, seed: 23 });
  persons = await readSyntheticPersons(hospital.hospitalDir);
  queryId = await hospital.submitApproved(spec);
  expect((await hospital.deliverSpec(queryId, spec)).status).toBe(202);
  expect((await hospital.waitForFinal(queryId)).state).toBe("recorded");
  // The audit index follows committed blocks: wait until it holds the recorded result.
  for (;;) {
    const trail = await audit(`/audit/v1/queries/${queryId}`, regulator());
    if (trail.body.summary?.responses?.[0]?.status === "recorded") break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}, 240_000);

afterAll(async () => {
  await hospital?.stop();
});

describe("the accounting of disclosures (HIPAA 164.528)", () => {
  it("lists the released result for every consenting record, proven against the root on chain", async () => {
    const consenting = persons.consenting();
    const reference = evaluateReference(
      await readOmopCsvDirectory(hospital.hospitalDir),
      spec,
      consenting,
    );
    const cohort = new Set(reference.cohortPersonIds);
    expect(cohort.size).toBeGreaterThan(0);
    const sample = [
      ...reference.cohortPersonIds.slice(0, 5),
      ...consenting.filter((id) => !cohort.has(id)).slice(0, 5),
    ];
    const allowed = new Set(consenting);
    const outsider = persons.subjectOf(
      persons.allPersonIds().find((id) => !allowed.has(id)) as number,
    );
    const trail = await audit(`/audit/v1/queries/${queryId}`, regulator());
    const onChainRoot = trail.body.summary.responses[0].consentRoot;
    for (const personId of sample) {
      const subject = persons.subjectOf(personId);
      const listed = await audit(
        `/audit/v1/subjects/${HOSPITAL}/${subject}/disclosures`,
        regulator(),
      );
      expect(listed.status).toBe(200);
      expect(listed.body.items).toHaveLength(1);
      const [item] = listed.body.items;
      expect(item).toMatchObject({
        queryId: String(queryId),
        hospitalId: HOSPITAL,
        purposeLabel: "HMB",
        consentRoot: onChainRoot,
        counted: cohort.has(personId),
        rootMatches: true,
      });
      const proven = await audit(
        `/audit/v1/subjects/${HOSPITAL}/${subject}/disclosures/${queryId}/proof`,
        regulator(),
      );
      expect(proven.status).toBe(200);
      expect(proven.body.verified).toBe(true);
      // The proof stands on its own: checked here against the root the chain holds.
      expect(verifyInclusion(onChainRoot, subject, proven.body.proof)).toBe(true);
      // A leaf holds 128 members, so the proof shows its neighbours' membership too, but
      // never that of a record outside the snapshot.
      expect(verifyInclusion(onChainRoot, outsider, proven.body.proof)).toBe(false);
    }
  });

  it("lists nothing for a record outside the snapshot (never consented, or revoked)", async () => {
    const consenting = new Set(persons.consenting());
    const outside = persons
      .allPersonIds()
      .filter((id) => !consenting.has(id))
      .slice(0, 5);
    expect(outside.length).toBeGreaterThan(0);
    for (const personId of outside) {
      const subject = persons.subjectOf(personId);
      const listed = await audit(
        `/audit/v1/subjects/${HOSPITAL}/${subject}/disclosures`,
        regulator(),
      );
      expect(listed.body.items).toEqual([]);
      const proven = await audit(
        `/audit/v1/subjects/${HOSPITAL}/${subject}/disclosures/${queryId}/proof`,
        regulator(),
      );
      expect(proven.status).toBe(404);
      expect(proven.body.error.code).toBe("AUDIT_API_NOT_FOUND");
    }
  });

  it("pseudonymises a patient identifier at the custodian, for its own hospital and regulators only", async () => {
    const personId = persons.consenting()[0] as number;
    const identifier = persons.identifierOf(personId);
    const path = `/audit/v1/subjects/${HOSPITAL}/pseudonym`;
    const own = await audit(path, ownHospital(), { identifier });
    expect(own.status).toBe(200);
    expect(own.body.subject).toBe(persons.subjectOf(personId));
    expect((await audit(path, regulator(), { identifier })).body.subject).toBe(
      persons.subjectOf(personId),
    );
    const other = await audit(path, otherHospital(), { identifier });
    expect(other.status).toBe(403);
    expect(other.body.error.code).toBe("AUDIT_API_FORBIDDEN");
    const researcher = await audit(path, hospital.keys.researcher.privateKey, { identifier });
    expect(researcher.status).toBe(403);
    // The signature covers the body: another identifier under it is refused.
    const signed = await signResearcherRequest(
      new Wallet(ownHospital()),
      { method: "POST", path, body: new TextEncoder().encode(JSON.stringify({ identifier })) },
      Date.now() / 1000,
    );
    const swapped = await fetch(`${hospital.node.rpcUrl}${path}`, {
      method: "POST",
      headers: { ...signed, "content-type": "application/json" },
      body: JSON.stringify({ identifier: persons.identifierOf(persons.consenting()[1] as number) }),
    });
    expect(swapped.status).toBe(401);
    expect(((await swapped.json()) as Json).error.code).toBe("AUDIT_API_UNAUTHORISED");
    const empty = await audit(path, ownHospital(), { identifier: "" });
    expect(empty.status).toBe(400);
    // The identifier never reaches the read log: only the path and the caller do.
    const reads = await audit("/audit/v1/reads?limit=1000", regulator());
    expect(JSON.stringify(reads.body)).not.toContain(identifier);
  });

  it("keeps per-subject accounting from other hospitals and answers only as the custodian", async () => {
    const subject = persons.subjectOf(persons.consenting()[0] as number);
    const other = await audit(
      `/audit/v1/subjects/${HOSPITAL}/${subject}/disclosures`,
      otherHospital(),
    );
    expect(other.status).toBe(403);
    expect(other.body.error.code).toBe("AUDIT_API_FORBIDDEN");
    const elsewhere = await audit(`/audit/v1/subjects/2/${subject}/disclosures`, regulator());
    expect(elsewhere.status).toBe(404);
    expect(elsewhere.body.error.code).toBe("AUDIT_API_NOT_CUSTODIAN");
  });
});
