import { describe, expect, it } from "vitest";
import {
  resultDocumentHash,
  type SignedQueryResult,
  signQueryResult,
  verifyHospitalResult,
} from "../../src/federation/index.ts";
import { parseQuerySpec, querySpecHash } from "../../src/query/index.ts";
import { expectCustosError } from "../expectCustosError.ts";
import { connectLedger, ORG } from "../ledger/ledgerFixture.ts";
import { federationChain } from "./federationChain.ts";
import { specHash, statistics } from "./federationFixtures.ts";

const env = await connectLedger();
const { accounts } = env;
const provider = env.ethers.provider;

async function recordedQuery() {
  const chain = await federationChain(env);
  const queryId = await chain.submit();
  await chain.approve(queryId);
  const signed = await chain.record(queryId, ORG.hospitalA, accounts.recorderA);
  const verify = (
    candidate: SignedQueryResult,
    overrides: { hospitalId?: number; specHash?: `0x${string}` } = {},
  ) =>
    verifyHospitalResult({
      ledger: chain.researcher,
      provider,
      queryId,
      hospitalId: overrides.hospitalId ?? ORG.hospitalA,
      signed: candidate,
      specHash: overrides.specHash ?? specHash,
    });
  return { chain, queryId, signed, verify };
}

async function expectCheck(action: Promise<unknown>, check: string) {
  const error = await expectCustosError(action, "FEDERATION_RESULT_INVALID");
  expect(error.details).toMatchObject({ check });
  return error;
}

describe("verifyHospitalResult", () => {
  it("returns the document of a result recorded and signed by the hospital's recorder", async () => {
    const { signed, verify } = await recordedQuery();
    expect(await verify(signed)).toEqual(signed.document);
  });

  it("fails the hash check for tampered statistics", async () => {
    const { signed, verify } = await recordedQuery();
    const tampered = {
      ...signed,
      document: { ...signed.document, statistics: statistics({ n: 5 }) },
    };
    const error = await expectCheck(verify(tampered), "hash");
    expect(error.details).toMatchObject({ hospitalId: ORG.hospitalA, queryId: "1" });
  });

  it("fails the chain check for a tampered document whose hash was recomputed and re-signed", async () => {
    const { signed, verify } = await recordedQuery();
    const document = { ...signed.document, statistics: statistics({ n: 5 }) };
    const resigned = await signQueryResult(accounts.recorderA, document);
    expect(resigned.resultHash).toBe(resultDocumentHash(document));
    await expectCheck(verify(resigned), "chain");
  });

  it("fails the chain check for a hospital that recorded nothing", async () => {
    const { chain, queryId, signed, verify } = await recordedQuery();
    const { submittedBlock } = await chain.reader.query(queryId);
    const unrecorded = await signQueryResult(accounts.recorderB, {
      ...signed.document,
      queryId: queryId.toString(),
      hospitalId: ORG.hospitalB,
      consent: { block: Number(submittedBlock), root: `0x${"44".repeat(32)}`, subjectCount: 10 },
    });
    const error = await expectCheck(verify(unrecorded, { hospitalId: ORG.hospitalB }), "chain");
    expect(error.details).toMatchObject({ hospitalId: ORG.hospitalB });
  });

  it("fails the signature check for a result signed by another key", async () => {
    const { signed, verify } = await recordedQuery();
    for (const other of [accounts.recorderB, accounts.researcher]) {
      const forged = await signQueryResult(other, signed.document);
      expect(forged.resultHash).toBe(signed.resultHash);
      const error = await expectCheck(verify(forged), "signature");
      expect(error.details).toMatchObject({
        signer: other.address.toLowerCase(),
        recorder: accounts.recorderA.address.toLowerCase(),
      });
    }
    await expectCheck(verify({ ...signed, signature: "0x1234" }), "signature");
  });

  it("fails the document check for another spec, hospital or query", async () => {
    const { signed, verify } = await recordedQuery();
    const otherSpec = querySpecHash(
      parseQuerySpec({
        version: 1,
        conceptSets: { t2d: { include: [{ conceptId: 201826 }] } },
        cohort: { index: { domain: "condition", conceptSet: "t2d" } },
        measures: [{ name: "n", type: "count" }],
      }),
    );
    const bySpec = await expectCheck(verify(signed, { specHash: otherSpec }), "document");
    expect(bySpec.details).toMatchObject({ field: "specHash" });
    const byHospital = await expectCheck(verify(signed, { hospitalId: ORG.hospitalB }), "document");
    expect(byHospital.details).toMatchObject({ field: "hospitalId" });
    const otherQuery = await signQueryResult(accounts.recorderA, {
      ...signed.document,
      queryId: "2",
    });
    const byQuery = await expectCheck(verify(otherQuery), "document");
    expect(byQuery.details).toMatchObject({ field: "queryId" });
  });
});
