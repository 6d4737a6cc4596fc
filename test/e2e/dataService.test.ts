import { readFile } from "node:fs/promises";
import { getBytes, verifyMessage } from "ethers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createInMemoryDifferencingStore } from "../../src/disclosure/index.ts";
import { resultDocumentHash, type SignedQueryResult } from "../../src/federation/index.ts";
import { createAccessLedgerClient, createConsentRegistryClient } from "../../src/ledger/index.ts";
import { parseQuerySpec, querySpecHash, releaseQueryResult } from "../../src/query/index.ts";
import { evaluateReference, readOmopCsvDirectory } from "../query/reference/index.ts";
import {
  HOSPITAL,
  type HospitalWithData,
  type ServiceAnswer,
  startHospitalWithData,
} from "./harness/hospitalWithData.ts";
import { readSyntheticPersons } from "./harness/syntheticPersons.ts";

let hospital: HospitalWithData;
const spec = parseQuerySpec(
  JSON.parse(
    await readFile(new URL("../fixtures/query/diabetes.spec.json", import.meta.url), "utf8"),
  ),
);

/** Consenting, unrevoked person ids of the hospital, worked out from its files alone. */
async function consentingPersons(): Promise<number[]> {
  return (await readSyntheticPersons(hospital.hospitalDir)).consenting();
}

beforeAll(async () => {
  hospital = await startHospitalWithData({ persons: 3000, seed: 11 });
}, 180_000);

afterAll(async () => {
  await hospital?.stop();
});

describe("the data service", () => {
  it("runs an approved query over consenting patients only and records a verifiable result", async () => {
    const queryId = await hospital.submitApproved(spec);
    expect((await hospital.deliverSpec(queryId, spec)).status).toBe(202);
    expect((await hospital.waitForFinal(queryId)).state).toBe("recorded");
    const { status, body } = await hospital.call(`/queries/${queryId}/result`);
    expect(status).toBe(200);
    const signed = body as unknown as SignedQueryResult;
    expect(resultDocumentHash(signed.document)).toBe(signed.resultHash);
    const recorder = hospital.keys.hospitals[0]?.recorder.address.toLowerCase();
    expect(verifyMessage(getBytes(signed.resultHash), signed.signature).toLowerCase()).toBe(
      recorder,
    );
    const ledger = createAccessLedgerClient({
      address: hospital.keys.contracts.accessLedger,
      runner: hospital.provider,
    });
    const doc = signed.document;
    expect(
      await ledger.matchesResult(queryId, HOSPITAL, {
        resultHash: signed.resultHash,
        consentBlock: BigInt(doc.consent.block),
        consentRoot: doc.consent.root,
        subjectCount: doc.consent.subjectCount,
        disclosureReportHash: doc.disclosureReportHash,
        epsilon: BigInt(doc.epsilonMicro),
      }),
    ).toBe(true);

    // The same statistics, computed here from the CSVs over the consenting patients, with
    // the same disclosure rules.
    const reference = evaluateReference(
      await readOmopCsvDirectory(hospital.hospitalDir),
      spec,
      await consentingPersons(),
    );
    const expected = await releaseQueryResult(
      reference.aggregates,
      { disclosure: { minCellSize: 11, minCohortDifference: 11 }, statistics: { minN: 11 } },
      { differencing: createInMemoryDifferencingStore() },
      { requester: "x", hospital: "1", queryId: "x", cohort: reference.cohortPersonIds },
    );
    expect(expected.status).toBe("released");
    expect(doc.statistics).toEqual(expected.status === "released" ? expected.statistics : null);
    expect(doc.specHash).toBe(querySpecHash(spec));
  });

  it("refuses a spec whose hash is not the on-chain one, unsigned and foreign requests, and replays", async () => {
    const queryId = await hospital.submitApproved({ ...spec, title: "another" });
    const mismatch = await hospital.deliverSpec(queryId, spec);
    expect([mismatch.status, mismatch.body.error?.code]).toEqual([409, "FEDERATION_SPEC_MISMATCH"]);
    const unsigned = await fetch(`${hospital.service.url}/queries/${queryId}`);
    expect(((await unsigned.json()) as ServiceAnswer).error?.code).toBe(
      "FEDERATION_REQUEST_UNAUTHORISED",
    );
    const foreign = await hospital.call(`/queries/${queryId}`, {
      signer: hospital.wallet(hospital.keys.regulator.privateKey),
    });
    expect([foreign.status, foreign.body.error?.code]).toEqual([
      401,
      "FEDERATION_REQUEST_UNAUTHORISED",
    ]);
    const first = await hospital.call(`/queries/${queryId}`);
    const replay = await fetch(`${hospital.service.url}/queries/${queryId}`, {
      headers: first.headers,
    });
    expect(((await replay.json()) as ServiceAnswer).error?.code).toBe(
      "FEDERATION_REQUEST_REPLAYED",
    );
  });

  it("declines the same cohort less one revoked patient (differencing)", async () => {
    const first = await hospital.submitApproved({ ...spec, title: "first" });
    expect((await hospital.deliverSpec(first, { ...spec, title: "first" })).status).toBe(202);
    expect((await hospital.waitForFinal(first)).state).toBe("recorded");
    // One consenting member of the cohort revokes; the same question again would tell
    // their values apart.
    const reference = evaluateReference(
      await readOmopCsvDirectory(hospital.hospitalDir),
      spec,
      await consentingPersons(),
    );
    const target = reference.cohortPersonIds[0] as number;
    const subject = (await readSyntheticPersons(hospital.hospitalDir)).subjectOf(target);
    const registry = createConsentRegistryClient({
      address: hospital.keys.contracts.consentRegistry,
      runner: hospital.wallet(hospital.keys.hospitals[0]?.recorder.privateKey as string),
      custodian: HOSPITAL,
    });
    await registry.revoke(subject, `0x${"cd".repeat(32)}`);
    const second = await hospital.submitApproved({ ...spec, title: "second" });
    expect((await hospital.deliverSpec(second, { ...spec, title: "second" })).status).toBe(202);
    const job = await hospital.waitForFinal(second);
    expect([job.state, job.reason]).toEqual(["declined", "differencing"]);
    const ledger = createAccessLedgerClient({
      address: hospital.keys.contracts.accessLedger,
      runner: hospital.provider,
    });
    expect((await ledger.responseOf(second, HOSPITAL)).status).toBe("declined");
    const result = await hospital.call(`/queries/${second}/result`);
    expect([result.status, result.body.error?.code]).toEqual([403, "DATA_SERVICE_QUERY_REFUSED"]);
  });
});
