import type { Provider } from "ethers";
import type { Bytes32 } from "../consent/index.ts";
import { CustosError } from "../errors/index.ts";
import type { AccessLedgerClient, LedgerResult, QueryId } from "../ledger/index.ts";
import {
  type QueryResultDocument,
  resultDocumentHash,
  type SignedQueryResult,
} from "./QueryResultDocument.ts";
import { resultSigner } from "./signedResult.ts";

/** The checks of {@link verifyHospitalResult}, in the order they run. */
export const resultChecks = Object.freeze(["hash", "document", "chain", "signature"] as const);

/** One check of a hospital's result. */
export type ResultCheck = (typeof resultChecks)[number];

/** The ledger reads verification needs. */
export type ResultLedger = Pick<
  AccessLedgerClient,
  "query" | "responseOf" | "matchesResult" | "queryEvents"
>;

/** What {@link verifyHospitalResult} checks a signed result against. */
export interface VerifyHospitalResultInput {
  readonly ledger: ResultLedger;
  /** Reads the transaction that recorded the result. */
  readonly provider: Pick<Provider, "getTransaction">;
  readonly queryId: QueryId;
  readonly hospitalId: number;
  readonly signed: SignedQueryResult;
  /** The spec hash the researcher submitted (querySpecHash of the spec). */
  readonly specHash: `0x${string}`;
}

function failed(
  check: ResultCheck,
  reason: string,
  input: VerifyHospitalResultInput,
  extra: Record<string, unknown> = {},
): never {
  throw new CustosError("FEDERATION_RESULT_INVALID", `result fails the ${check} check: ${reason}`, {
    details: {
      check,
      reason,
      queryId: BigInt(input.queryId).toString(),
      hospitalId: input.hospitalId,
      ...extra,
    },
  });
}

/** The on-chain record a document claims, as AccessLedger's `Result`. */
function claimedRecord(document: QueryResultDocument, resultHash: Bytes32): LedgerResult {
  return {
    resultHash,
    consentBlock: BigInt(document.consent.block),
    consentRoot: document.consent.root as Bytes32,
    subjectCount: document.consent.subjectCount,
    disclosureReportHash: document.disclosureReportHash as Bytes32,
    epsilon: BigInt(document.epsilonMicro),
  };
}

/**
 * Verifies one hospital's signed result before anything in it is believed, running the
 * checks in order and stopping at the first failure:
 *
 * 1. `hash` — the document's canonical hash is the stated `resultHash`;
 * 2. `document` — the document is about this query, this hospital and this spec;
 * 3. `chain` — the hospital recorded this result on chain (`responseOf` is `recorded`) and
 *    AccessLedger's `matchesResult` confirms the hash, consent block and root, subject
 *    count, disclosure report hash and ε the document states;
 * 4. `signature` — the signature over the hash recovers to the account that sent the
 *    transaction emitting the `ResultRecorded` event for (query, hospital): only a recorder
 *    of that hospital could send it, so the signed document is the one it anchored.
 *
 * @returns the verified document.
 * @throws CustosError `FEDERATION_RESULT_INVALID` with `details.check` naming the failed
 * check (and `reason`, `queryId`, `hospitalId`); the ledger codes (`LEDGER_UNAVAILABLE`, …)
 * when the chain cannot be read.
 * @example
 * ```ts
 * const document = await verifyHospitalResult({
 *   ledger, provider, queryId, hospitalId: 1, signed, specHash: querySpecHash(spec),
 * });
 * ```
 */
export async function verifyHospitalResult(
  input: VerifyHospitalResultInput,
): Promise<QueryResultDocument> {
  const { ledger, provider, queryId, hospitalId, signed } = input;
  const { document } = signed;
  let computed: `0x${string}` | null;
  try {
    computed = resultDocumentHash(document);
  } catch {
    computed = null;
  }
  if (computed === null || computed.toLowerCase() !== signed.resultHash.toLowerCase()) {
    failed("hash", "the document does not hash to resultHash", input);
  }

  const id = BigInt(queryId).toString();
  if (document.schema !== "custos.query-result/1") {
    failed("document", "unknown document schema", input, { field: "schema" });
  }
  if (document.queryId !== id) failed("document", "another query", input, { field: "queryId" });
  if (document.hospitalId !== hospitalId) {
    failed("document", "another hospital", input, { field: "hospitalId" });
  }
  if (String(document.specHash).toLowerCase() !== input.specHash.toLowerCase()) {
    failed("document", "another spec", input, { field: "specHash" });
  }

  const response = await ledger.responseOf(queryId, hospitalId);
  if (response.status !== "recorded") {
    failed("chain", `no result recorded (status ${response.status})`, input);
  }
  let claimed: LedgerResult;
  try {
    claimed = claimedRecord(document, signed.resultHash as Bytes32);
  } catch {
    failed("chain", "the document's consent block or ε is not an integer", input);
  }
  if (!(await ledger.matchesResult(queryId, hospitalId, claimed))) {
    failed("chain", "the recorded result differs from the document", input);
  }

  const signer = resultSigner(signed);
  if (signer === null) failed("signature", "malformed signature", input);
  const { submittedBlock } = await ledger.query(queryId);
  let transactionHash: string | undefined;
  for await (const event of ledger.queryEvents({ queryId, fromBlock: Number(submittedBlock) })) {
    if (event.name === "ResultRecorded" && event.args.hospitalId === hospitalId) {
      transactionHash = event.transactionHash;
    }
  }
  if (transactionHash === undefined) {
    failed("signature", "no ResultRecorded event for the hospital", input);
  }
  const transaction = await provider.getTransaction(transactionHash);
  if (transaction === null) {
    failed("signature", "the recording transaction is not found", input, { transactionHash });
  }
  if (transaction.from.toLowerCase() !== signer) {
    failed("signature", "not signed by the account that recorded the result", input, {
      signer,
      recorder: transaction.from.toLowerCase(),
    });
  }
  return document;
}
