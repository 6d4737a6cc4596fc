import { isAddress } from "ethers";
import {
  type ConsentRegistryClient,
  createConsentRegistryClient,
} from "../../../../src/ledger/index.ts";
import type { CliOptions } from "../../parseCommandLine.ts";
import { usageError } from "../../usageError.ts";
import type { ConsentContext } from "./ConsentContext.ts";
import { consentEnv, RECORDER_KEY_ENV } from "./consentEnv.ts";
import { recorderCustodian } from "./recorderCustodian.ts";

/** The options naming the chain and the custodian hospital, shared by the chain sub-commands. */
export const chainOptions = {
  rpc: {
    type: "string",
    value: "<url>",
    required: true,
    description: "JSON-RPC endpoint of a Custos node",
  },
  registry: {
    type: "string",
    value: "<address>",
    required: true,
    description: "ConsentRegistry address",
  },
  custodian: {
    type: "integer",
    value: "<id>",
    min: 1,
    max: 0xffffffff,
    description: "the custodian hospital's organisation id (default: the recorder's)",
  },
} as const satisfies CliOptions;

/** The values of {@link chainOptions}. */
export interface ChainValues {
  readonly rpc: string;
  readonly registry: string;
  readonly custodian: number | undefined;
}

/**
 * Runs `task` with a registry client on the chain named by --rpc/--registry, scoped to the
 * custodian hospital: for a write (`signing`), the one whose recorder holds
 * `CUSTOS_RECORDER_KEY` (checked against --custodian when given); for a read, --custodian,
 * else the recorder key's hospital when the key is set. The connection is closed after.
 *
 * @throws CustosError `CLI_USAGE` for a --registry that is no address or a read with neither
 *   --custodian nor the recorder key; `CONFIG_INVALID` for a missing or malformed key;
 *   `MEMBERSHIP_DENIED` (see `recorderCustodian`); what `task` throws.
 * @example
 * ```ts
 * const consent = await withRegistry(context, values, false, (r) => r.consentOf(subject));
 * ```
 */
export async function withRegistry<T>(
  context: ConsentContext,
  values: ChainValues,
  signing: boolean,
  task: (registry: ConsentRegistryClient) => Promise<T>,
): Promise<T> {
  const address = values.registry;
  if (!isAddress(address)) {
    throw usageError("consent", "--registry must be an address", { flag: "--registry" });
  }
  const explicit = values.custodian;
  const keySet = (context.env[RECORDER_KEY_ENV] ?? "").trim() !== "";
  if (!signing && explicit === undefined && !keySet) {
    throw usageError("consent", `--custodian is required when ${RECORDER_KEY_ENV} is not set`, {
      flag: "--custodian",
    });
  }
  const key =
    signing || explicit === undefined
      ? consentEnv(context.env, RECORDER_KEY_ENV, "the recorder's private key as hex")
      : undefined;
  const connection = context.connect(values.rpc, key);
  try {
    const custodian =
      key === undefined
        ? (explicit as number)
        : await recorderCustodian(connection.runner, address, explicit);
    return await task(
      createConsentRegistryClient({ address, runner: connection.runner, custodian }),
    );
  } finally {
    connection.close();
  }
}
