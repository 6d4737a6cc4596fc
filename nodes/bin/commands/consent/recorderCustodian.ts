import { Contract } from "ethers";
import { consentRegistryAbi } from "../../../../src/contracts/index.ts";
import { CustosError } from "../../../../src/errors/index.ts";
import { createConsortiumClient } from "../../../../src/ledger/index.ts";
import type { ConsentConnection } from "./connectChain.ts";
import { RECORDER_KEY_ENV } from "./consentEnv.ts";

/**
 * The custodian hospital the recorder key of `runner` records for, read from the chain:
 * the registry's Consortium, then the key's binding there. With `explicit`, checks that the
 * key is a recorder of that hospital.
 *
 * @throws CustosError `MEMBERSHIP_DENIED` when the key is no consent recorder of an active
 * hospital (an admin account, never bound, retired) or not of `explicit`;
 * `LEDGER_BAD_RESPONSE` when `registry` does not answer as a ConsentRegistry.
 * @example
 * ```ts
 * const custodian = await recorderCustodian(connection.runner, registryAddress, undefined);
 * ```
 */
export async function recorderCustodian(
  runner: ConsentConnection["runner"],
  registry: string,
  explicit: number | undefined,
): Promise<number> {
  const signer = runner as Partial<{ getAddress(): Promise<string> }>;
  if (typeof signer.getAddress !== "function") {
    throw new CustosError("INTERNAL", "the connection for a recorder key has no signer");
  }
  const recorder = (await signer.getAddress()).toLowerCase();
  let consortiumAddress: string;
  try {
    consortiumAddress = String(
      await new Contract(registry, consentRegistryAbi, runner).getFunction("consortium")(),
    );
  } catch (cause) {
    const code = (cause as { code?: unknown }).code;
    if (code === "BAD_DATA" || code === "CALL_EXCEPTION") {
      throw new CustosError(
        "LEDGER_BAD_RESPONSE",
        "--registry does not answer as a ConsentRegistry (consortium())",
        { details: { field: "--registry", address: registry }, cause },
      );
    }
    throw new CustosError("LEDGER_UNAVAILABLE", "cannot read the registry's consortium()", {
      details: { field: "--rpc" },
      cause,
    });
  }
  const consortium = createConsortiumClient({ address: consortiumAddress, runner });
  const binding = await consortium.bindingOf(recorder);
  const custodian = explicit ?? binding.orgId;
  if (custodian !== 0 && (await consortium.isRecorder(custodian, recorder))) return custodian;
  const denied = (why: string) =>
    new CustosError("MEMBERSHIP_DENIED", `the ${RECORDER_KEY_ENV} account ${recorder} ${why}`, {
      details: {
        field: RECORDER_KEY_ENV,
        account: recorder,
        orgId: binding.orgId,
        capacity: binding.capacity,
        ...(explicit === undefined ? {} : { custodian: explicit }),
      },
    });
  if (binding.capacity === "recorder" && explicit !== undefined && explicit !== binding.orgId) {
    throw denied(`records for hospital ${binding.orgId}, not for --custodian ${explicit}`);
  }
  switch (binding.capacity) {
    case "admin":
      throw denied(
        `is an admin account of organisation ${binding.orgId}, not a consent recorder: use a recorder's key`,
      );
    case "retired":
      throw denied(`was retired from organisation ${binding.orgId}`);
    case "none":
      throw denied("is not bound to any organisation");
    default:
      throw denied(`is not a recorder of an active hospital (organisation ${binding.orgId})`);
  }
}
