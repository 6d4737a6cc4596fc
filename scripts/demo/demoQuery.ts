/**
 * The demo's federated research query: the researcher submits a spec to every hospital,
 * the review board approves it, each hospital's data service runs it on its own synthetic
 * OMOP data over consenting patients only and records its result hash, and the researcher
 * verifies every result against the chain and the recorder's signature and pools them.
 */
import type { JsonRpcProvider, Wallet } from "ethers";
import { formatQueryReport } from "../../nodes/bin/commands/query/formatQueryReport.ts";
import type { LocalDataServices } from "../../nodes/localnet/index.ts";
import { canonicalHash } from "../../src/canonical/index.ts";
import { purposeCodes } from "../../src/consent/index.ts";
import {
  awaitQueryAnswers,
  collectFederatedResults,
  createDataServiceClient,
  type FederatedQueryReport,
  type FederationPorts,
  submitFederatedQuery,
} from "../../src/federation/index.ts";
import { createAccessLedgerClient } from "../../src/ledger/index.ts";
import { parseQuerySpec } from "../../src/query/index.ts";

/** The demo's question: type 2 diabetes by age and sex, CKD incidence, HbA1c. */
export const demoQuerySpec = parseQuerySpec({
  version: 1,
  title: "Type 2 diabetes: age and sex, CKD incidence after diagnosis, HbA1c at diagnosis",
  conceptSets: {
    t2d: { include: [{ conceptId: 201826, descendants: true }] },
    ckd: { include: [{ conceptId: 46271022 }] },
    hba1c: { include: [{ conceptId: 3004410 }] },
  },
  cohort: {
    index: { domain: "condition", conceptSet: "t2d", occurrence: "first" },
    inclusion: [{ name: "adults at diagnosis", ageAtIndex: { min: 18 } }],
  },
  measures: [
    { name: "patients", type: "count" },
    {
      name: "ageSex",
      type: "histogram",
      by: [{ dimension: "ageBand", width: 20 }, { dimension: "sex" }],
    },
    {
      name: "ckdIncidence",
      type: "incidenceRate",
      outcome: { domain: "condition", conceptSet: "ckd" },
      timeAtRisk: { startDays: 1, endDays: 1825 },
    },
    {
      name: "hba1c",
      type: "summary",
      measurement: {
        conceptSet: "hba1c",
        unitConceptId: 8554,
        window: { startDays: -90, endDays: 30 },
      },
    },
  ],
});

/** What the demo's query section needs from the script. */
export interface DemoQueryContext {
  readonly provider: JsonRpcProvider;
  readonly researcher: Wallet;
  readonly reviewBoard: Wallet;
  readonly accessLedger: string;
  readonly data: LocalDataServices;
  readonly say: (line: string) => void;
}

/** Runs the query end to end and returns the report (its pooled answer printed). */
export async function runDemoQuery(context: DemoQueryContext): Promise<FederatedQueryReport> {
  const { say, data } = context;
  const names = new Map(data.services.map((s) => [s.hospitalId, s.name]));
  const ports: FederationPorts = {
    ledger: createAccessLedgerClient({ address: context.accessLedger, runner: context.researcher }),
    provider: context.provider,
    dataServices: Object.fromEntries(
      data.services.map((s) => [
        s.hospitalId,
        createDataServiceClient({ baseUrl: s.url, signer: context.researcher }),
      ]),
    ),
    clock: () => Date.now(),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  };
  const targets = data.services.map((s) => s.hospitalId);
  const spec = demoQuerySpec;
  say(
    `• the spec: "${spec.title}" — ${spec.measures.map((m) => `${m.name} (${m.type})`).join(", ")}`,
  );
  const submitted = await submitFederatedQuery(ports.ledger, {
    spec,
    targets,
    use: purposeCodes.HMB.bit,
    approvalRef: canonicalHash({ approval: "REB-2026-117", spec: spec.title }),
    expiry: Math.floor(Date.now() / 1000) + 86_400,
  });
  say(
    `• the researcher submits query ${submitted.queryId} to hospitals ${targets.join(", ")} (spec hash ${submitted.specHash.slice(0, 10)}…, the keccak-256 of its RFC 8785 form)`,
  );
  const board = createAccessLedgerClient({
    address: context.accessLedger,
    runner: context.reviewBoard,
  });
  await board.approveQuery(submitted.queryId);
  say(
    "• the review board approves it; each data service takes the spec from the researcher (signed request)",
  );
  const seen = new Map<number, string>();
  const answers = await awaitQueryAnswers(submitted.queryId, ports, {
    deadline: Date.now() + 120_000,
    spec,
    pollIntervalMs: 500,
    onProgress: (progress) => {
      if (progress.type !== "hospital") return;
      const state = progress.hospital.job?.state ?? `on chain: ${progress.hospital.chain}`;
      if (seen.get(progress.hospital.hospitalId) === state) return;
      seen.set(progress.hospital.hospitalId, state);
      say(`    ${names.get(progress.hospital.hospitalId)}: ${state}`);
    },
  });
  const report = await collectFederatedResults(submitted.queryId, spec, ports, {
    minimumSites: 2,
    status: answers.status,
  });
  for (const event of await readEvents(ports, submitted.queryId)) say(event);
  say(
    "• the researcher verifies each result (hash, chain record, recorder's signature) and pools them:",
  );
  for (const line of formatQueryReport(report, (id) => names.get(id))
    .trimEnd()
    .split("\n")) {
    say(`    ${line}`);
  }
  return report;
}

async function readEvents(ports: FederationPorts, queryId: bigint): Promise<string[]> {
  const lines: string[] = [];
  for await (const event of ports.ledger.queryEvents({ queryId })) {
    const args = event.args as Record<string, unknown>;
    const detail =
      event.name === "ResultRecorded"
        ? `hospital=${args.hospitalId} consentBlock=${(args.result as { consentBlock: bigint }).consentBlock}`
        : event.name === "QueryDeclined"
          ? `hospital=${args.hospitalId} reason=${args.reasonCode}`
          : "";
    lines.push(`    block ${event.blockNumber}  AccessLedger.${event.name} ${detail}`.trimEnd());
  }
  return lines;
}
