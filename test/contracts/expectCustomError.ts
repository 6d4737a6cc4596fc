import type { BaseContract } from "ethers";
import { expect } from "vitest";

function revertData(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 6 && typeof current === "object" && current !== null; depth++) {
    const data = (current as { data?: unknown }).data;
    if (typeof data === "string" && data.startsWith("0x")) return data;
    current =
      (current as { error?: unknown; cause?: unknown }).error ??
      (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * Asserts that `action` reverts with the custom error `name` of `contract` and, when given,
 * exactly the arguments `args` (compared after ethers decoding, bigint for integers).
 *
 * @example
 * ```ts
 * await expectCustomError(registry.revoke(subject, doc), registry, "ConsentRegistryNotRecorder", [addr]);
 * ```
 */
export async function expectCustomError(
  action: Promise<unknown>,
  contract: BaseContract,
  name: string,
  args?: readonly unknown[],
): Promise<void> {
  let caught: unknown;
  try {
    await action;
  } catch (error) {
    caught = error;
  }
  expect(caught, `expected revert ${name}`).toBeDefined();
  const data = revertData(caught);
  expect(data, `no revert data in ${String(caught)}`).toBeDefined();
  const parsed = contract.interface.parseError(data ?? "0x");
  expect(parsed?.name, `reverted with ${parsed?.name ?? data}`).toBe(name);
  if (args !== undefined) expect([...(parsed?.args ?? [])]).toEqual([...args]);
}
