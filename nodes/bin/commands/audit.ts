import type { CliCommand } from "../CliCommand.ts";
import { defineCommand } from "../defineCommand.ts";
import { proveAction } from "./audit/proveAction.ts";
import { verifyAction } from "./audit/verifyAction.ts";

/**
 * Creates `custos audit`: `prove` builds an offline proof of chain events from a node's
 * JSON-RPC; `verify` checks one against the genesis file with no node running.
 *
 * @throws CustosError `CLI_USAGE` for bad arguments; `AUDIT_PROOF_INVALID` when a proof does
 *   not verify (naming the link); `AUDIT_PROOF_TARGET_NOT_FOUND`, `AUDIT_PROOF_SOURCE_INVALID`,
 *   `LEDGER_UNAVAILABLE` from `prove`; `GENESIS_INVALID`, `INVALID_ARGUMENT` for files.
 * @example
 * ```ts
 * await runCli(["audit", "verify", "proof.json", "--genesis", "genesis.json"], io);
 * ```
 */
export function createAuditCommand(): CliCommand {
  return defineCommand("audit", {
    summary: "prove chain events offline and verify such proofs (audit prove|verify)",
    subcommands: { prove: proveAction(), verify: verifyAction() },
  });
}
