import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { id } from "ethers";
import type { Bytes32 } from "../../src/consent/index.ts";
import { encodeCategories, purposeCodes } from "../../src/consent/index.ts";
import {
  type QueryResultDocument,
  type SignedQueryResult,
  signQueryResult,
} from "../../src/federation/index.ts";
import type { LedgerResult } from "../../src/ledger/index.ts";
import { querySpecCategories } from "../../src/query/index.ts";
import { type connectLedger, ORG } from "../ledger/ledgerFixture.ts";
import { type FixtureRelease, resultDocument, spec, specHash } from "./federationFixtures.ts";

/** A deployed consortium with helpers to run the fixture spec's query on it. */
export async function federationChain(env: Awaited<ReturnType<typeof connectLedger>>) {
  const stack = await env.deploy();
  const { accounts } = env;
  const researcher = stack.ledger(accounts.researcher);
  const reader = stack.ledger(env.ethers.provider);

  /** Submits the fixture spec's query to `targets` (default hospitals A and B). */
  async function submit(targets: readonly number[] = [ORG.hospitalA, ORG.hospitalB]) {
    const { queryId } = await researcher.submitQuery({
      specHash,
      use: purposeCodes.HMB.bit,
      categories: encodeCategories(querySpecCategories(spec)),
      targets,
      approvalRef: id("approval") as Bytes32,
      expiry: (await env.now()) + 3_600,
    });
    return queryId;
  }

  /** The review board approves. */
  const approve = (queryId: bigint) => stack.ledger(accounts.reviewBoard).approveQuery(queryId);

  /** The on-chain record of a document. */
  const recordOf = (document: QueryResultDocument, resultHash: Bytes32): LedgerResult => ({
    resultHash,
    consentBlock: BigInt(document.consent.block),
    consentRoot: document.consent.root as Bytes32,
    subjectCount: document.consent.subjectCount,
    disclosureReportHash: document.disclosureReportHash as Bytes32,
    epsilon: BigInt(document.epsilonMicro),
  });

  /**
   * The document a hospital releases for `queryId` (consent snapshot at the submission
   * block), signed by `recorder` and recorded on chain by it.
   */
  async function record(
    queryId: bigint,
    hospitalId: number,
    recorder: HardhatEthersSigner,
    release: FixtureRelease = {},
  ): Promise<SignedQueryResult> {
    const { submittedBlock } = await reader.query(queryId);
    const document = resultDocument(hospitalId, release, {
      queryId: queryId.toString(),
      researcher: accounts.researcher.address.toLowerCase() as `0x${string}`,
      consent: {
        block: Number(submittedBlock),
        root: id(`root:${hospitalId}`) as `0x${string}`,
        subjectCount: 1_000,
      },
    });
    const signed = await signQueryResult(recorder, document);
    await stack
      .ledger(recorder)
      .recordResult(queryId, hospitalId, recordOf(document, signed.resultHash as Bytes32));
    return signed;
  }

  /** A hospital's recorder declines with a reason code. */
  const decline = (
    queryId: bigint,
    hospitalId: number,
    recorder: HardhatEthersSigner,
    code: number,
  ) => stack.ledger(recorder).declineQuery(queryId, hospitalId, code);

  return { stack, researcher, reader, submit, approve, record, decline };
}
