import type { CliCommand } from "./CliCommand.ts";
import { createAnonymiseCommand } from "./commands/anonymise.ts";
import { createAuditCommand } from "./commands/audit.ts";
import { createBlockCommand } from "./commands/block.ts";
import { createConsentCommand } from "./commands/consent.ts";
import { createDataCommand } from "./commands/data.ts";
import { createDataServiceCommand } from "./commands/dataService.ts";
import { createDbCommand } from "./commands/db.ts";
import { createGenesisCommand } from "./commands/genesis.ts";
import { createNetworkCommand } from "./commands/network.ts";
import { createNodeCommand } from "./commands/node.ts";
import { createQueryCommand } from "./commands/query.ts";

/**
 * Every `custos` sub-command, in the order `custos --help` lists them. Each command lives in
 * its own module under nodes/bin/commands/, declared with `defineCommand` and `cliAction`
 * (options, positionals, handler), and is registered here.
 */
export const cliCommands: readonly CliCommand[] = [
  createNodeCommand(),
  createNetworkCommand(),
  createConsentCommand(),
  createAnonymiseCommand(),
  createGenesisCommand(),
  createDbCommand(),
  createBlockCommand(),
  createDataCommand(),
  createDataServiceCommand(),
  createQueryCommand(),
  createAuditCommand(),
];
