import { decodeBlockHeader, inspectQbftHeader } from "../../chain/index.ts";
import type { CliCommand, CliIo } from "../CliCommand.ts";
import { type CliAction, type CliActionInput, cliAction } from "../cliAction.ts";
import { defineCommand } from "../defineCommand.ts";
import { usageError } from "../usageError.ts";
import { fetchBlockHeader } from "./block/fetchBlockHeader.ts";
import { type BlockInspection, inspectionJson, inspectionText } from "./block/formatInspection.ts";

const HEX = /^(?:0x)?((?:[0-9a-fA-F]{2})+)$/;

const inspectOptions = {
  rpc: {
    type: "string",
    value: "<url>",
    description: "fetch the block from this JSON-RPC node (Besu or Custos) instead",
  },
  number: { type: "integer", min: 0, description: "the block to fetch with --rpc" },
  json: { type: "boolean", description: "print JSON instead of text" },
} as const;

type InspectInput = CliActionInput<typeof inspectOptions>;

async function inspectBlock({ values, positionals }: InspectInput, io: CliIo): Promise<number> {
  let inspected: BlockInspection;
  if (values.rpc === undefined) {
    if (values.number !== undefined) {
      throw usageError("block", "--number needs --rpc", { flag: "--number" });
    }
    const match = HEX.exec(positionals[0] as string);
    if (match === null) {
      throw usageError("block", "<header-rlp> must be hex bytes", { argument: "<header-rlp>" });
    }
    const header = decodeBlockHeader(Uint8Array.from(Buffer.from(match[1] as string, "hex")));
    inspected = { inspection: inspectQbftHeader(header) };
  } else {
    if (values.number === undefined) {
      throw usageError("block", "--rpc needs --number", { flag: "--number" });
    }
    const { header, hash } = await fetchBlockHeader(values.rpc, BigInt(values.number));
    inspected = { inspection: inspectQbftHeader(header), rpcHash: hash };
  }
  io.stdout(
    values.json === true
      ? `${JSON.stringify(inspectionJson(inspected), null, 2)}\n`
      : inspectionText(inspected),
  );
  return 0;
}

/** `block inspect` in its two forms: a header RLP argument, or --rpc with no argument. */
function inspectAction(): CliAction {
  const spec = {
    description:
      "Decodes a QBFT block header (Besu's layout, as Custos writes it) and prints its number, on-chain hash (extraData with round 0 and no seals: the block hash Besu answers), commit-seal hash (what the seals sign), proposer, validators, vote, round, each commit seal with the validator it recovers to, and whether those committers make a quorum (⌈2n/3⌉) of the header's own validator list. The header is given as RLP hex, or fetched with eth_getBlockByNumber from --rpc and rebuilt from the answer (whose hash is compared with the on-chain hash). Exits with 0 once decoded, quorum or not.",
    usage: "<header-rlp> | --rpc <url> --number N [--json]",
    options: inspectOptions,
    run: inspectBlock,
  };
  const byArgument = cliAction({ ...spec, positionals: ["<header-rlp>"] });
  const byRpc = cliAction(spec);
  return {
    description: byArgument.description,
    options: byArgument.options,
    usage: byArgument.usage,
    run: (args, io, words, helpCommand) => {
      const rpc = args.some((arg) => arg === "--rpc" || arg.startsWith("--rpc="));
      return (rpc ? byRpc : byArgument).run(args, io, words, helpCommand);
    },
  };
}

/**
 * Creates `custos block`: `custos block inspect` decodes a QBFT header given as RLP hex or
 * fetched over JSON-RPC, and prints its hashes, proposer, validators, vote, round, seals and
 * their committers, and whether they make a quorum (text, or `--json`).
 *
 * @throws CustosError `CLI_USAGE` for bad arguments (hex, --rpc without --number);
 *   `BLOCK_INVALID` when the bytes or the node's answer make no header;
 *   `QBFT_EXTRA_DATA_INVALID` when its extraData is not QBFT extraData;
 *   `LEDGER_UNAVAILABLE`/`RPC_RESOURCE_NOT_FOUND` from --rpc.
 * @example
 * ```ts
 * await runCli(["block", "inspect", "--rpc", "http://127.0.0.1:8545", "--number", "7"], io);
 * ```
 */
export function createBlockCommand(): CliCommand {
  return defineCommand("block", {
    summary: "inspect a QBFT block header: hashes, validators, seals (block inspect <rlp>)",
    subcommands: { inspect: inspectAction() },
  });
}
