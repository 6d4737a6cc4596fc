import { consortiumCapacities, consortiumRoles, ledgerContracts } from "../../src/ledger/index.ts";
import type { AuditCaller } from "./AuditCaller.ts";

/** Who an account is to the audit API, read from the Consortium at the head. */
export interface AuditRoles {
  /** The caller `address` acts as, or null when it may not read the audit API at all. */
  callerOf(address: `0x${string}`): Promise<AuditCaller | null>;
}

/** What {@link createAuditRoles} reads through. */
export interface AuditRolesOptions {
  /** Runs a call to the Consortium contract on the head's state and returns its return data. */
  readonly callConsortium: (data: string) => Promise<`0x${string}`>;
  /** Identifies the head: answers are cached until it changes. */
  readonly headKey: () => string;
}

const { bindingOf, roleOf } = ledgerContracts.Consortium.functions;

/**
 * Reads `bindingOf(account)` and `roleOf(orgId)` from the Consortium. Only an admin account
 * of a regulator or hospital organisation is a caller: a consent recorder is a hospital's hot
 * key for writing, and researchers and review boards are the audited, not auditors. Answers
 * are cached per head, so a removed account loses access with the next block.
 *
 * @example
 * ```ts
 * const roles = createAuditRoles({ callConsortium, headKey: () => head().hash });
 * await roles.callerOf("0xab…"); // { address, orgId: 7, role: "regulator" } or null
 * ```
 */
export function createAuditRoles(options: AuditRolesOptions): AuditRoles {
  let cachedHead = "";
  const cache = new Map<string, Promise<AuditCaller | null>>();

  async function read(address: `0x${string}`): Promise<AuditCaller | null> {
    const binding = bindingOf.decode(await options.callConsortium(bindingOf.encode([address])));
    if (consortiumCapacities[Number(binding.capacity)] !== "admin") return null;
    const orgId = Number(binding.orgId);
    const role =
      consortiumRoles[Number(roleOf.decode(await options.callConsortium(roleOf.encode([orgId]))))];
    return role === "regulator" || role === "hospital" ? { address, orgId, role } : null;
  }

  return {
    callerOf(address) {
      const head = options.headKey();
      if (head !== cachedHead) {
        cache.clear();
        cachedHead = head;
      }
      const key = address.toLowerCase() as `0x${string}`;
      let answer = cache.get(key);
      if (answer === undefined) {
        answer = read(key);
        cache.set(key, answer);
        // A failed read is not remembered: the next request asks again.
        answer.catch(() => cache.delete(key));
      }
      return answer;
    },
  };
}
