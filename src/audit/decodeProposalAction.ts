import { AbiCoder, getAddress } from "ethers";
import {
  type ConsortiumRole,
  consortiumRoles,
  type Hex,
  type LedgerContractName,
  ledgerContracts,
  type ProposalKind,
} from "../ledger/index.ts";
import { type AuditJson, jsonAbiValue } from "./decodeAuditFields.ts";

/** Addresses of the three Custos contracts (as in a genesis document's `contracts`). */
export interface AuditContracts {
  readonly consortium: string;
  readonly consentRegistry: string;
  readonly accessLedger: string;
}

/** What a governance proposal does, decoded from its payload. */
export type ProposalAction =
  | {
      readonly kind: "addOrganisation";
      readonly role: ConsortiumRole;
      readonly metadata: Hex;
      readonly accounts: readonly Hex[];
      readonly recorders: readonly Hex[];
      readonly validator: Hex;
    }
  | { readonly kind: "removeOrganisation"; readonly orgId: number }
  | { readonly kind: "changeRole"; readonly orgId: number; readonly role: ConsortiumRole }
  | { readonly kind: "setValidator"; readonly hospitalId: number; readonly validator: Hex }
  | {
      readonly kind: "call";
      readonly target: Hex;
      readonly data: Hex;
      /** The Custos contract called (null: another address). */
      readonly contract: LedgerContractName | null;
      /** The function called, when `contract` is known and `data` decodes. */
      readonly function: string | null;
      /** Its arguments by name, JSON-safe, when `function` is known. */
      readonly args: Readonly<Record<string, AuditJson>> | null;
    };

const coder = AbiCoder.defaultAbiCoder();

function roleName(value: bigint): ConsortiumRole {
  const role = consortiumRoles[Number(value)];
  if (role === undefined) throw new RangeError("unknown role");
  return role;
}

function contractAt(target: string, contracts: AuditContracts): LedgerContractName | null {
  const lower = target.toLowerCase();
  if (lower === contracts.accessLedger.toLowerCase()) return "AccessLedger";
  if (lower === contracts.consentRegistry.toLowerCase()) return "ConsentRegistry";
  if (lower === contracts.consortium.toLowerCase()) return "Consortium";
  return null;
}

/** The function a call's data names on a Custos contract, with its arguments; null when it does not decode. */
function functionCall(
  contract: LedgerContractName | null,
  data: string,
): { readonly name: string; readonly args: Readonly<Record<string, AuditJson>> } | null {
  if (contract === null) return null;
  try {
    const call = ledgerContracts[contract].iface.parseTransaction({ data });
    if (call === null) return null;
    const args: Record<string, AuditJson> = {};
    call.fragment.inputs.forEach((input, i) => {
      args[input.name] = jsonAbiValue(call.args[i], input);
    });
    return { name: call.name, args };
  } catch {
    return null;
  }
}

function callAction(payload: string, contracts: AuditContracts): ProposalAction {
  const decoded = coder.decode(["address", "bytes"], payload);
  const target = String(decoded[0]);
  const data = String(decoded[1]);
  const contract = contractAt(target, contracts);
  const call = functionCall(contract, data);
  return {
    kind: "call",
    target: getAddress(target) as Hex,
    data: data.toLowerCase() as Hex,
    contract,
    function: call?.name ?? null,
    args: call?.args ?? null,
  };
}

function decodeAction(
  kind: ProposalKind,
  payload: string,
  contracts: AuditContracts,
): ProposalAction {
  switch (kind) {
    case "addOrganisation": {
      const [init] = coder.decode(
        [
          "tuple(uint8 role, bytes32 metadata, address[] accounts, address[] recorders, address validator)",
        ],
        payload,
      );
      return {
        kind,
        role: roleName(init.role),
        metadata: String(init.metadata).toLowerCase() as Hex,
        accounts: [...init.accounts] as Hex[],
        recorders: [...init.recorders] as Hex[],
        validator: init.validator as Hex,
      };
    }
    case "removeOrganisation":
      return { kind, orgId: Number(coder.decode(["uint32"], payload)[0]) };
    case "changeRole": {
      const [orgId, role] = coder.decode(["uint32", "uint8"], payload);
      return { kind, orgId: Number(orgId), role: roleName(role) };
    }
    case "setValidator": {
      const [hospitalId, validator] = coder.decode(["uint32", "address"], payload);
      return { kind, hospitalId: Number(hospitalId), validator: validator as Hex };
    }
    case "call":
      return callAction(payload, contracts);
  }
}

/**
 * Decodes a proposal's payload as Consortium's `_apply` does for its kind; a call into one
 * of the Custos contracts is named with its function and arguments (e.g. AccessLedger's
 * `setRequiredApprovals`, ConsentRegistry's `transferSubjects`). Returns null when the
 * payload does not decode (Consortium checks payloads when a proposal is made, so an
 * audit shows the raw bytes rather than fail on one it cannot read).
 *
 * @example
 * ```ts
 * decodeProposalAction("removeOrganisation", payload, genesis.contracts); // { kind: "removeOrganisation", orgId: 5 }
 * ```
 */
export function decodeProposalAction(
  kind: ProposalKind,
  payload: string,
  contracts: AuditContracts,
): ProposalAction | null {
  try {
    return decodeAction(kind, payload, contracts);
  } catch {
    return null;
  }
}
