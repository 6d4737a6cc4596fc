import { writeFile as fsWriteFile } from "node:fs/promises";
import { bytesToHex } from "@ethereumjs/util";
import { CustosError } from "../../../src/errors/index.ts";
import { createDevGenesis, defaultDevGenesisOptions, genesisBlock } from "../../chain/index.ts";
import type { CliCommand } from "../CliCommand.ts";
import { cliAction } from "../cliAction.ts";
import { defineCommand } from "../defineCommand.ts";

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
 * @throws CustosError `CLI_USAGE` for bad arguments (`--hospitals` from 1 to 64, `--chain-id` a
 * uint32); `INVALID_ARGUMENT` when a file cannot be written (e.g. it exists and `--force` is
 * not given).
 * @example
 * ```ts
 * await runCli(["genesis", "--out", "genesis.json", "--hospitals", "4"], io);
 * ```
 */
export function createGenesisCommand(options: GenesisCommandOptions = {}): CliCommand {
  const write = options.writeFile ?? defaultWriteFile;
  return defineCommand("genesis", {
    summary: "write a development genesis (hospitals, contracts) and its keys file",
    action: cliAction({
      description:
        "Writes a development genesis: N hospitals (organisation ids 1..N, each with an admin account, a separate consent recorder and a validator), a regulator, a researcher and a review board; admin accounts and recorders funded; Consortium, ConsentRegistry and AccessLedger deployed at genesis; extraData holding the validators in QBFT extraData, as a Besu QBFT genesis does (block 0's extraData). The private keys go to a separate file next to it (<file>.keys.json, mode 0600: hospitals[i].account/recorder/validator, regulator, researcher, reviewBoard); they are never printed.",
      options: {
        out: {
          type: "string",
          value: "<file>",
          required: true,
          description: "where to write the genesis JSON",
        },
        hospitals: {
          type: "integer",
          min: 1,
          max: 64,
          default: defaultDevGenesisOptions.hospitals,
          description: "number of hospitals",
        },
        "chain-id": {
          type: "integer",
          min: 1,
          max: 2 ** 32 - 1,
          default: defaultDevGenesisOptions.chainId,
          description: "chain id",
        },
        force: { type: "boolean", description: "overwrite existing files" },
      },
      run: async ({ values }, io) => {
        const { out, hospitals, force } = values;
        const { genesis, keys } = createDevGenesis({
          hospitals,
          chainId: values["chain-id"],
          ...(options.randomBytes === undefined ? {} : { randomBytes: options.randomBytes }),
        });
        const { block } = await genesisBlock(genesis);
        const keysPath = keysPathFor(out);
        const writeOne = async (path: string, text: string, mode: number) => {
          try {
            await write(path, text, mode, force === true);
          } catch (cause) {
            throw new CustosError(
              "INVALID_ARGUMENT",
              `cannot write ${path} (exists? use --force)`,
              {
                details: { field: path === out ? "--out" : "keys file" },
                cause,
              },
            );
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
    }),
  });
}
