import { writeFile as fsWriteFile } from "node:fs/promises";
import { bytesToHex } from "@ethereumjs/util";
import { CustosError } from "../../../src/errors/index.ts";
import { createDevGenesis, defaultDevGenesisOptions, genesisBlock } from "../../chain/index.ts";
import type { CliCommand } from "../CliCommand.ts";

/** Options of {@link createGenesisCommand}. */
export interface GenesisCommandOptions {
  /** Writes a file (default node:fs, exclusive unless `overwrite`, with the given mode). */
  readonly writeFile?: (
    path: string,
    text: string,
    mode: number,
    overwrite: boolean,
  ) => Promise<void>;
  /** Key material source (default node:crypto). */
  readonly randomBytes?: (length: number) => Uint8Array;
}

const HELP = `Usage: custos genesis --out <file> [--hospitals N] [--chain-id N] [--force]

Writes a development genesis: N hospitals (default ${defaultDevGenesisOptions.hospitals}; organisation ids 1..N, each with
an admin account, a separate consent recorder and a validator), a regulator, a researcher
and a review board; admin accounts and recorders funded; Consortium, ConsentRegistry and
AccessLedger deployed at genesis. The private keys go to a separate file next to it
(<file>.keys.json, mode 0600: hospitals[i].account/recorder/validator, regulator,
researcher, reviewBoard); they are never printed.

Options:
  --out <file>     where to write the genesis JSON
  --hospitals N    number of hospitals, 1..64 (default ${defaultDevGenesisOptions.hospitals})
  --chain-id N     chain id (default ${defaultDevGenesisOptions.chainId})
  --force          overwrite existing files
  -h, --help       show this help
`;

function usage(message: string): CustosError {
  return new CustosError("CLI_USAGE", `${message} (see custos genesis --help)`);
}

function positiveInteger(flag: string, value: string | undefined, max: number): number {
  if (value === undefined || !/^[0-9]+$/.test(value))
    throw usage(`${flag} needs a positive integer`);
  const n = Number(value);
  if (n < 1 || n > max) throw usage(`${flag} must be from 1 to ${max}`);
  return n;
}

async function defaultWriteFile(path: string, text: string, mode: number, overwrite: boolean) {
  await fsWriteFile(path, text, { mode, flag: overwrite ? "w" : "wx" });
}

/** Path of the keys file written next to a genesis file. */
export function keysPathFor(genesisPath: string): string {
  return `${genesisPath.replace(/\.json$/, "")}.keys.json`;
}

/**
 * Creates `custos genesis`: writes a dev genesis and its keys file.
 *
 * @throws CustosError `CLI_USAGE` for bad arguments; `INVALID_ARGUMENT` when a file cannot
 * be written (e.g. it exists and `--force` is not given).
 * @example
 * ```ts
 * await runCli(["genesis", "--out", "genesis.json", "--hospitals", "4"], io);
 * ```
 */
export function createGenesisCommand(options: GenesisCommandOptions = {}): CliCommand {
  const write = options.writeFile ?? defaultWriteFile;
  return {
    name: "genesis",
    summary: "write a development genesis (hospitals, contracts) and its keys file",
    async run(args, io) {
      let out: string | undefined;
      let hospitals: number = defaultDevGenesisOptions.hospitals;
      let chainId: number = defaultDevGenesisOptions.chainId;
      let force = false;
      for (let i = 0; i < args.length; i++) {
        const arg = args[i] as string;
        if (arg === "-h" || arg === "--help") {
          io.stdout(HELP);
          return 0;
        }
        if (arg === "--out") {
          out = args[++i];
          if (out === undefined || out.startsWith("-")) throw usage("--out needs a file");
        } else if (arg === "--hospitals") hospitals = positiveInteger(arg, args[++i], 64);
        else if (arg === "--chain-id") chainId = positiveInteger(arg, args[++i], 2 ** 32 - 1);
        else if (arg === "--force") force = true;
        else throw usage(`unknown option ${arg}`);
      }
      if (out === undefined) throw usage("--out is required");
      const { genesis, keys } = createDevGenesis({
        hospitals,
        chainId,
        ...(options.randomBytes === undefined ? {} : { randomBytes: options.randomBytes }),
      });
      const { block } = await genesisBlock(genesis);
      const keysPath = keysPathFor(out);
      const writeOne = async (path: string, text: string, mode: number) => {
        try {
          await write(path, text, mode, force);
        } catch (cause) {
          throw new CustosError("INVALID_ARGUMENT", `cannot write ${path} (exists? use --force)`, {
            details: { field: path === out ? "--out" : "keys file" },
            cause,
          });
        }
      };
      await writeOne(keysPath, `${JSON.stringify(keys, null, 2)}\n`, 0o600);
      await writeOne(out, `${JSON.stringify(genesis, null, 2)}\n`, 0o644);
      io.stdout(
        [
          `genesis   ${out}`,
          `keys      ${keysPath} (mode 0600; keep it private)`,
          `chain id  ${genesis.chainId}`,
          `hospitals ${hospitals}`,
          `block 0   ${bytesToHex(block.hash())}`,
          `Consortium      ${genesis.contracts.consortium}`,
          `ConsentRegistry ${genesis.contracts.consentRegistry}`,
          `AccessLedger    ${genesis.contracts.accessLedger}`,
          "",
        ].join("\n"),
      );
      return 0;
    },
  };
}
