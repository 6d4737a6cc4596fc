/**
 * Metadata of one registered error code.
 *
 * `httpStatus` is what the node's HTTP boundary answers with; `rpcCode` is the EIP-1474
 * JSON-RPC code used at the JSON-RPC boundary.
 */
export interface ErrorCodeInfo {
  /** One sentence: what went wrong, for docs/errors.md. */
  readonly description: string;
  /** HTTP status at REST boundaries. */
  readonly httpStatus: number;
  /** EIP-1474 JSON-RPC error code at the JSON-RPC boundary. */
  readonly rpcCode: number;
}

/**
 * The single registry of Custos error codes. Codes are stable strings: clients match on
 * them, so a code is never renamed or reused. docs/errors.md is generated from this table
 * (`npm run docs:errors`) and a test keeps the two identical.
 */
export const errorCodes = {
  INTERNAL: {
    description: "An unexpected failure inside Custos; the cause carries the original error.",
    httpStatus: 500,
    rpcCode: -32603,
  },
  INVALID_ARGUMENT: {
    description: "An argument passed to an SDK function is malformed or out of range.",
    httpStatus: 400,
    rpcCode: -32602,
  },
  CONFIG_INVALID: {
    description: "A configuration document failed schema validation; details name the field.",
    httpStatus: 400,
    rpcCode: -32602,
  },
  CLI_USAGE: {
    description:
      "The command line could not be parsed: an unknown command or flag, a missing value or argument, or a value of the wrong type; the CLI exits with 2.",
    httpStatus: 400,
    rpcCode: -32602,
  },
  // Anonymisation engine (src/anonymise).
  ANONYMISE_CSV_INVALID: {
    description:
      "A CSV document could not be parsed into a table; details name the row and column.",
    httpStatus: 400,
    rpcCode: -32602,
  },
  ANONYMISE_CONFIG_INVALID: {
    description:
      "An anonymisation configuration is invalid; details name the attribute, model or field.",
    httpStatus: 400,
    rpcCode: -32602,
  },
  ANONYMISE_HIERARCHY_INVALID: {
    description:
      "A generalisation hierarchy is malformed or lacks a data value; details name the value and row.",
    httpStatus: 400,
    rpcCode: -32602,
  },
  ANONYMISE_NO_SOLUTION: {
    description:
      "No generalisation in the lattice satisfies the privacy models within the suppression limit.",
    httpStatus: 422,
    rpcCode: -32000,
  },
  // ---- pseudonyms and consent model (src/pseudonym, src/consent FHIR mapping) ----
  PSEUDONYM_KEY_INVALID: {
    description:
      "Pseudonym key material or its derivation parameters are unusable (master key under 32 bytes, bad hex, bad version or project id).",
    httpStatus: 400,
    rpcCode: -32602,
  },
  PSEUDONYM_IDENTIFIER_INVALID: {
    description:
      "An identifier to pseudonymise is empty or invalid for its kind; details name the problem and batch index, never the identifier.",
    httpStatus: 400,
    rpcCode: -32602,
  },
  CONSENT_RECORD_INVALID: {
    description:
      "A consent record or consent word is malformed or inconsistent; details name the field and the problem.",
    httpStatus: 400,
    rpcCode: -32602,
  },
  CONSENT_FHIR_INVALID: {
    description:
      "A FHIR R4 Consent document is malformed (wrong type, missing or ill-typed element); details name the element path.",
    httpStatus: 400,
    rpcCode: -32602,
  },
  CONSENT_FHIR_UNSUPPORTED: {
    description:
      "A FHIR R4 Consent uses an element or value Custos cannot represent exactly; details name the element path and the reason.",
    httpStatus: 422,
    rpcCode: -32602,
  },
  // Disclosure control (src/disclosure): release rules for aggregate statistics.
  DISCLOSURE_INVALID_TABLE: {
    description:
      "A count table is malformed: bad dimension, category, shape or cell count; details name it.",
    httpStatus: 400,
    rpcCode: -32602,
  },
  DISCLOSURE_POLICY_INVALID: {
    description:
      "A disclosure policy or privacy parameter is out of range or inconsistent; details name the field.",
    httpStatus: 400,
    rpcCode: -32602,
  },
  DISCLOSURE_INVALID_COHORT: {
    description:
      "A cohort is not a strictly increasing list of uint32 subject ids; details name the position.",
    httpStatus: 400,
    rpcCode: -32602,
  },
  DISCLOSURE_DIFFERENCING: {
    description:
      "A release was refused because its cohort differs from an earlier release by fewer subjects than the minimum cell size.",
    httpStatus: 403,
    rpcCode: -32003,
  },
  DISCLOSURE_BUDGET_EXCEEDED: {
    description:
      "A release was refused because it would exceed the requester's privacy budget (epsilon) at the hospital.",
    httpStatus: 403,
    rpcCode: -32003,
  },
  DISCLOSURE_AUDIT_FAILED: {
    description:
      "The suppression audit found a suppressed cell whose feasible range is narrower than the protection interval.",
    httpStatus: 500,
    rpcCode: -32603,
  },
  // ---- audit model and index (src/audit, nodes/audit) ----
  AUDIT_EVENT_UNDECODABLE: {
    description:
      "A log of a Custos contract is none of its events, or its topics or data are not the event's canonical ABI encoding (the contract and the audit model disagree); details name the contract, block and log index.",
    httpStatus: 500,
    rpcCode: -32603,
  },
  AUDIT_REQUEST_INVALID: {
    description:
      "An audit read's argument is malformed or out of range (an address, query id, subject, organisation, purpose, time range or page size); details name the field.",
    httpStatus: 400,
    rpcCode: -32602,
  },
  AUDIT_PAGE_TOO_LARGE: {
    description:
      "An audit read asked for more items per page than the index serves; details give the limit asked for and the maximum.",
    httpStatus: 400,
    rpcCode: -32005,
  },
  AUDIT_CURSOR_INVALID: {
    description:
      "An audit read's cursor was not returned by the same read (damaged, or from another list); start again without a cursor.",
    httpStatus: 400,
    rpcCode: -32602,
  },
  AUDIT_INDEX_GAP: {
    description:
      "A block was offered to the audit index out of order: not the block after its last indexed one (details name both); nothing was written.",
    httpStatus: 500,
    rpcCode: -32603,
  },
  AUDIT_INDEX_CORRUPT: {
    description:
      "A record of the node's audit index does not decode; the index is derived from the chain and is rebuilt by restarting the node with --reindex (or deleting <dataDir>/audit).",
    httpStatus: 500,
    rpcCode: -32603,
  },
  AUDIT_INDEX_UNAVAILABLE: {
    description:
      "The node's audit index cannot be read or written: it is closed, or its database failed to open or write; details carry the cause.",
    httpStatus: 503,
    rpcCode: -32603,
  },
  // ---- audit exports: FHIR AuditEvent (IHE BALP), CSV, JSON Lines (src/auditExport) ----
  AUDIT_EXPORT_INPUT_INVALID: {
    description:
      "An audit export was given something it cannot map: an entry that is not of the audit model, a malformed chain location, subject pseudonym or export context (chain id, observer, contract addresses); details name the field.",
    httpStatus: 400,
    rpcCode: -32602,
  },
  AUDIT_EXPORT_QUERY_UNKNOWN: {
    description:
      "An audit export needs a query's summary (its researcher and purpose) for a result or decline and the export context has none for that query id; details give the query id.",
    httpStatus: 500,
    rpcCode: -32603,
  },
  // ---- ledger clients: contract errors and chain access (src/ledger) ----
  CONSENT_UNAUTHORISED: {
    description:
      "The account may not make this consent change: not a recorder of the custodian hospital, nor the patient key or a delegate.",
    httpStatus: 403,
    rpcCode: -32003,
  },
  CONSENT_ALREADY_ACTIVE: {
    description: "A grant was made while the subject's consent is active; update it instead.",
    httpStatus: 409,
    rpcCode: -32003,
  },
  CONSENT_NOT_ACTIVE: {
    description: "An update or revocation was made while the subject's consent is not active.",
    httpStatus: 409,
    rpcCode: -32003,
  },
  CONSENT_REVOKED_IN_BATCH: {
    description:
      "A batch grant named a subject whose consent is revoked; only a single grant may re-grant it.",
    httpStatus: 409,
    rpcCode: -32003,
  },
  SIGNATURE_INVALID: {
    description:
      "An EIP-712 signature was rejected: malformed (no signer can be recovered) or past its deadline.",
    httpStatus: 403,
    rpcCode: -32003,
  },
  SIGNATURE_STALE: {
    description:
      "An EIP-712 signature commits to an older nonce of the consent record: the record changed since it was signed (or the signature was used or invalidated); sign again at the current nonce.",
    httpStatus: 409,
    rpcCode: -32003,
  },
  MEMBERSHIP_DENIED: {
    description:
      "The account lacks the consortium membership or role the call needs (researcher, review board, recorder, hospital, governance).",
    httpStatus: 403,
    rpcCode: -32003,
  },
  LEDGER_BUDGET_EXCEEDED: {
    description:
      "Recording the result would spend more privacy budget (ε) than the hospital's limit leaves for the researcher organisation.",
    httpStatus: 422,
    rpcCode: -32005,
  },
  LEDGER_QUERY_EXPIRED: {
    description: "The query has expired: it accepts no further approval or response.",
    httpStatus: 410,
    rpcCode: -32003,
  },
  LEDGER_NOT_FOUND: {
    description: "The contract knows no such query, organisation, proposal, checkpoint or subject.",
    httpStatus: 404,
    rpcCode: -32001,
  },
  LEDGER_CONFLICT: {
    description:
      "The contract's current state does not allow the change (already approved, voted or answered, wrong status, last member, nothing to change).",
    httpStatus: 409,
    rpcCode: -32003,
  },
  LEDGER_INVALID_INPUT: {
    description:
      "The contract rejected an argument (zero hash or address, undefined bits, bad validity, bad targets, expiry in the past).",
    httpStatus: 400,
    rpcCode: -32000,
  },
  LEDGER_CONTRACT_REVERTED: {
    description:
      "A contract call reverted for a reason without a specific code; details carry the contract, error name and arguments or the raw revert data.",
    httpStatus: 422,
    rpcCode: -32003,
  },
  LEDGER_TRANSACTION_REJECTED: {
    description:
      "The node or wallet refused the transaction itself (insufficient funds, stale nonce, underpriced replacement, user rejection).",
    httpStatus: 409,
    rpcCode: -32003,
  },
  LEDGER_BAD_RESPONSE: {
    description:
      "The node's answer does not decode against the contract ABI: no contract or another contract at the address.",
    httpStatus: 502,
    rpcCode: -32603,
  },
  LEDGER_UNAVAILABLE: {
    description:
      "The chain could not be reached or answered with a transport or server failure; the cause keeps the original error.",
    httpStatus: 503,
    rpcCode: -32002,
  },
  LEDGER_ABORTED: {
    description:
      "The caller's AbortSignal stopped the operation; details say whether a transaction had already been sent.",
    httpStatus: 408,
    rpcCode: -32000,
  },
  // ---- anonymisation profiles and the anonymise command (src/anonymise, custos anonymise) ----
  ANONYMISE_VALUE_INVALID: {
    description:
      "A data value cannot be recoded by a profile rule (malformed ZIP code, age or date); details name the column and data row.",
    httpStatus: 400,
    rpcCode: -32602,
  },
  ANONYMISE_IO_FAILED: {
    description:
      "The anonymise command could not read an input file or write an output file; details name the file's role and path.",
    httpStatus: 500,
    rpcCode: -32603,
  },
  // Transaction pool admission (nodes/txpool): messages start with geth's wording so tools match them.
  TXPOOL_DECODE_FAILED: {
    description: "Raw transaction bytes are not a valid legacy, EIP-2930 or EIP-1559 encoding.",
    httpStatus: 400,
    rpcCode: -32602,
  },
  TXPOOL_TX_TYPE_UNSUPPORTED: {
    description:
      "The transaction type is not accepted by the pool (only legacy, EIP-2930 and EIP-1559).",
    httpStatus: 400,
    rpcCode: -32000,
  },
  TXPOOL_WRONG_CHAIN: {
    description: "The transaction is signed for another chain id than the node's chain.",
    httpStatus: 400,
    rpcCode: -32000,
  },
  TXPOOL_UNPROTECTED: {
    description: "A legacy transaction without EIP-155 replay protection was refused.",
    httpStatus: 400,
    rpcCode: -32000,
  },
  TXPOOL_INVALID_SENDER: {
    description: "The transaction is unsigned or its signature does not recover a sender.",
    httpStatus: 400,
    rpcCode: -32000,
  },
  TXPOOL_SENDER_NOT_MEMBER: {
    description: "The transaction's sender is not an account of a Consortium member.",
    httpStatus: 403,
    rpcCode: -32003,
  },
  TXPOOL_OVERSIZED: {
    description: "The encoded transaction is larger than the pool's per-transaction size limit.",
    httpStatus: 413,
    rpcCode: -32000,
  },
  TXPOOL_INTRINSIC_GAS: {
    description:
      "The transaction's gas limit is below its intrinsic gas (base, data and access-list cost).",
    httpStatus: 400,
    rpcCode: -32000,
  },
  TXPOOL_GAS_LIMIT: {
    description: "The transaction's gas limit exceeds the current block gas limit.",
    httpStatus: 400,
    rpcCode: -32000,
  },
  TXPOOL_GAS_LIMIT_TOO_HIGH: {
    description:
      "The transaction's gas limit exceeds the per-transaction gas cap of 16,777,216 (2^24, as EIP-7825); blocks carrying such a transaction are invalid.",
    httpStatus: 400,
    rpcCode: -32000,
  },
  TXPOOL_TIP_ABOVE_FEE_CAP: {
    description: "An EIP-1559 transaction's max priority fee is higher than its max fee per gas.",
    httpStatus: 400,
    rpcCode: -32000,
  },
  TXPOOL_UNDERPRICED: {
    description:
      "The transaction's tip is below the pool minimum, or it cannot outbid the cheapest transaction of a full pool.",
    httpStatus: 400,
    rpcCode: -32000,
  },
  TXPOOL_REPLACEMENT_UNDERPRICED: {
    description:
      "A transaction with the same sender and nonce is pooled and the new one does not raise both fees by the price bump.",
    httpStatus: 409,
    rpcCode: -32000,
  },
  TXPOOL_ALREADY_KNOWN: {
    description: "A transaction with the same hash is already in the pool.",
    httpStatus: 409,
    rpcCode: -32000,
  },
  TXPOOL_NONCE_TOO_LOW: {
    description: "The transaction's nonce is below the sender's account nonce.",
    httpStatus: 400,
    rpcCode: -32000,
  },
  TXPOOL_NONCE_TOO_HIGH: {
    description:
      "The transaction's nonce is further ahead of the account nonce than the per-sender limit allows.",
    httpStatus: 400,
    rpcCode: -32000,
  },
  TXPOOL_INSUFFICIENT_FUNDS: {
    description:
      "The sender's balance does not cover gas limit * max fee + value of its pooled transactions plus this one.",
    httpStatus: 400,
    rpcCode: -32000,
  },
  TXPOOL_SENDER_LIMIT: {
    description: "The sender already has the maximum number of transactions in the pool.",
    httpStatus: 429,
    rpcCode: -32000,
  },
  TXPOOL_FULL: {
    description:
      "The pool (or its future-nonce queue) is at capacity and nothing cheaper can be evicted.",
    httpStatus: 503,
    rpcCode: -32000,
  },
  // Consent index (src/consentIndex)
  CONSENT_DENIED: {
    description:
      "Consent does not permit this use of the subject's data; details.reason names the rule that denied it.",
    httpStatus: 403,
    rpcCode: -32003,
  },
  CONSENT_CHANGE_INVALID: {
    description:
      "A consent change given to the consent index is malformed; details name the field and its position in the batch.",
    httpStatus: 400,
    rpcCode: -32602,
  },
  CONSENT_INDEX_FULL: {
    description: "The consent index cannot hold more subjects than its maximum size.",
    httpStatus: 507,
    rpcCode: -32005,
  },
  CONSENT_SYNC_REGRESSION: {
    description:
      "The consent index was marked synced at a block below the one it was already synced to.",
    httpStatus: 409,
    rpcCode: -32000,
  },
  CONSENT_SPOT_CHECK_READ_FAILED: {
    description:
      "Reading a subject's consent record from the contract failed or returned a malformed record during a spot check.",
    httpStatus: 502,
    rpcCode: -32002,
  },
  CONSENT_INDEX_BUSY: {
    description:
      "A change was applied to the consent index while an asynchronous cohort filter was reading it; apply it after whenIdle().",
    httpStatus: 503,
    rpcCode: -32002,
  },
  CONSENT_COHORT_ABORTED: {
    description: "A cohort filter was abandoned because its AbortSignal fired.",
    httpStatus: 408,
    rpcCode: -32000,
  },
  CONSENT_COHORT_EXECUTOR_CLOSED: {
    description: "A cohort filter was given to a cohort executor that is closed (or closing).",
    httpStatus: 503,
    rpcCode: -32002,
  },
  CONSENT_COHORT_WORKER_FAILED: {
    description:
      "A cohort worker thread failed to start, crashed or reported an error; details name the worker and the cause keeps the error.",
    httpStatus: 500,
    rpcCode: -32603,
  },
  // Node JSON-RPC (nodes/rpc): EIP-1474 boundary and transaction admission.
  RPC_PARSE_ERROR: {
    description: "A JSON-RPC request body is not valid JSON.",
    httpStatus: 400,
    rpcCode: -32700,
  },
  RPC_INVALID_REQUEST: {
    description:
      "A JSON-RPC message is not a valid request object (jsonrpc, method, params or id malformed, or an empty batch).",
    httpStatus: 400,
    rpcCode: -32600,
  },
  RPC_METHOD_NOT_FOUND: {
    description: "The JSON-RPC method does not exist on this node.",
    httpStatus: 404,
    rpcCode: -32601,
  },
  RPC_METHOD_NOT_SUPPORTED: {
    description:
      "The JSON-RPC method exists but not on this transport (subscriptions over HTTP) or not with these options.",
    httpStatus: 400,
    rpcCode: -32004,
  },
  RPC_INVALID_PARAMS: {
    description:
      "A JSON-RPC parameter is missing, extra or malformed; details.path names it (e.g. params[0].topics[1]).",
    httpStatus: 400,
    rpcCode: -32602,
  },
  RPC_LIMIT_EXCEEDED: {
    description:
      "A request exceeds a configured limit (batch size, getLogs block range or result count, feeHistory span, subscriptions per connection, calls of one client waiting for a worker); details name the limit.",
    httpStatus: 429,
    rpcCode: -32005,
  },
  RPC_BODY_TOO_LARGE: {
    description: "A request body is larger than the configured body limit.",
    httpStatus: 413,
    rpcCode: -32005,
  },
  RPC_RESOURCE_NOT_FOUND: {
    description:
      "A block named by hash or number in a request does not exist on this node (EIP-1898 resource not found).",
    httpStatus: 404,
    rpcCode: -32001,
  },
  RPC_BLOCK_NOT_CANONICAL: {
    description:
      "An EIP-1898 block parameter with requireCanonical names a block that is not on the canonical chain.",
    httpStatus: 409,
    rpcCode: -32000,
  },
  RPC_EXECUTION_REVERTED: {
    description:
      "An eth_call or eth_estimateGas execution reverted; the JSON-RPC boundary answers code 3 (as geth) with the revert data in error.data.",
    httpStatus: 400,
    rpcCode: -32000,
  },
  RPC_EXECUTION_FAILED: {
    description:
      "An eth_call or eth_estimateGas execution halted exceptionally (out of gas, invalid opcode); the message names the reason.",
    httpStatus: 400,
    rpcCode: -32000,
  },
  RPC_FILTER_NOT_FOUND: {
    description:
      "A polling filter id is unknown: never installed, uninstalled, expired after its idle timeout, or of another kind than the method needs (message 'filter not found', as geth).",
    httpStatus: 404,
    rpcCode: -32000,
  },
  RPC_CALL_TIMEOUT: {
    description:
      "An eth_call or eth_estimateGas did not finish within the wall-clock limit (rpc.call.timeoutMs, waiting for a worker included) and was stopped; message 'execution aborted (timeout = …)', as geth.",
    httpStatus: 408,
    rpcCode: -32000,
  },
  // ---- k-map privacy model (src/anonymise) ----
  ANONYMISE_POPULATION_INVALID: {
    description:
      "A k-map population table is not a superset of the sample: a quasi-identifier combination occurs more often in the sample than in the population; details name the model field, the values and both counts.",
    httpStatus: 400,
    rpcCode: -32602,
  },
  // Node state path (nodes/db, nodes/execution, nodes/chain): storage, EVM execution, genesis.
  CHAIN_DB_CORRUPT: {
    description:
      "The chain database is damaged: a block or one of its parts is missing or does not decode or verify, the database is shorter than its head marker, or a LevelDB file (CURRENT, MANIFEST) is damaged; details name the block (number, hash, part), the keyspace and key, or the file.",
    httpStatus: 500,
    rpcCode: -32603,
  },
  CHAIN_DB_COMMIT_FAILED: {
    description:
      "A block could not be committed atomically (the stored head is unchanged, and the database refuses further commits until the node restarts), or it was committed but its head marker could not be updated (details name the file); the cause carries the storage error.",
    httpStatus: 500,
    rpcCode: -32603,
  },
  CHAIN_DB_INCOMPATIBLE: {
    description:
      "The chain database was written under another block-hash rule than the node hashes by (by a Custos version before QBFT block hashes: its blocks carry no QBFT extraData and link by EthereumJS's header hashes), so it is neither served nor extended; details name the directory and both rules. It cannot be migrated: start from a new data directory.",
    httpStatus: 500,
    rpcCode: -32603,
  },
  CHAIN_DB_REINDEX_REQUIRED: {
    description:
      "The chain database stores its state under the layout before state pruning (trie nodes keyed by hex text, storage tries unseparated), which this version cannot read or prune; details name the directory. Run the node once with `--reindex`: it re-executes the stored blocks into the current layout.",
    httpStatus: 500,
    rpcCode: -32603,
  },
  LOG_QUERY_TOO_LARGE: {
    description:
      "A log query spans more blocks or matches more logs than the configured caps; details name the cap and the limit.",
    httpStatus: 413,
    rpcCode: -32005,
  },
  STATE_NOT_AVAILABLE: {
    description:
      "The state of the requested block is not in the database (unknown state root or missing trie node).",
    httpStatus: 404,
    rpcCode: -32000,
  },
  BLOCK_INVALID: {
    description:
      "A received block fails re-execution or structural checks; details name the field (stateRoot, receiptsRoot, logsBloom, gasUsed, transactionsRoot, parent, transaction) with expected and actual values.",
    httpStatus: 422,
    rpcCode: -32000,
  },
  // QBFT blocks (nodes/chain/qbft): Besu's extraData layout and commit seals.
  QBFT_EXTRA_DATA_INVALID: {
    description:
      "A block's extraData is not QBFT extraData in Besu's layout (vanity, validators, vote, round, seals; canonical RLP, minimal round, 65-byte seals); details name the field, the reason and the index in a list.",
    httpStatus: 422,
    rpcCode: -32000,
  },
  QBFT_SEAL_INVALID: {
    description:
      "A sealed QBFT block fails Besu's seal rules: extraData, validator set, proposer, an unrecoverable seal, a committer outside the set, a duplicate committer or too few seals; details name the rule, the block number and hash, and the seal.",
    httpStatus: 422,
    rpcCode: -32000,
  },
  EXECUTION_REVERTED: {
    description:
      "A call or gas estimate reverted or ran out of gas at every gas limit; details carry the revert data (message starts with 'execution reverted', as ethers and viem expect).",
    httpStatus: 422,
    rpcCode: -32000,
  },
  GENESIS_INVALID: {
    description:
      "A genesis document failed validation or its contracts could not be deployed; details name the field.",
    httpStatus: 400,
    rpcCode: -32602,
  },
  // createLevelConsentIndexStore.ts; nodes/bin/commands/consent.ts)
  CONSENT_SYNC_STOPPED: {
    description:
      "The consent index sync was stopped (or its signal aborted) before it caught up with the chain.",
    httpStatus: 503,
    rpcCode: -32002,
  },
  CONSENT_INDEX_STORE_MISMATCH: {
    description:
      "The persisted consent index belongs to another chain or registry, or its sync position is ahead of the chain's head; details name which.",
    httpStatus: 409,
    rpcCode: -32000,
  },
  CONSENT_INDEX_STORE_CORRUPT: {
    description:
      "A persisted consent record or sync position does not decode; details name the key kind and the problem.",
    httpStatus: 500,
    rpcCode: -32603,
  },
  CONSENT_INDEX_STORE_FAILED: {
    description:
      "Reading or writing the consent index's storage failed; the cause keeps the storage error.",
    httpStatus: 503,
    rpcCode: -32002,
  },
  CONSENT_IMPORT_INVALID: {
    description:
      "A consent import file or its terms are malformed; details name the line (or the terms field) and the problem.",
    httpStatus: 400,
    rpcCode: -32602,
  },
  CONSENT_IMPORT_VERIFY_MISMATCH: {
    description:
      "The chain does not hold what a consent import file says: a row's consent record (status, terms, custodian) or document hash read back from the chain differs from the file, or the consent-index root over the file's subjects differs from the file's own; details name the first mismatching line, the field, the check (sample or index) and both values (never the subject).",
    httpStatus: 409,
    rpcCode: -32000,
  },
  CONSENT_TERMS_UNKNOWN_CODE: {
    description:
      "A consent's terms name a DUO purpose label or a data category Custos does not know; details name the field, the word and the known ones.",
    httpStatus: 400,
    rpcCode: -32602,
  },
  SYNC_NO_PEER: {
    description:
      "Block sync found no connected peer that has the next block (or every such peer failed a request or served a block that did not verify); details name the height wanted and the peers' heads. The node retries when peers connect or announce new heads.",
    httpStatus: 503,
    rpcCode: -32603,
  },
  NODE_ABORTED: {
    description:
      "A node operation (reindex, start-up) was stopped before it finished; nothing partial was kept.",
    httpStatus: 503,
    rpcCode: -32603,
  },
  EVM_VERSION_UNSUPPORTED: {
    description:
      "The installed @ethereumjs/evm is not the exact version the node's interpreter patches were written for (details name both); reinstall the pinned dependencies (npm ci).",
    httpStatus: 500,
    rpcCode: -32603,
  },
  BLOCK_HASH_PATCH_UNSUPPORTED: {
    description:
      "The installed @ethereumjs/block is not the exact version the node's block-hash patch (Besu's QBFT on-chain hash in BlockHeader.hash) was written for (details name both); reinstall the pinned dependencies (npm ci).",
    httpStatus: 500,
    rpcCode: -32603,
  },
  NODE_START_FAILED: {
    description:
      "The node could not start: its RPC address is in use or unusable, or its data directory cannot be created or written (details name the path and errno code) or is in use by another process (details name its pid); the message says why.",
    httpStatus: 503,
    rpcCode: -32603,
  },
  // p2p network (nodes/network).
  P2P_MESSAGE_INVALID: {
    description:
      "A peer's p2p frame or message does not decode (oversized, truncated, trailing bytes, unknown type or field); details name the fault. The frame is dropped, counted and the peer penalised.",
    httpStatus: 400,
    rpcCode: -32602,
  },
  P2P_PEER_UNAVAILABLE: {
    description:
      "The peer has no established p2p session (not connected, refused or gone), or its connection failed during the request; details name the peer id.",
    httpStatus: 503,
    rpcCode: -32603,
  },
  P2P_TIMEOUT: {
    description:
      "A peer did not answer a p2p request within the timeout; the peer is penalised. Details name the peer id.",
    httpStatus: 504,
    rpcCode: -32603,
  },
  P2P_BAD_RESPONSE: {
    description:
      "A peer's answer to a sync request does not decode or holds more items than asked; the peer is penalised. Details name the peer id and fault.",
    httpStatus: 502,
    rpcCode: -32603,
  },
  P2P_SYNC_REFUSED: {
    description:
      "A peer answered that it could not serve a sync request (no server installed, or its server failed); details name the range.",
    httpStatus: 502,
    rpcCode: -32603,
  },
  P2P_STOPPED: {
    description: "The p2p network was stopped; no further requests are made.",
    httpStatus: 503,
    rpcCode: -32603,
  },
  P2P_LISTEN_FAILED: {
    description:
      "The p2p network could not listen on its address (in use, or not an address of this machine); details name the host and port, the cause the system error.",
    httpStatus: 503,
    rpcCode: -32603,
  },
  // QBFT consensus core (nodes/consensus/core): driver input and the durable signing record.
  CONSENSUS_INPUT_INVALID: {
    description:
      "The consensus core was given an invalid configuration, validator set, chain head or driver event (a block built for the wrong height, round, parent or proposer), or a consumed state; details name the field.",
    httpStatus: 500,
    rpcCode: -32603,
  },
  CONSENSUS_RECORD_CORRUPT: {
    description:
      "A validator's persisted consensus signing record cannot be decoded; the node refuses to vote rather than risk signing twice. Details name the field.",
    httpStatus: 500,
    rpcCode: -32603,
  },
  CONSENSUS_RECORD_STORE_FAILED: {
    description:
      "A validator's consensus signing record cannot be read or made durable (details name the path, the operation and the errno code); the validator stops rather than send a message it has not recorded.",
    httpStatus: 500,
    rpcCode: -32603,
  },
  // Hospital OMOP CDM data (src/omopStore): the databases the data service reads.
  OMOP_STORE_UNAVAILABLE: {
    description:
      "The hospital's OMOP database cannot be reached or opened (details name the engine, the target without its password, and the cause); nothing was run.",
    httpStatus: 503,
    rpcCode: -32603,
  },
  OMOP_STORE_INVALID_DATA: {
    description:
      "An OMOP CDM directory or database is not usable: a required table or column is missing, or a file cannot be parsed (details name the table, column, file and line where known).",
    httpStatus: 422,
    rpcCode: -32602,
  },
  OMOP_STORE_QUERY_FAILED: {
    description:
      "A statement against the OMOP database failed or was cancelled (details name the engine and the cause; never the parameters, which may hold person ids).",
    httpStatus: 500,
    rpcCode: -32603,
  },
  // Query specs (src/query): the JSON a researcher submits, validated and compiled to SQL.
  QUERY_SPEC_INVALID: {
    description:
      "A query spec is malformed: an unknown field, a wrong type, a value out of range or a dangling reference; details name the field by its JSON pointer.",
    httpStatus: 400,
    rpcCode: -32602,
  },
  QUERY_ROW_LEVEL_REFUSED: {
    description:
      "A query spec asks for row-level output or free SQL; only the aggregate measures of the spec language are run, so nothing was run.",
    httpStatus: 400,
    rpcCode: -32602,
  },
  QUERY_MEASURE_REFUSED: {
    description:
      "A measure cannot meet the disclosure rules (a minimum, maximum or single-person value, too many cells, bins finer than allowed); details name the measure and the rule.",
    httpStatus: 422,
    rpcCode: -32602,
  },
  QUERY_COHORT_TOO_SMALL: {
    description:
      "The cohort at a hospital is smaller than the minimum cell size, so no statistic about it is released; details give the threshold, not the count.",
    httpStatus: 422,
    rpcCode: -32003,
  },
  QUERY_UNKNOWN_CONCEPT: {
    description:
      "A concept id in a query spec is not in the hospital's vocabulary (CONCEPT table); details name the field and the concept id.",
    httpStatus: 422,
    rpcCode: -32602,
  },
  // The federated query protocol (src/federation) between researchers and data services.
  FEDERATION_REQUEST_UNAUTHORISED: {
    description:
      "A request to a data service is unsigned, badly signed, signed by an account that is not the query's researcher, or outside the accepted clock window; nothing was disclosed.",
    httpStatus: 401,
    rpcCode: -32001,
  },
  FEDERATION_REQUEST_REPLAYED: {
    description:
      "A signed request to a data service reuses a nonce already seen: a replay is refused.",
    httpStatus: 401,
    rpcCode: -32001,
  },
  FEDERATION_SPEC_MISMATCH: {
    description:
      "A query spec's canonical hash differs from the spec hash recorded on chain for that query (details give both hashes); the spec is not stored or run.",
    httpStatus: 409,
    rpcCode: -32602,
  },
  FEDERATION_RESULT_INVALID: {
    description:
      "A hospital's result fails verification: its hash, the on-chain record, or the signature of the account that recorded it does not match (details name the failed check); it is not pooled.",
    httpStatus: 502,
    rpcCode: -32603,
  },
  FEDERATION_TOO_FEW_SITES: {
    description:
      "Fewer hospitals answered with a verified result than the minimum a pooled result needs; no pooled statistic is released.",
    httpStatus: 422,
    rpcCode: -32003,
  },
  // The regulator REST API (nodes/auditApi) on every node.
  AUDIT_API_UNAUTHORISED: {
    description:
      "An audit API request is unsigned, badly signed, replayed or outside the accepted clock window; nothing was read.",
    httpStatus: 401,
    rpcCode: -32001,
  },
  AUDIT_API_NOT_FOUND: {
    description: "The audit API has no such query (or other named item) in its index.",
    httpStatus: 404,
    rpcCode: -32001,
  },
  AUDIT_API_FORBIDDEN: {
    description:
      "An audit API request is signed by an account that is not an admin of a regulator or hospital organisation, or asks for another hospital's per-subject data; nothing was read.",
    httpStatus: 403,
    rpcCode: -32001,
  },
  AUDIT_API_NOT_CUSTODIAN: {
    description:
      "A per-patient accounting of disclosures was asked of a node whose hospital is not the record's custodian (only the custodian's data service keeps it), or whose data service is not linked; nothing was read.",
    httpStatus: 404,
    rpcCode: -32001,
  },
  // The hospital data service (nodes/dataService): runs approved queries on local OMOP data.
  DATA_SERVICE_QUERY_UNKNOWN: {
    description:
      "The data service knows no such query for its hospital: not on chain, or not targeting this hospital.",
    httpStatus: 404,
    rpcCode: -32602,
  },
  DATA_SERVICE_RESULT_PENDING: {
    description: "The query's result is not recorded yet; details give the job's state.",
    httpStatus: 409,
    rpcCode: -32003,
  },
  DATA_SERVICE_QUERY_REFUSED: {
    description:
      "The data service declined the query (details give the on-chain reason code and its name: not approved, expired, purpose or measure outside the site policy, budget, differencing, cohort too small, staff refusal, failure).",
    httpStatus: 403,
    rpcCode: -32003,
  },
  DATA_SERVICE_UNAVAILABLE: {
    description:
      "A hospital's data service cannot be reached, timed out, or answered an HTTP error outside the protocol (details name the service URL and the reason: network, timeout or status).",
    httpStatus: 503,
    rpcCode: -32603,
  },
  DATA_SERVICE_BAD_RESPONSE: {
    description:
      "A hospital's data service answered something that is not the protocol's JSON, or a job state the client does not know (details name the field).",
    httpStatus: 502,
    rpcCode: -32603,
  },
  DATA_SERVICE_JOB_FAILED: {
    description:
      "A query job failed after its bounded retries (timeout, crash, database error); the query was declined on chain with the failure reason.",
    httpStatus: 500,
    rpcCode: -32603,
  },
  DATA_SERVICE_TRAIL_CORRUPT: {
    description:
      "A data service's site trail breaks its hash chain: details name the entry (seq), its line and the fault (json, format, sequence, prevHash, hash); the service does not start on it.",
    httpStatus: 500,
    rpcCode: -32603,
  },
  DATA_SERVICE_TRAIL_ANCHOR_MISMATCH: {
    description:
      "A data service's site trail does not hold, at a sequence the hospital anchored on chain, the anchored hash: the entry was rewritten or lost (details: seq, the on-chain and local hashes, the anchor's block and transaction).",
    httpStatus: 500,
    rpcCode: -32603,
  },
  DISCLOSURE_STORE_CORRUPT: {
    description:
      "A file of the data service's accounting of disclosures is damaged (details name it); the service does not start, or the read fails, rather than answer from it.",
    httpStatus: 500,
    rpcCode: -32603,
  },
  // Offline proofs of chain events (src/auditProof).
  AUDIT_PROOF_INVALID: {
    description:
      "An audit proof does not verify against its trust anchor: details name the first failing link (format, anchor, validatorSet, seals, header, receiptsRoot, transactionsRoot, receipt, log), the proof item and the reason.",
    httpStatus: 422,
    rpcCode: -32000,
  },
  AUDIT_PROOF_TARGET_NOT_FOUND: {
    description:
      "An event to prove is not on the chain: no such transaction, no log at that index, or no AccessLedger event of that query id.",
    httpStatus: 404,
    rpcCode: -32001,
  },
  AUDIT_PROOF_SOURCE_INVALID: {
    description:
      "The node's raw header, receipts or block do not make a proof: they do not decode or do not hash to the header's roots; details name the block and the part.",
    httpStatus: 502,
    rpcCode: -32603,
  },
} as const satisfies Record<string, ErrorCodeInfo>;

/** A registered error code. */
export type ErrorCode = keyof typeof errorCodes;

/**
 * Tells whether a string is a registered error code.
 *
 * @example
 * ```ts
 * isErrorCode("CONFIG_INVALID"); // true
 * ```
 */
export function isErrorCode(value: string): value is ErrorCode {
  return Object.hasOwn(errorCodes, value);
}
