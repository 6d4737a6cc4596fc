import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { CustosError } from "../../../src/errors/index.ts";
import { loadDataServiceConfig, startDataService } from "../../dataService/index.ts";
import type { CliCommand, CliIo } from "../CliCommand.ts";
import { type CliActionInput, cliAction } from "../cliAction.ts";
import { signalStop } from "../signalStop.ts";
import { trailVerifyAction } from "./dataService/trailVerifyAction.ts";

/** Options of {@link createDataServiceCommand}. */
export interface DataServiceCommandOptions {
  /** Resolves when the service should stop; default: the first SIGINT or SIGTERM. */
  readonly stopSignal?: () => Promise<void>;
}

const configOption = {
  config: {
    type: "string",
    value: "<file>",
    required: true,
    description: "the data service's configuration (JSON; docs/data-service.md)",
  },
} as const;

async function run(
  { values }: CliActionInput<typeof configOption>,
  io: CliIo,
  options: DataServiceCommandOptions,
): Promise<number> {
  const config = await loadDataServiceConfig(values.config);
  const service = await startDataService(config);
  io.stdout(`data service of hospital ${config.hospitalId} listening on ${service.url}\n`);
  await (options.stopSignal ?? (() => signalStop({ deadlineMs: 10_000, what: "data service" })))();
  await service.stop();
  return 0;
}

async function decide(
  action: "release" | "refuse",
  { values, positionals }: CliActionInput<typeof configOption>,
  io: CliIo,
): Promise<number> {
  const config = await loadDataServiceConfig(values.config);
  const token = (
    await readFile(join(config.dataDir, "admin-token"), "utf8").catch(() => "")
  ).trim();
  if (token === "") {
    throw new CustosError(
      "INVALID_ARGUMENT",
      "no admin token: has the data service run in this dataDir?",
      {
        details: { field: "dataDir" },
      },
    );
  }
  const queryId = positionals[0] as string;
  const host = config.http.host === "0.0.0.0" ? "127.0.0.1" : config.http.host;
  const url = `http://${host}:${config.http.port}/admin/queries/${encodeURIComponent(queryId)}/${action}`;
  let response: Response;
  try {
    response = await fetch(url, { method: "POST", headers: { authorization: `Bearer ${token}` } });
  } catch (error) {
    throw new CustosError(
      "DATA_SERVICE_UNAVAILABLE",
      `the data service at ${url} cannot be reached`,
      {
        details: { url, reason: "network" },
        cause: error,
      },
    );
  }
  const body = (await response.json().catch(() => null)) as {
    error?: { code: string; message: string };
  } | null;
  if (!response.ok) {
    const code = body?.error?.code;
    throw new CustosError(
      code !== undefined &&
        code in { DATA_SERVICE_RESULT_PENDING: 1, DATA_SERVICE_QUERY_UNKNOWN: 1 }
        ? (code as "DATA_SERVICE_RESULT_PENDING")
        : "FEDERATION_REQUEST_UNAUTHORISED",
      body?.error?.message ?? `HTTP ${response.status}`,
      { details: { status: response.status, queryId } },
    );
  }
  io.stdout(`${JSON.stringify(body)}\n`);
  return 0;
}

/**
 * Creates `custos data-service`: `custos data-service --config <file>` runs a hospital's data
 * service until SIGINT/SIGTERM; `custos data-service release <query> --config <file>` and
 * `… refuse <query> …` are staff decisions on a result held for manual release (the site
 * policy's `manualRelease`), sent to the running service with its admin token;
 * `custos data-service trail verify …` checks a site trail against its on-chain anchors.
 *
 * @example
 * ```ts
 * await runCli(["data-service", "--config", "hospital-1/data-service.json"], io);
 * ```
 */
export function createDataServiceCommand(options: DataServiceCommandOptions = {}): CliCommand {
  const serve = cliAction({
    description:
      "Runs a hospital's data service: watches AccessLedger for queries that target the hospital, takes each spec from its researcher, checks approval, expiry, purpose, site policy, differencing and the ε budget, builds the consent allow-list from the chain, runs the spec on the hospital's OMOP database, applies disclosure control, records the result hash or a decline on chain, and serves the signed result to that researcher only. Stops on SIGINT or SIGTERM. See docs/data-service.md.",
    options: configOption,
    run: (input, io) => run(input, io, options),
  });
  const staff = (action: "release" | "refuse") =>
    cliAction({
      description:
        action === "release"
          ? "Releases a result held for manual release: the running service records it on chain."
          : "Refuses a result held for manual release: the running service declines the query (reason staffRefused).",
      options: configOption,
      positionals: ["<query>"],
      run: (input, io) => decide(action, input, io),
    });
  const actions = { release: staff("release"), refuse: staff("refuse") };
  const trailVerify = trailVerifyAction();
  return {
    name: "data-service",
    summary: "run a hospital's data service; release or refuse held results; verify its site trail",
    run: (args, io) => {
      const [first, ...rest] = args;
      if (first === "release" || first === "refuse") {
        return actions[first].run(rest, io, `data-service ${first}`, "data-service");
      }
      if (first === "trail" && rest[0] === "verify") {
        return trailVerify.run(rest.slice(1), io, "data-service trail verify", "data-service");
      }
      return serve.run(args, io, "data-service", "data-service");
    },
  };
}
