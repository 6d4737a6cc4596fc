import { writeFile } from "node:fs/promises";
import {
  buildChainProof,
  type ChainContracts,
  type ProofTarget,
  trustAnchorFromGenesis,
} from "../../../../src/auditProof/index.ts";
import {
  DEFAULT_GENESIS_DEPLOYER,
  genesisContractAddresses,
  loadGenesisFile,
} from "../../../chain/index.ts";
import type { CliIo } from "../../CliCommand.ts";
import { type CliAction, type CliActionInput, cliAction } from "../../cliAction.ts";
import { usageError } from "../../usageError.ts";
import { jsonRpcPort } from "./jsonRpcPort.ts";

const HASH = /^0x[0-9a-fA-F]{64}$/;

const options = {
  tx: { type: "string", value: "<hash>", description: "prove the logs of this transaction" },
  "log-index": {
    type: "integer",
    min: 0,
    description: "only this log of the transaction (its block-wide logIndex, as JSON-RPC gives it)",
  },
  query: {
    type: "string",
    value: "<id>",
    description: "prove every AccessLedger event of this query id",
  },
  rpc: {
    type: "string",
    value: "<url>",
    default: "http://127.0.0.1:8545",
    description:
      "the node's JSON-RPC (it must serve debug_getRawHeader, debug_getRawReceipts, debug_getRawBlock)",
  },
  out: {
    type: "string",
    value: "<file>",
    description: "write the proof here (default: standard output)",
  },
  genesis: {
    type: "string",
    value: "<file>",
    description:
      "take the contract addresses from this genesis (default: the default genesis deployer's)",
  },
  "from-block": {
    type: "integer",
    min: 0,
    description: "leave out validator-set changes before this block (the verifier's checkpoint)",
  },
} as const;

async function contractsOf(genesisFile: string | undefined): Promise<ChainContracts> {
  if (genesisFile === undefined) return genesisContractAddresses(DEFAULT_GENESIS_DEPLOYER);
  const contracts = trustAnchorFromGenesis(await loadGenesisFile(genesisFile)).contracts;
  return contracts as ChainContracts;
}

function targetOf(values: CliActionInput<typeof options>["values"]): ProofTarget {
  if ((values.tx === undefined) === (values.query === undefined)) {
    throw usageError("audit", "give exactly one of --tx and --query", { flag: "--tx" });
  }
  if (values.tx !== undefined) {
    if (!HASH.test(values.tx)) {
      throw usageError("audit", "--tx must be a 32-byte hex hash", { flag: "--tx" });
    }
    return values["log-index"] === undefined
      ? { transactionHash: values.tx }
      : { transactionHash: values.tx, logIndex: values["log-index"] };
  }
  if (values["log-index"] !== undefined) {
    throw usageError("audit", "--log-index goes with --tx", { flag: "--log-index" });
  }
  if (!/^(0|[1-9][0-9]{0,19})$/.test(values.query as string)) {
    throw usageError("audit", "--query must be a query id (a non-negative integer)", {
      flag: "--query",
    });
  }
  return { queryId: BigInt(values.query as string) };
}

async function prove({ values }: CliActionInput<typeof options>, io: CliIo): Promise<number> {
  const target = targetOf(values);
  const rpc = jsonRpcPort(values.rpc);
  const proof = await buildChainProof(rpc, [target], {
    contracts: await contractsOf(values.genesis),
    ...(values["from-block"] === undefined ? {} : { fromBlock: values["from-block"] }),
  });
  const text = `${JSON.stringify(proof, null, 2)}\n`;
  if (values.out === undefined) {
    io.stdout(text);
    return 0;
  }
  await writeFile(values.out, text);
  const events = proof.blocks.reduce((sum, block) => sum + block.logs.length, 0);
  io.stdout(
    `wrote ${values.out}: ${events} events in ${proof.blocks.length} blocks, ${proof.validatorChanges.length} validator-set changes\n`,
  );
  return 0;
}

/**
 * `custos audit prove`: builds an offline proof of a transaction's logs or of a query's
 * AccessLedger events from a node's JSON-RPC.
 *
 * @example
 * ```ts
 * await runCli(["audit", "prove", "--query", "7", "--out", "proof.json"], io);
 * ```
 */
export function proveAction(): CliAction {
  return cliAction({
    description:
      "Builds a self-contained proof (JSON, schema custos.proof/1) of chain events from a node's JSON-RPC: the logs of one transaction (--tx, optionally one --log-index) or every AccessLedger event of a query (--query: submitted, approved, result recorded, declined, closed). For each block it holds the raw sealed header, the receipts- and transactions-trie nodes that prove the logs, and the claimed logs; with them every block since the anchor in which the Consortium scheduled a validator-set change, proven the same way. Anyone verifies it offline with `custos audit verify` and the genesis file.",
    usage:
      "--tx <hash> [--log-index N] | --query <id> [--rpc <url>] [--out <file>] [--genesis <file>] [--from-block N]",
    options,
    run: prove,
  });
}
