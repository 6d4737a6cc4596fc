import { type ErrorFragment, Interface } from "ethers";
import { CustosError, type ErrorCode, isCustosError } from "../errors/index.ts";
import { type Hex, toJsonValue } from "./abiValues.ts";
import { contractErrorCodes } from "./contractErrorCodes.ts";
import { allLedgerContracts, type LedgerContractAbi } from "./ledgerContracts.ts";

/** Details of every error decoded from a contract revert. */
export type ContractErrorDetails = {
  /** Contract whose ABI declares the error; null for unknown or built-in reverts. */
  readonly contract: string | null;
  /** Error name, e.g. "ConsentRegistryAlreadyActive"; null when the data is unknown. */
  readonly error: string | null;
  /** Decoded arguments by name: integers as decimal strings, bytes and addresses as hex. */
  readonly args: Readonly<Record<string, unknown>>;
  /** Raw revert data; null when the node returned none. */
  readonly data: Hex | null;
  /** For a batch item rejection or a failed governance call: the inner error's name. */
  readonly reason?: string;
  /** For a failed governance call: the inner error's decoded arguments. */
  readonly reasonArgs?: Readonly<Record<string, unknown>>;
};

/** A revert decoded against an ABI. */
interface DecodedRevert {
  readonly contract: string | null;
  readonly fragment: ErrorFragment;
  readonly args: Readonly<Record<string, unknown>>;
  readonly values: readonly unknown[];
}

const builtinErrors: LedgerContractAbi = {
  name: "",
  iface: new Interface(["error Error(string message)", "error Panic(uint256 code)"]),
};
/** ethers' own fragments of the built-in errors leave their parameters unnamed. */
const builtinArgNames: Readonly<Record<string, string>> = { Error: "message", Panic: "code" };

const NESTED_KEYS = ["data", "error", "info", "cause", "originalError", "body", "responseBody"];
const MAX_VISITS = 64;
const HEX = /^0x(?:[0-9a-fA-F]{2})*$/;

const TRANSACTION_REJECTIONS = new Set([
  "INSUFFICIENT_FUNDS",
  "NONCE_EXPIRED",
  "REPLACEMENT_UNDERPRICED",
  "TRANSACTION_REPLACED",
  "ACTION_REJECTED",
]);
const ARGUMENT_ERRORS = new Set([
  "INVALID_ARGUMENT",
  "MISSING_ARGUMENT",
  "UNEXPECTED_ARGUMENT",
  "NUMERIC_FAULT",
  "VALUE_MISMATCH",
  "UNSUPPORTED_OPERATION",
]);

/** Node answers that refuse a transaction itself (not a revert, not a transport failure). */
const REJECTION_MESSAGE =
  /insufficient funds|enough funds|nonce too (?:low|high)|nonce has already been used|underpriced|exceeds block gas limit|intrinsic gas too low|max fee per gas less than/i;

function messagesOf(error: unknown): string[] {
  const messages: string[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 6 && typeof current === "object" && current !== null; depth++) {
    const message = (current as { message?: unknown }).message;
    if (typeof message === "string") messages.push(message);
    const info = (current as { info?: { error?: unknown } }).info;
    const infoMessage = (info?.error as { message?: unknown } | undefined)?.message;
    if (typeof infoMessage === "string") messages.push(infoMessage);
    current = (current as { error?: unknown }).error ?? (current as { cause?: unknown }).cause;
  }
  return messages;
}

/**
 * Codes a Custos node gives a call it could not run to its end (the client may try again):
 * the wall-clock limit, its call limits, a state it no longer holds, or its own stop.
 */
const NODE_UNAVAILABLE_CODES = new Set([
  "RPC_CALL_TIMEOUT",
  "RPC_LIMIT_EXCEEDED",
  "STATE_NOT_AVAILABLE",
  "NODE_ABORTED",
  "INTERNAL",
]);
/** Codes a Custos node gives a call that ran: its result is the contract's. */
const NODE_EXECUTION_CODES = new Set(["RPC_EXECUTION_REVERTED", "RPC_EXECUTION_FAILED"]);
/** geth's answer to a call stopped by its --rpc.evmtimeout. */
const ABORTED_MESSAGE = /^execution aborted/i;

/**
 * The node's own failure inside an error, if it is one: ethers reports every error answer
 * to eth_call or eth_estimateGas as a CALL_EXCEPTION ("missing revert data"), although a
 * call stopped by the node's time limit never reached the contract's end. Found by the
 * Custos error code in the JSON-RPC error's `data.code`, or by geth's message.
 */
function nodeFailureOf(error: unknown): { code: string; message: string } | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 6 && typeof current === "object" && current !== null; depth++) {
    const rpc = (current as { info?: { error?: unknown } }).info?.error ?? current;
    if (typeof rpc === "object" && rpc !== null) {
      const { message, data } = rpc as { message?: unknown; data?: unknown };
      const code = (data as { code?: unknown } | null | undefined)?.code;
      const text = typeof message === "string" ? message : "";
      if (typeof code === "string" && !NODE_EXECUTION_CODES.has(code) && /^[A-Z_]+$/.test(code)) {
        return { code, message: text };
      }
      if (ABORTED_MESSAGE.test(text)) return { code: "RPC_CALL_TIMEOUT", message: text };
    }
    current = (current as { error?: unknown }).error ?? (current as { cause?: unknown }).cause;
  }
  return undefined;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * Finds the revert data in an error from ethers, a wallet or Hardhat: `data` on the error or
 * nested under `error`, `info`, `cause`, `originalError` or a JSON-RPC response body.
 * Returns "0x" for a revert without data, undefined when there is no revert data at all.
 *
 * @example
 * ```ts
 * findRevertData({ info: { error: { code: 3, data: "0x08c379a0…" } } }); // "0x08c379a0…"
 * ```
 */
export function findRevertData(error: unknown): Hex | undefined {
  const queue: unknown[] = [error];
  const seen = new Set<object>();
  let empty = false;
  for (let i = 0; i < queue.length && i < MAX_VISITS; i++) {
    const current = queue[i];
    if (typeof current === "string") {
      if (HEX.test(current)) {
        if (current.length >= 10) return current as Hex;
        empty = true;
      } else if (current.startsWith("{")) {
        queue.push(parseJson(current));
      }
      continue;
    }
    if (typeof current !== "object" || current === null || seen.has(current)) continue;
    seen.add(current);
    for (const key of NESTED_KEYS) {
      const value = (current as Record<string, unknown>)[key];
      if (value !== undefined && value !== null) queue.push(value);
    }
  }
  return empty ? "0x" : undefined;
}

function decodeWith(data: Hex, contract: LedgerContractAbi): DecodedRevert | undefined {
  const fragment = contract.iface.getError(data.slice(0, 10));
  if (fragment === null) return undefined;
  try {
    const values = [...contract.iface.decodeErrorResult(fragment, data)];
    const args: Record<string, unknown> = {};
    fragment.inputs.forEach((input, i) => {
      const name = input.name || (builtinArgNames[fragment.name] ?? String(i));
      args[name] = toJsonValue(values[i], input);
    });
    return { contract: contract.name === "" ? null : contract.name, fragment, args, values };
  } catch {
    return undefined;
  }
}

function decodeRevert(
  data: Hex,
  contracts: readonly LedgerContractAbi[],
): DecodedRevert | undefined {
  // Built-ins first: ethers resolves Error(string) and Panic(uint256) in every Interface, as
  // if each contract declared them.
  for (const contract of [builtinErrors, ...contracts]) {
    const decoded = decodeWith(data, contract);
    if (decoded !== undefined) return decoded;
  }
  return undefined;
}

function errorCodeOf(error: unknown): string | number | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && typeof current === "object" && current !== null; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string" || typeof code === "number") return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

function isAbort(error: unknown): boolean {
  return (
    typeof error === "object" &&
    error !== null &&
    ((error as { name?: unknown }).name === "AbortError" ||
      (error as { code?: unknown }).code === "ABORT_ERR")
  );
}

function looksReverted(error: unknown, code: string | number | undefined): boolean {
  if (code === "CALL_EXCEPTION" || code === 3) return true;
  const message = (error as { message?: unknown } | null)?.message;
  return typeof message === "string" && /\brevert/i.test(message);
}

function fromRevert(
  data: Hex,
  cause: unknown,
  contracts: readonly LedgerContractAbi[],
): CustosError<ContractErrorDetails> {
  const decoded = data.length >= 10 ? decodeRevert(data, contracts) : undefined;
  if (decoded === undefined) {
    const shortMessage =
      data === "0x" ? "contract call reverted without data" : "contract call reverted";
    return new CustosError<ContractErrorDetails>("LEDGER_CONTRACT_REVERTED", shortMessage, {
      details: { contract: null, error: null, args: {}, data: data === "0x" ? null : data },
      cause,
    });
  }
  const name = decoded.fragment.name;
  const base = { contract: decoded.contract, error: name, args: decoded.args, data };
  let code: ErrorCode = contractErrorCodes[name] ?? "LEDGER_CONTRACT_REVERTED";
  let details: ContractErrorDetails = base;
  let shortMessage = `${decoded.contract ?? "contract"} reverted with ${name}`;
  if (name === "ConsentRegistryBatchItemRejected") {
    // A batch reverts with the selector of the error a single call would have raised: the
    // item's real reason decides the code, so handlers need not care whether it was a batch.
    const selector = String(decoded.values[2]);
    const inner = contracts
      .map((c) => c.iface.getError(selector))
      .find((f): f is ErrorFragment => f !== null);
    const reason = inner?.name ?? selector;
    code = contractErrorCodes[reason] ?? "LEDGER_CONTRACT_REVERTED";
    details = { ...base, reason };
    shortMessage = `batch item ${String(decoded.args.index)} rejected with ${reason}`;
  } else if (name === "ConsortiumCallFailed") {
    const innerData = String(decoded.values[2]) as Hex;
    const inner = innerData.length >= 10 ? decodeRevert(innerData, contracts) : undefined;
    if (inner !== undefined) {
      details = { ...base, reason: inner.fragment.name, reasonArgs: inner.args };
      shortMessage = `governance call reverted with ${inner.fragment.name}`;
    }
  }
  return new CustosError<ContractErrorDetails>(code, shortMessage, { details, cause });
}

/**
 * Maps any error thrown while talking to the Custos contracts onto a {@link CustosError}.
 * Revert data (found wherever ethers, a wallet or Hardhat put it) is decoded against
 * `contracts`: custom errors get their registered code (see `contractErrorCodes`) with
 * details `{ contract, error, args, data }`; a `ConsentRegistryBatchItemRejected` takes the
 * code of its inner reason, named in `details.reason`. Unknown or empty revert data gives
 * `LEDGER_CONTRACT_REVERTED`; node or wallet refusals `LEDGER_TRANSACTION_REJECTED`;
 * undecodable answers `LEDGER_BAD_RESPONSE`; a call the node stopped or refused before the
 * contract's end (ethers calls it a revert without data) `LEDGER_UNAVAILABLE` when it may
 * succeed later (time limit, call limits; `details.reason` is the node's code) or else
 * `LEDGER_TRANSACTION_REJECTED`; aborts `LEDGER_ABORTED`; ethers argument
 * errors `INVALID_ARGUMENT`; everything else (transport, server) `LEDGER_UNAVAILABLE`. The
 * original error is kept as `cause`; a CustosError is returned unchanged.
 *
 * @param error What a contract call, estimate or receipt wait threw.
 * @param contracts ABIs to decode against, most likely first (default: all three).
 * @returns The error to throw (never throws itself).
 * @example
 * ```ts
 * try {
 *   await contract.getFunction("grant")(subject, terms, documentHash);
 * } catch (error) {
 *   throw decodeContractError(error, [ledgerContracts.ConsentRegistry]);
 * }
 * ```
 */
export function decodeContractError(
  error: unknown,
  contracts: readonly LedgerContractAbi[] = allLedgerContracts,
): CustosError {
  if (isCustosError(error)) return error;
  if (isAbort(error)) {
    return new CustosError("LEDGER_ABORTED", "operation aborted", {
      details: { sent: false },
      cause: error,
    });
  }
  const data = findRevertData(error);
  const code = errorCodeOf(error);
  const failure = (data ?? "0x") === "0x" ? nodeFailureOf(error) : undefined;
  if (failure !== undefined && looksReverted(error, code)) {
    return new CustosError(
      NODE_UNAVAILABLE_CODES.has(failure.code)
        ? "LEDGER_UNAVAILABLE"
        : "LEDGER_TRANSACTION_REJECTED",
      `the node did not run the call: ${failure.message || failure.code}`,
      { details: { reason: failure.code }, cause: error },
    );
  }
  if (data !== undefined && (data !== "0x" || looksReverted(error, code))) {
    return fromRevert(data, error, contracts);
  }
  if (looksReverted(error, code)) return fromRevert("0x", error, contracts);
  const rejectedByNode = messagesOf(error).some((m) => REJECTION_MESSAGE.test(m));
  if ((typeof code === "string" && TRANSACTION_REJECTIONS.has(code)) || rejectedByNode) {
    return new CustosError("LEDGER_TRANSACTION_REJECTED", "transaction rejected", {
      details: { reason: code === undefined ? null : String(code) },
      cause: error,
    });
  }
  if (typeof code === "string" && ARGUMENT_ERRORS.has(code)) {
    // ethers names the offending argument (e.g. "subject") or, for a runner that cannot
    // send, the operation ("sendTransaction").
    const { argument, operation, shortMessage } = error as {
      argument?: unknown;
      operation?: unknown;
      shortMessage?: unknown;
    };
    const field =
      typeof argument === "string" ? argument : typeof operation === "string" ? operation : null;
    return new CustosError("INVALID_ARGUMENT", `invalid contract call: ${String(shortMessage)}`, {
      details: { reason: code, field },
      cause: error,
    });
  }
  if (code === "BAD_DATA") {
    return new CustosError("LEDGER_BAD_RESPONSE", "answer does not decode against the ABI", {
      details: { reason: code },
      cause: error,
    });
  }
  if (code === "CANCELLED") {
    return new CustosError("LEDGER_ABORTED", "operation cancelled", {
      details: { sent: false },
      cause: error,
    });
  }
  return new CustosError("LEDGER_UNAVAILABLE", "chain unavailable", {
    details: { reason: code === undefined ? null : String(code) },
    cause: error,
  });
}
