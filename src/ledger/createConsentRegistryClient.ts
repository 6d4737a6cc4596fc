import type { Signer } from "ethers";
import { ZeroAddress } from "ethers";
import type { Bytes32, ConsentWords } from "../consent/index.ts";
import { CustosError } from "../errors/index.ts";
import type { Hex } from "./abiValues.ts";
import {
  buildConsentTypedData,
  type ConsentRecordMessage,
  type ConsentTypedDataDomain,
  type ConsentTypedDataKind,
  type ConsentTypedDataMessages,
  consentTypedDataDomain,
  type SignedConsentChange,
  signConsentTypedData,
} from "./consentTypedData.ts";
import { createReceiptWatcher } from "./createReceiptWatcher.ts";
import { decodeContractError } from "./decodeContractError.ts";
import type { ConsentRegistryEvent } from "./LedgerEvent.ts";
import { ledgerContracts } from "./ledgerContracts.ts";
import { bindLedgerContract, type LedgerClientOptions } from "./ledgerHandle.ts";
import {
  callLedgerView,
  estimateLedgerGas,
  sendLedgerTransaction,
  type TransactionOptions,
  type TransactionResult,
  transactionResultOf,
} from "./ledgerTransaction.ts";
import { type EventPageOptions, readLedgerEvents } from "./readLedgerEvents.ts";
import {
  type BatchEntry,
  type BatchOptions,
  type BatchResult,
  type ChunkedBatchPlan,
  runChunkedBatch,
} from "./runChunkedBatch.ts";
import {
  pendingNonce,
  type SubmitOptions,
  submitLedgerTransaction,
} from "./submitLedgerTransaction.ts";

/** Options of {@link createConsentRegistryClient}. */
export interface ConsentRegistryClientOptions extends LedgerClientOptions {
  /**
   * Organisation id (uint32, ≥ 1) of the custodian hospital whose records the client reads
   * and writes. ConsentRegistry keys every record by (custodian, subject), the subject being
   * the pseudonym that hospital derived with its own key.
   */
  readonly custodian: number;
}

/** The terms a grant or update sets (ConsentRegistry's `Terms`). */
export type ConsentTerms = Pick<
  ConsentWords,
  "purposes" | "categories" | "validFrom" | "validUntil"
>;

/** A subject's consent status on chain. */
export type OnChainConsentStatus = "none" | "active" | "revoked";

const consentStatusNames: readonly OnChainConsentStatus[] = ["none", "active", "revoked"];

/** A subject's current consent record at the client's custodian, as ConsentRegistry stores it. */
export interface OnChainConsent extends ConsentTerms {
  readonly subject: Bytes32;
  readonly status: OnChainConsentStatus;
  /** Number of consent changes so far: grants, updates, revocations (0 = never granted). */
  readonly version: number;
  /** Custodian hospital's organisation id (0 = no record). */
  readonly custodian: number;
  /**
   * Number of changes of any kind so far (consent, patient key, delegates, invalidations):
   * the nonce the next signature for the record must commit to.
   */
  readonly nonce: number;
}

/** Options of the signing helpers. */
export interface SignOptions {
  /** Last second (unix time) the signature is valid. */
  readonly deadline: number | bigint;
  /**
   * The record nonce to commit to (uint32); default: the current one, read with
   * {@link ConsentRegistryClient.nonceOf}. The signature is valid only while the record
   * keeps that nonce: any change of the record (or an invalidation) makes it stale.
   */
  readonly nonce?: number;
}

/** Options of {@link ConsentRegistryClient.consentEvents}. */
export interface ConsentEventOptions extends EventPageOptions {
  /** Only this subject's events. */
  readonly subject?: Bytes32;
}

/** Transaction result of a ConsentRegistry call. */
export type ConsentTransaction = TransactionResult<ConsentRegistryEvent>;

/**
 * Typed access to a deployed ConsentRegistry, scoped to one custodian hospital: every
 * subject-addressed method reads or writes the record (custodian, subject).
 */
export interface ConsentRegistryClient {
  /** The registry's address. */
  readonly address: Hex;
  /** The custodian hospital's organisation id this client is scoped to. */
  readonly custodian: number;
  /** First grant (by a recorder of the custodian), or a new grant after a revocation. */
  grant(words: ConsentWords, options?: TransactionOptions): Promise<ConsentTransaction>;
  /** Changes an active consent's terms. */
  update(words: ConsentWords, options?: TransactionOptions): Promise<ConsentTransaction>;
  /** Revokes an active consent, with the revocation document's hash. */
  revoke(
    subject: Bytes32,
    documentHash: Bytes32,
    options?: TransactionOptions,
  ): Promise<ConsentTransaction>;
  /** Registers, replaces or (with null) removes the patient's signing key (recorders only). */
  setPatientKey(
    subject: Bytes32,
    key: string | null,
    options?: TransactionOptions,
  ): Promise<ConsentTransaction>;
  /** Adds (`allowed`) or removes a delegate. */
  setDelegate(
    subject: Bytes32,
    delegate: string,
    allowed: boolean,
    options?: TransactionOptions,
  ): Promise<ConsentTransaction>;
  /**
   * Moves the record's nonce on without any other change, so every signature made for it so
   * far is stale (by a recorder, the patient key or a delegate; in any state of the record).
   */
  invalidateSignatures(subject: Bytes32, options?: TransactionOptions): Promise<ConsentTransaction>;
  /**
   * Bulk grant of new subjects on shared terms, chunked under the gas cap; with
   * `blocksInFlight`, several chunks are kept in flight (see `BatchOptions`).
   */
  batchGrant(
    entries: readonly BatchEntry[],
    terms: ConsentTerms,
    options?: BatchOptions,
  ): Promise<BatchResult>;
  /** Bulk revocation, chunked under the gas cap. */
  batchRevoke(entries: readonly BatchEntry[], options?: BatchOptions): Promise<BatchResult>;
  /** The record's nonce: what the next signature for `subject` must commit to (0 if unknown). */
  nonceOf(subject: Bytes32): Promise<number>;
  /** The registry's EIP-712 domain on the runner's chain. */
  domain(): Promise<ConsentTypedDataDomain>;
  /** Signs a grant with `signer` (patient key, delegate or recorder). */
  signGrant(
    signer: Signer,
    words: ConsentWords,
    options: SignOptions,
  ): Promise<SignedConsentChange<"Grant">>;
  /** Signs an update. */
  signUpdate(
    signer: Signer,
    words: ConsentWords,
    options: SignOptions,
  ): Promise<SignedConsentChange<"Update">>;
  /** Signs a revocation. */
  signRevoke(
    signer: Signer,
    change: { readonly subject: Bytes32; readonly documentHash: Bytes32 },
    options: SignOptions,
  ): Promise<SignedConsentChange<"Revoke">>;
  /** Signs a delegate change (patient key or recorder). */
  signSetDelegate(
    signer: Signer,
    change: { readonly subject: Bytes32; readonly delegate: string; readonly allowed: boolean },
    options: SignOptions,
  ): Promise<SignedConsentChange<"SetDelegate">>;
  /** Signs an invalidation of the record's outstanding signatures. */
  signInvalidateSignatures(
    signer: Signer,
    change: { readonly subject: Bytes32 },
    options: SignOptions,
  ): Promise<SignedConsentChange<"InvalidateSignatures">>;
  /** Relays a signed grant (sent by this client's signer). */
  grantBySig(
    signed: SignedConsentChange<"Grant">,
    options?: TransactionOptions,
  ): Promise<ConsentTransaction>;
  /** Relays a signed update. */
  updateBySig(
    signed: SignedConsentChange<"Update">,
    options?: TransactionOptions,
  ): Promise<ConsentTransaction>;
  /** Relays a signed revocation. */
  revokeBySig(
    signed: SignedConsentChange<"Revoke">,
    options?: TransactionOptions,
  ): Promise<ConsentTransaction>;
  /** Relays a signed delegate change. */
  setDelegateBySig(
    signed: SignedConsentChange<"SetDelegate">,
    options?: TransactionOptions,
  ): Promise<ConsentTransaction>;
  /** Relays a signed invalidation (the signer needs no funds and no membership). */
  invalidateSignaturesBySig(
    signed: SignedConsentChange<"InvalidateSignatures">,
    options?: TransactionOptions,
  ): Promise<ConsentTransaction>;
  /** The subject's current record (status "none" if never granted at this custodian). */
  consentOf(subject: Bytes32): Promise<OnChainConsent>;
  /** Whether the current consent permits `use` of `categories` at unix second `at`. */
  isPermitted(subject: Bytes32, use: number, categories: number, at: number): Promise<boolean>;
  /** The patient's signing key, or null. */
  patientKeyOf(subject: Bytes32): Promise<Hex | null>;
  /** Whether `account` is a delegate of the subject. */
  isDelegate(subject: Bytes32, account: string): Promise<boolean>;
  /**
   * The custodian's events over a block range, paged, in chain order: every event whose
   * custodian topic is this client's (a transfer is listed under the custodian it leaves;
   * the receiving custodian sees its ConsentGranted).
   */
  consentEvents(options?: ConsentEventOptions): AsyncGenerator<ConsentRegistryEvent, void>;
}

/** Gas per batch item used to size the first chunk: measured 26,847–27,128 (grant) and
 * 9,435–9,686 (revoke) per consent in bench:gas, plus a margin. */
const GRANT_GAS_PER_ITEM = 32_000n;
const REVOKE_GAS_PER_ITEM = 12_000n;

/** Events of a record; for all of them topic 1 is the subject and topic 2 the custodian. */
const consentEventNames = [
  "ConsentGranted",
  "ConsentUpdated",
  "ConsentRevoked",
  "PatientKeyChanged",
  "DelegateAdded",
  "DelegateRemoved",
  "SignaturesInvalidated",
  "SubjectTransferred",
  "SubjectTransferSkipped",
] as const satisfies readonly ConsentRegistryEvent["name"][];

const MAX_UINT32 = 0xffff_ffff;

/** Exactly the signed fields of a grant or update (callers may pass wider objects). */
function termsFields(words: ConsentWords): ConsentWords {
  return {
    subject: words.subject,
    purposes: words.purposes,
    categories: words.categories,
    validFrom: words.validFrom,
    validUntil: words.validUntil,
    documentHash: words.documentHash,
  };
}

/** The indexed custodian of a registry event (the old custodian of a transfer). */
function eventCustodian(event: ConsentRegistryEvent): number | undefined {
  const { args } = event;
  if ("custodian" in args) return args.custodian;
  return "fromCustodian" in args ? args.fromCustodian : undefined;
}

function checkCustodian(custodian: unknown): number {
  if (
    typeof custodian !== "number" ||
    !Number.isInteger(custodian) ||
    custodian < 1 ||
    custodian > MAX_UINT32
  ) {
    throw new CustosError(
      "INVALID_ARGUMENT",
      "custodian: must be an organisation id in [1, 2^32)",
      {
        details: { field: "custodian" },
      },
    );
  }
  return custodian;
}

/**
 * A typed client over a deployed ConsentRegistry, scoped to one custodian hospital: consent
 * changes (direct, batched, or EIP-712 signed and relayed), signature invalidation, reads and
 * paged event reading of that custodian's records. Every method maps failures through
 * {@link decodeContractError}.
 *
 * Signatures commit to the record's nonce (`nonceOf`), which every change of the record moves
 * on: a signature is accepted once, and only while nothing changed since it was made. A
 * stale one fails with `SIGNATURE_STALE`.
 *
 * @throws CustosError `INVALID_ARGUMENT` if the address is malformed, the runner has no
 * provider or `custodian` is not an organisation id. Methods throw `CONSENT_UNAUTHORISED`,
 * `CONSENT_ALREADY_ACTIVE`, `CONSENT_NOT_ACTIVE`, `CONSENT_REVOKED_IN_BATCH`,
 * `SIGNATURE_INVALID`, `SIGNATURE_STALE`, `LEDGER_INVALID_INPUT`, `LEDGER_NOT_FOUND`,
 * `LEDGER_CONFLICT`, `LEDGER_UNAVAILABLE`, `LEDGER_ABORTED` and the other ledger codes; the
 * relays throw `INVALID_ARGUMENT` for a message signed for another custodian.
 * @example
 * ```ts
 * const registry = createConsentRegistryClient({ address, runner: recorderSigner, custodian: 1 });
 * await registry.grant(toConsentWords(record));
 * const consent = await registry.consentOf(record.subject); // { status, version, nonce, … }
 * const signed = await registry.signRevoke(patientWallet, { subject, documentHash }, { deadline });
 * await registry.revokeBySig(signed); // SIGNATURE_STALE if the record changed meanwhile
 * ```
 */
export function createConsentRegistryClient(
  options: ConsentRegistryClientOptions,
): ConsentRegistryClient {
  const bound = bindLedgerContract(ledgerContracts.ConsentRegistry, options);
  const fns = ledgerContracts.ConsentRegistry.functions;
  const custodian = checkCustodian(options.custodian);
  const custodianTopic = `0x${custodian.toString(16).padStart(64, "0")}`;

  const nonceOf = (subject: Bytes32): Promise<number> =>
    callLedgerView(bound, fns.nonceOf, [custodian, subject]);

  const domain = async (): Promise<ConsentTypedDataDomain> => {
    try {
      const network = await bound.provider.getNetwork();
      return consentTypedDataDomain(network.chainId, bound.address);
    } catch (error) {
      throw decodeContractError(error, bound.abis);
    }
  };

  /** Signs `kind` for the record (custodian, `fields.subject`) at its current nonce. */
  const sign = async <K extends ConsentTypedDataKind>(
    kind: K,
    signer: Signer,
    fields: Omit<ConsentTypedDataMessages[K], keyof ConsentRecordMessage> & {
      readonly subject: Bytes32;
    },
    signOptions: SignOptions,
  ): Promise<SignedConsentChange<K>> => {
    const message = {
      custodian,
      ...fields,
      nonce: signOptions.nonce ?? (await nonceOf(fields.subject)),
      deadline: BigInt(signOptions.deadline),
    } as unknown as ConsentTypedDataMessages[K];
    return signConsentTypedData(signer, buildConsentTypedData(await domain(), kind, message));
  };

  /** Relays a signed message of this client's custodian: `send` runs only if it is ours. */
  const relay = (
    message: ConsentRecordMessage,
    send: () => Promise<ConsentTransaction>,
  ): Promise<ConsentTransaction> => {
    if (message.custodian !== custodian) {
      return Promise.reject(
        new CustosError("INVALID_ARGUMENT", "signed message is for another custodian", {
          details: { field: "custodian", expected: custodian, actual: message.custodian },
        }),
      );
    }
    return send();
  };

  /** The plan of one batch call: its mined transactions are followed by one watcher. */
  const batchPlan = (
    gasPerItem: bigint,
    estimate: (chunk: readonly BatchEntry[]) => Promise<bigint>,
    submit: (chunk: readonly BatchEntry[], options: SubmitOptions) => Promise<Hex>,
  ): ChunkedBatchPlan => {
    const watcher = createReceiptWatcher(bound.provider);
    return {
      provider: bound.provider,
      gasPerItem,
      estimate,
      nextNonce: () => pendingNonce(bound),
      submit: (chunk, gasLimit, nonce) => submit(chunk, { gasLimit, nonce }),
      mined: async (hash) => {
        const receipt = await watcher.wait(hash);
        if (receipt.status !== 1) {
          // A mined revert carries no revert data; runChunkedBatch estimates the chunk again.
          throw new CustosError("LEDGER_CONTRACT_REVERTED", "transaction reverted", {
            details: { contract: null, error: null, args: {}, data: null, hash },
          });
        }
        return transactionResultOf(bound, receipt);
      },
    };
  };

  const batchGrant = (
    entries: readonly BatchEntry[],
    terms: ConsentTerms,
    batchOptions: BatchOptions | undefined,
  ): Promise<BatchResult> => {
    const argsOf = (chunk: readonly BatchEntry[]) =>
      [custodian, chunk.map((e) => e.subject), terms, chunk.map((e) => e.documentHash)] as const;
    const plan = batchPlan(
      GRANT_GAS_PER_ITEM,
      (chunk) => estimateLedgerGas(bound, fns.batchGrant, argsOf(chunk)),
      (chunk, options) => submitLedgerTransaction(bound, fns.batchGrant, argsOf(chunk), options),
    );
    return runChunkedBatch(entries, plan, batchOptions);
  };

  const batchRevoke = (
    entries: readonly BatchEntry[],
    batchOptions: BatchOptions | undefined,
  ): Promise<BatchResult> => {
    const argsOf = (chunk: readonly BatchEntry[]) =>
      [custodian, chunk.map((e) => e.subject), chunk.map((e) => e.documentHash)] as const;
    const plan = batchPlan(
      REVOKE_GAS_PER_ITEM,
      (chunk) => estimateLedgerGas(bound, fns.batchRevoke, argsOf(chunk)),
      (chunk, options) => submitLedgerTransaction(bound, fns.batchRevoke, argsOf(chunk), options),
    );
    return runChunkedBatch(entries, plan, batchOptions);
  };

  async function* ownEvents(
    events: AsyncGenerator<ConsentRegistryEvent, void>,
  ): AsyncGenerator<ConsentRegistryEvent, void> {
    // The topic filter selects the custodian; checking the decoded argument as well keeps
    // another custodian's events out even if a node ignored the filter.
    for await (const event of events) if (eventCustodian(event) === custodian) yield event;
  }

  return {
    address: bound.address,
    custodian,
    grant: (words, txOptions) =>
      sendLedgerTransaction(
        bound,
        fns.grant,
        [custodian, words.subject, words, words.documentHash],
        txOptions,
      ),
    update: (words, txOptions) =>
      sendLedgerTransaction(
        bound,
        fns.update,
        [custodian, words.subject, words, words.documentHash],
        txOptions,
      ),
    revoke: (subject, documentHash, txOptions) =>
      sendLedgerTransaction(bound, fns.revoke, [custodian, subject, documentHash], txOptions),
    setPatientKey: (subject, key, txOptions) =>
      sendLedgerTransaction(
        bound,
        fns.setPatientKey,
        [custodian, subject, key ?? ZeroAddress],
        txOptions,
      ),
    setDelegate: (subject, delegate, allowed, txOptions) =>
      sendLedgerTransaction(
        bound,
        fns.setDelegate,
        [custodian, subject, delegate, allowed],
        txOptions,
      ),
    invalidateSignatures: (subject, txOptions) =>
      sendLedgerTransaction(bound, fns.invalidateSignatures, [custodian, subject], txOptions),
    batchGrant,
    batchRevoke,
    nonceOf,
    domain,
    signGrant: (signer, words, signOptions) =>
      sign("Grant", signer, termsFields(words), signOptions),
    signUpdate: (signer, words, signOptions) =>
      sign("Update", signer, termsFields(words), signOptions),
    signRevoke: (signer, change, signOptions) =>
      sign(
        "Revoke",
        signer,
        { subject: change.subject, documentHash: change.documentHash },
        signOptions,
      ),
    signSetDelegate: (signer, change, signOptions) =>
      sign(
        "SetDelegate",
        signer,
        { subject: change.subject, delegate: change.delegate, allowed: change.allowed },
        signOptions,
      ),
    signInvalidateSignatures: (signer, change, signOptions) =>
      sign("InvalidateSignatures", signer, { subject: change.subject }, signOptions),
    grantBySig: ({ message: m, signature }, txOptions) =>
      relay(m, () =>
        sendLedgerTransaction(
          bound,
          fns.grantBySig,
          [custodian, m.subject, m, m.documentHash, m.nonce, m.deadline, signature],
          txOptions,
        ),
      ),
    updateBySig: ({ message: m, signature }, txOptions) =>
      relay(m, () =>
        sendLedgerTransaction(
          bound,
          fns.updateBySig,
          [custodian, m.subject, m, m.documentHash, m.nonce, m.deadline, signature],
          txOptions,
        ),
      ),
    revokeBySig: ({ message: m, signature }, txOptions) =>
      relay(m, () =>
        sendLedgerTransaction(
          bound,
          fns.revokeBySig,
          [custodian, m.subject, m.documentHash, m.nonce, m.deadline, signature],
          txOptions,
        ),
      ),
    setDelegateBySig: ({ message: m, signature }, txOptions) =>
      relay(m, () =>
        sendLedgerTransaction(
          bound,
          fns.setDelegateBySig,
          [custodian, m.subject, m.delegate, m.allowed, m.nonce, m.deadline, signature],
          txOptions,
        ),
      ),
    invalidateSignaturesBySig: ({ message: m, signature }, txOptions) =>
      relay(m, () =>
        sendLedgerTransaction(
          bound,
          fns.invalidateSignaturesBySig,
          [custodian, m.subject, m.nonce, m.deadline, signature],
          txOptions,
        ),
      ),
    consentOf: async (subject) => {
      const c = await callLedgerView(bound, fns.consentOf, [custodian, subject]);
      const status = consentStatusNames[c.status];
      if (status === undefined) {
        throw new CustosError("LEDGER_BAD_RESPONSE", "unknown consent status", {
          details: { status: String(c.status) },
        });
      }
      return {
        subject,
        purposes: c.purposes,
        categories: c.categories,
        validFrom: c.validFrom,
        validUntil: c.validUntil,
        status,
        version: c.version,
        custodian: c.custodian,
        nonce: c.nonce,
      };
    },
    isPermitted: (subject, use, categories, at) =>
      callLedgerView(bound, fns.isPermitted, [custodian, subject, use, categories, at]),
    patientKeyOf: async (subject) => {
      const key = await callLedgerView(bound, fns.patientKeyOf, [custodian, subject]);
      return key === ZeroAddress ? null : key;
    },
    isDelegate: (subject, account) =>
      callLedgerView(bound, fns.isDelegate, [custodian, subject, account]),
    consentEvents: (eventOptions = {}) =>
      ownEvents(
        readLedgerEvents<ConsentRegistryEvent>(
          {
            provider: bound.provider,
            address: bound.address,
            abi: bound.abi,
            eventNames: consentEventNames,
            topics: [eventOptions.subject ?? null, custodianTopic],
          },
          eventOptions,
        ),
      ),
  };
}
