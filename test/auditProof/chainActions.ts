/**
 * The chain events the proof tests produce, as the consortium's members send them with
 * ethers: consent grants and revocations, a query's whole AccessLedger lifecycle and a
 * hospital voted into the Consortium (which schedules a validator-set change).
 */
import {
  Contract,
  type ContractTransactionResponse,
  hexlify,
  id,
  type JsonRpcProvider,
  randomBytes,
  type TransactionReceipt,
  Wallet,
} from "ethers";
import type { DevGenesisKeys } from "../../nodes/chain/index.ts";
import { Role } from "../../scripts/deployContracts.ts";
import { purposeCodes } from "../../src/consent/index.ts";
import { accessLedgerAbi, consentRegistryAbi, consortiumAbi } from "../../src/contracts/index.ts";

/** The contracts of a chain, as its genesis or dev keys name them. */
export interface ActionContracts {
  readonly consortium: string;
  readonly consentRegistry: string;
  readonly accessLedger: string;
}

/** The members' keys and the chain they act on. */
export interface ChainActors {
  readonly provider: JsonRpcProvider;
  readonly keys: DevGenesisKeys;
  readonly contracts: ActionContracts;
}

async function mined(sent: Promise<ContractTransactionResponse>): Promise<TransactionReceipt> {
  const receipt = await (await sent).wait();
  if (receipt === null || receipt.status !== 1) throw new Error("transaction failed");
  return receipt;
}

function contract(actors: ChainActors, address: string, abi: readonly unknown[], key: string) {
  return new Contract(address, abi as never, new Wallet(key, actors.provider));
}

const terms = { purposes: purposeCodes.HMB.bit, categories: 4, validFrom: 0, validUntil: 0 };

function hospital(actors: ChainActors, i: number): DevGenesisKeys["hospitals"][number] {
  const keys = actors.keys.hospitals[i];
  if (keys === undefined) throw new Error(`no hospital ${i}`);
  return keys;
}

/** Hospital 0's recorder grants a new subject's consent; then, when asked, revokes it. */
export async function grantConsent(
  actors: ChainActors,
  revoke = false,
): Promise<{ grant: TransactionReceipt; revoke?: TransactionReceipt }> {
  const registry = contract(
    actors,
    actors.contracts.consentRegistry,
    consentRegistryAbi,
    hospital(actors, 0).recorder.privateKey,
  );
  const subject = hexlify(randomBytes(32));
  const grant = await mined(registry.getFunction("grant")(1, subject, terms, id("consent")));
  if (!revoke) return { grant };
  return { grant, revoke: await mined(registry.getFunction("revoke")(1, subject, id("revoked"))) };
}

/** The receipts of a query's lifecycle, by step. */
export interface QueryLifecycle {
  readonly queryId: bigint;
  readonly submit: TransactionReceipt;
  readonly approve: TransactionReceipt;
  readonly record: TransactionReceipt;
  readonly decline: TransactionReceipt;
  readonly close: TransactionReceipt;
}

/**
 * A query to hospitals 1 and 2: submitted by the researcher, approved by the review board,
 * answered by hospital 1 (a result), declined by hospital 2 (reason 3), closed.
 */
export async function runQueryLifecycle(actors: ChainActors): Promise<QueryLifecycle> {
  const ledger = (key: string) =>
    contract(actors, actors.contracts.accessLedger, accessLedgerAbi, key);
  const researcher = ledger(actors.keys.researcher.privateKey);
  const latest = await actors.provider.getBlock("latest");
  const submit = await mined(
    researcher.getFunction("submitQuery")(
      id("spec"),
      purposeCodes.HMB.bit,
      4,
      [1, 2],
      id("approval"),
      (latest?.timestamp ?? 0) + 3_600,
    ),
  );
  const queryId = submit.logs
    .map((log) => researcher.interface.parseLog(log))
    .find((parsed) => parsed?.name === "QuerySubmitted")?.args[0] as bigint;
  const approve = await mined(
    ledger(actors.keys.reviewBoard.privateKey).getFunction("approveQuery")(queryId),
  );
  const record = await mined(
    ledger(hospital(actors, 0).recorder.privateKey).getFunction("recordResult")(queryId, 1, {
      resultHash: id("result"),
      consentBlock: submit.blockNumber,
      consentRoot: id("consent root"),
      subjectCount: 120,
      disclosureReportHash: id("disclosure report"),
      epsilon: 0,
    }),
  );
  const decline = await mined(
    ledger(hospital(actors, 1).recorder.privateKey).getFunction("declineQuery")(queryId, 2, 3),
  );
  const close = await mined(researcher.getFunction("closeQuery")(queryId));
  return { queryId, submit, approve, record, decline, close };
}

/**
 * Hospital 0 proposes a new hospital with `validator`, hospitals 1 and 2 vote, hospital 0
 * executes: the receipt of the execution, whose block schedules the new validator set.
 */
export async function voteInHospital(
  actors: ChainActors,
  validator: string,
): Promise<TransactionReceipt> {
  const consortium = (i: number) =>
    contract(
      actors,
      actors.contracts.consortium,
      consortiumAbi,
      hospital(actors, i).account.privateKey,
    );
  const proposed = await mined(
    consortium(0).getFunction("proposeAddOrganisation")({
      role: Role.Hospital,
      metadata: id("new hospital"),
      accounts: [Wallet.createRandom().address],
      recorders: [Wallet.createRandom().address],
      validator,
    }),
  );
  const proposalId = proposed.logs
    .map((log) => consortium(0).interface.parseLog(log))
    .find((parsed) => parsed?.name === "ProposalCreated")?.args[0] as bigint;
  await mined(consortium(1).getFunction("vote")(proposalId));
  await mined(consortium(2).getFunction("vote")(proposalId));
  return mined(consortium(0).getFunction("execute")(proposalId));
}

/** Resolves once the chain's head is at least `height`. */
export async function waitForBlock(provider: JsonRpcProvider, height: number): Promise<void> {
  while ((await provider.getBlockNumber()) < height) {
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
