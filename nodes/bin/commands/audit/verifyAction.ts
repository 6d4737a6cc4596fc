import { readFile } from "node:fs/promises";
import {
  decodeProvenEvents,
  type TrustAnchor,
  trustAnchorFromGenesis,
  verifyChainProof,
} from "../../../../src/auditProof/index.ts";
import { CustosError } from "../../../../src/errors/index.ts";
import { loadGenesisFile } from "../../../chain/index.ts";
import type { CliIo } from "../../CliCommand.ts";
import { type CliAction, type CliActionInput, cliAction } from "../../cliAction.ts";
import { usageError } from "../../usageError.ts";
import { formatProvenEvents } from "./formatProvenEvents.ts";
import { nativeKeccak256 } from "./nativeKeccak256.ts";
import { nativeSealRecovery } from "./nativeSealRecovery.ts";

const options = {
  genesis: {
    type: "string",
    value: "<file>",
    required: true,
    description: "the chain's genesis file: the trust anchor (chain id, validators, contracts)",
  },
  "checkpoint-block": {
    type: "integer",
    min: 0,
    description: "anchor at this block instead of genesis (with --checkpoint-validators)",
  },
  "checkpoint-validators": {
    type: "list",
    value: "<a,b,…>",
    description: "the validator set trusted at --checkpoint-block",
  },
  json: { type: "boolean", description: "print the verified events as JSON" },
} as const;

async function readProof(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (cause) {
    throw new CustosError("INVALID_ARGUMENT", `cannot read ${file}`, {
      details: { field: "proof", file },
      cause,
    });
  }
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new CustosError("AUDIT_PROOF_INVALID", `proof link format fails: ${file} is not JSON`, {
      details: { link: "format", reason: "not JSON", file },
      cause,
    });
  }
}

async function anchorOf(values: CliActionInput<typeof options>["values"]): Promise<TrustAnchor> {
  const genesis = await loadGenesisFile(values.genesis);
  const block = values["checkpoint-block"];
  const validators = values["checkpoint-validators"];
  if ((block === undefined) !== (validators === undefined)) {
    throw usageError("audit", "--checkpoint-block and --checkpoint-validators go together", {
      flag: "--checkpoint-block",
    });
  }
  return block === undefined || validators === undefined
    ? trustAnchorFromGenesis(genesis)
    : trustAnchorFromGenesis(genesis, { block, validators });
}

async function verify(
  { values, positionals }: CliActionInput<typeof options>,
  io: CliIo,
): Promise<number> {
  const proof = await readProof(positionals[0] as string);
  const anchor = await anchorOf(values);
  const keccak256 = nativeKeccak256();
  const logs = verifyChainProof(proof, anchor, {
    recoverSigner: nativeSealRecovery,
    ...(keccak256 === undefined ? {} : { keccak256 }),
  });
  const events = decodeProvenEvents(logs, anchor.contracts ?? {});
  if (values.json === true) {
    io.stdout(`${JSON.stringify(events, null, 2)}\n`);
    return 0;
  }
  const blocks = new Set(logs.map((log) => log.blockNumber)).size;
  const changes = (proof as { validatorChanges: unknown[] }).validatorChanges.length;
  io.stdout(
    `verified: ${logs.length} events in ${blocks} blocks, through ${changes} validator-set changes, against chain ${anchor.chainId} from block ${anchor.fromBlock} (${anchor.validators.length} validators)\n${formatProvenEvents(events)}`,
  );
  return 0;
}

/**
 * `custos audit verify <proof.json> --genesis <genesis.json>`: verifies a proof offline and
 * prints the events it proves.
 *
 * @example
 * ```ts
 * await runCli(["audit", "verify", "proof.json", "--genesis", "genesis.json"], io);
 * ```
 */
export function verifyAction(): CliAction {
  return cliAction({
    description:
      "Verifies a proof made by `custos audit prove` offline — no node is asked — against the genesis file (or a checkpoint: a block and the validator set trusted there): every validator-set change and every block is sealed by a quorum (⌈2n/3⌉) of the set in force, and every event is in that block's receipts. Prints the events, decoded, and exits with 0; otherwise prints `error AUDIT_PROOF_INVALID:` naming the first link that fails (format, anchor, validatorSet, seals, header, receiptsRoot, transactionsRoot, receipt, log) and the proof item, and exits with 1.",
    positionals: ["<proof.json>"],
    options,
    run: verify,
  });
}
