import { expect } from "vitest";
import { type CustosError, type ErrorCode, isCustosError } from "../src/errors/index.ts";

/**
 * Asserts that `action` fails with a CustosError of `code` — a rejected promise, or a function
 * that throws — and returns the error for further checks (details, cause). Errors are asserted
 * by their stable code, never by message text (after lodestar's
 * `expectRejectedWithLodestarError`).
 *
 * @example
 * ```ts
 * await expectCustosError(pool.call(request, head), "RPC_CALL_TIMEOUT");
 * const error = expectCustosError(() => parse(bad), "INVALID_ARGUMENT");
 * ```
 */
export function expectCustosError(action: Promise<unknown>, code: ErrorCode): Promise<CustosError>;
export function expectCustosError(action: () => unknown, code: ErrorCode): CustosError;
export function expectCustosError(
  action: Promise<unknown> | (() => unknown),
  code: ErrorCode,
): Promise<CustosError> | CustosError {
  const check = (outcome: { threw: boolean; error?: unknown }): CustosError => {
    expect(outcome.threw, `expected a CustosError ${code}, but nothing was thrown`).toBe(true);
    const { error } = outcome;
    expect(isCustosError(error) ? error.code : error, `expected a CustosError ${code}`).toBe(code);
    return error as CustosError;
  };
  if (typeof action === "function") {
    try {
      action();
    } catch (error) {
      return check({ threw: true, error });
    }
    return check({ threw: false });
  }
  return action.then(
    () => check({ threw: false }),
    (error: unknown) => check({ threw: true, error }),
  );
}
