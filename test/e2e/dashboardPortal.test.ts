import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import { getBytes, Wallet } from "ethers";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { trustAnchorFromGenesis, verifyChainProof } from "../../src/auditProof/index.ts";
import { createInMemoryDifferencingStore } from "../../src/disclosure/index.ts";
import { type SignedQueryResult, signResearcherRequest } from "../../src/federation/index.ts";
import { createConsentRegistryClient } from "../../src/ledger/index.ts";
import { parseQuerySpec, type QuerySpec, releaseQueryResult } from "../../src/query/index.ts";
import { evaluateReference, readOmopCsvDirectory } from "../query/reference/index.ts";
import { launchBrowser, saveScreenshot } from "./harness/browser.ts";
import {
  HOSPITAL,
  type HospitalWithData,
  startHospitalWithData,
} from "./harness/hospitalWithData.ts";
import { readSyntheticPersons } from "./harness/syntheticPersons.ts";

const spec = parseQuerySpec(
  JSON.parse(
    await readFile(new URL("../fixtures/query/diabetes.spec.json", import.meta.url), "utf8"),
  ),
);
// A second question with another cohort (older patients only), so the differencing guard,
// which compares cohorts of one researcher organisation, lets it through.
const olderSpec = parseQuerySpec({
  ...spec,
  title: "Type 2 diabetes from 50",
  cohort: {
    ...spec.cohort,
    inclusion: spec.cohort.inclusion.map((rule) =>
      rule.name === "adults" ? { ...rule, ageAtIndex: { min: 50 } } : rule,
    ),
  },
});

let hospital: HospitalWithData;
let browser: Browser;

/**
 * A browser context whose page has an EIP-1193 wallet (`window.ethereum`) holding `key`:
 * what a regulator's or patient's wallet extension gives the dashboard and portal.
 */
async function contextWithWallet(key: string): Promise<BrowserContext> {
  const signer = new Wallet(key);
  const context = await browser.newContext({
    viewport: { width: 1280, height: 900 },
    locale: "en-GB",
  });
  await context.exposeFunction("custosTestWallet", async (method: string, params: unknown[]) => {
    if (method === "eth_requestAccounts" || method === "eth_accounts") return [signer.address];
    if (method === "personal_sign") return signer.signMessage(getBytes(params[0] as string));
    if (method === "eth_signTypedData_v4") {
      const { domain, types, message } = JSON.parse(params[1] as string);
      const { EIP712Domain: _domain, ...rest } = types;
      return signer.signTypedData(domain, rest, message);
    }
    throw new Error(`wallet method ${method} not supported`);
  });
  await context.addInitScript(() => {
    const call = (
      globalThis as unknown as { custosTestWallet: (m: string, p: unknown[]) => unknown }
    ).custosTestWallet;
    (globalThis as unknown as { ethereum: unknown }).ethereum = {
      request: ({ method, params }: { method: string; params?: unknown[] }) =>
        call(method, params ?? []),
    };
  });
  return context;
}

/** Submits, approves and delivers a query, then waits for the hospital's signed result. */
async function runToResult(
  querySpec: QuerySpec,
): Promise<{ queryId: bigint; result: SignedQueryResult }> {
  const queryId = await hospital.submitApproved(querySpec);
  expect((await hospital.deliverSpec(queryId, querySpec)).status).toBe(202);
  expect((await hospital.waitForFinal(queryId)).state).toBe("recorded");
  const { body } = await hospital.call(`/queries/${queryId}/result`);
  return { queryId, result: body as unknown as SignedQueryResult };
}

/** The statistics the data service must release, computed here from the CSVs. */
async function expectedStatistics(querySpec: QuerySpec, persons: number[]) {
  const reference = evaluateReference(
    await readOmopCsvDirectory(hospital.hospitalDir),
    querySpec,
    persons,
  );
  const released = await releaseQueryResult(
    reference.aggregates,
    { disclosure: { minCellSize: 11, minCohortDifference: 11 }, statistics: { minN: 11 } },
    { differencing: createInMemoryDifferencingStore() },
    { requester: "x", hospital: "1", queryId: "x", cohort: reference.cohortPersonIds },
  );
  if (released.status !== "released") throw new Error("the reference release was declined");
  return { statistics: released.statistics, cohort: reference.cohortPersonIds };
}

/** The query ids of the portal's "studies that used your record", once loaded. */
async function listedStudies(page: Page): Promise<string[]> {
  await page.locator('[data-field="disclosures"][data-state]').first().waitFor();
  return page
    .locator('[data-field="disclosures"] li[data-query]')
    .evaluateAll((els) => els.map((el) => el.getAttribute("data-query") as string));
}

/** Waits until the node's audit index holds the hospital's recorded result of `queryId`. */
async function waitForIndexedResult(queryId: bigint): Promise<void> {
  const path = `/audit/v1/queries/${queryId}`;
  for (;;) {
    const headers = await signResearcherRequest(
      new Wallet(hospital.keys.regulator.privateKey),
      { method: "GET", path },
      Date.now() / 1000,
    );
    const trail = (await (await fetch(`${hospital.node.rpcUrl}${path}`, { headers })).json()) as {
      summary?: { responses?: { status: string }[] };
    };
    if (trail.summary?.responses?.[0]?.status === "recorded") return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function rows(file: string): Promise<number> {
  return (
    parse(await readFile(join(hospital.hospitalDir, file), "utf8"), { columns: true }) as unknown[]
  ).length;
}

async function text(page: Page, selector: string): Promise<string> {
  return ((await page.locator(selector).first().textContent()) ?? "").replace(/\s+/g, " ").trim();
}

beforeAll(async () => {
  hospital = await startHospitalWithData({ persons: 3000, seed: 17 });
  browser = await launchBrowser();
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await hospital?.stop();
});

describe("the dashboard and the patient portal in a real browser", () => {
  it("shows the chain, the query timeline and a query's trail as the chain holds them", async () => {
    const { queryId, result } = await runToResult({ ...spec, title: "dashboard" });
    const context = await contextWithWallet(hospital.keys.regulator.privateKey);
    const page = await context.newPage();
    await page.goto(`${hospital.node.rpcUrl}/dashboard`);

    // Chain status needs no sign-in.
    await page.locator('[data-field="height"]').waitFor();
    const height = Number(await text(page, '[data-field="height"]'));
    expect(height).toBeGreaterThanOrEqual((await hospital.provider.getBlockNumber()) - 2);
    expect(await text(page, '[data-field="validators"]')).toContain(
      hospital.keys.hospitals[0]?.validator.address.toLowerCase() as string,
    );

    await page.locator('[data-action="signIn"]').click();
    await page.locator('[data-field="signedIn"]').waitFor();
    const row = page.locator(`tr[data-query="${queryId}"]`);
    await row.waitFor();
    expect(await row.locator(`[data-hospital="${HOSPITAL}"]`).getAttribute("data-response")).toBe(
      "recorded",
    );
    await row.click();
    const trail = page.locator("custos-query-trail");
    await trail.locator(`tr[data-hospital="${HOSPITAL}"] [data-field="answer"]`).waitFor();
    expect(
      await trail.locator(`tr[data-hospital="${HOSPITAL}"] code`).first().getAttribute("title"),
    ).toBe(result.document.consent.root);
    const events = await trail
      .locator("tr[data-event]")
      .evaluateAll((els) => els.map((el) => el.getAttribute("data-event")));
    expect(events).toEqual(["QuerySubmitted", "QueryApproved", "ResultRecorded"]);

    // Consent activity: every grant and revocation the hospital's files hold, counted on chain.
    const totals = await text(page, '[data-field="consentTotals"]');
    expect(totals).toContain(`${await rows("consents.csv")} grants`);
    expect(totals).toContain(`${await rows("revocations.csv")} revocations`);
    await saveScreenshot(page, "dashboard");
    await context.close();
  });

  it("verifies a query's proof in the browser against the genesis the user loads, and downloads it", async () => {
    const { queryId } = await runToResult({ ...spec, title: "proofs" });
    const genesisFile = join(hospital.dir, "node", "dev-genesis.json");
    const genesis = JSON.parse(await readFile(genesisFile, "utf8"));
    const context = await contextWithWallet(hospital.keys.regulator.privateKey);
    const page = await context.newPage();
    await page.goto(`${hospital.node.rpcUrl}/dashboard`);
    await page.locator('[data-action="signIn"]').click();
    await page.locator('[data-field="signedIn"]').waitFor();
    const row = page.locator(`tr[data-query="${queryId}"]`);
    await row.click();
    const trail = page.locator("custos-query-trail");
    const badges = () =>
      trail
        .locator("tr[data-event]")
        .evaluateAll((rows) =>
          rows.map((r) => [
            r.getAttribute("data-event"),
            r.querySelector('[data-field="proof"]')?.textContent?.replace(/\s+/g, " ").trim(),
          ]),
        );
    const events = ["QuerySubmitted", "QueryApproved", "ResultRecorded"];

    // Without a genesis the proof is fetched, offered, and said to be unverified.
    await trail.locator('[data-field="proofStatus"][data-proof="unverified"]').waitFor();
    expect(await badges()).toEqual(events.map((e) => [e, "not verified (no genesis loaded)"]));
    expect(await row.locator('[data-field="proof"]').textContent()).toBe("");

    // The download is the node's proof, and it verifies offline against the genesis file.
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      trail.locator('[data-action="downloadProof"]').click(),
    ]);
    expect(download.suggestedFilename()).toBe(`custos-query-${queryId}-proof.json`);
    const saved = JSON.parse(await readFile(await download.path(), "utf8"));
    const proven = verifyChainProof(saved, trustAnchorFromGenesis(genesis));
    expect(proven).toHaveLength(events.length);

    // The user's own genesis file: every event verified, and the timeline says so.
    await page.locator('[data-field="genesisFile"]').setInputFiles(genesisFile);
    await page.locator('[data-field="anchor"][data-source="file"]').waitFor();
    await trail.locator('[data-field="proofStatus"][data-proof="verified"]').waitFor();
    expect(await badges()).toEqual(events.map((e) => [e, "verified"]));
    expect(await row.locator('[data-field="proof"]').getAttribute("data-proof")).toBe("verified");
    await saveScreenshot(page, "dashboard-proof-verified");

    // A genesis naming other validators: the proof fails, naming the link that broke.
    const forged = join(hospital.dir, "forged-genesis.json");
    await writeFile(
      forged,
      JSON.stringify({ ...genesis, validators: [Wallet.createRandom().address] }),
    );
    await page.locator('[data-field="genesisFile"]').setInputFiles(forged);
    await trail.locator('[data-field="proofStatus"][data-proof="failed"]').waitFor();
    expect(await badges()).toEqual(events.map((e) => [e, "failed: validatorSet"]));
    expect(await row.locator('[data-field="proof"]').getAttribute("data-link")).toBe(
      "validatorSet",
    );
    await saveScreenshot(page, "dashboard-proof-failed");

    // A file that is no genesis is refused with its code; the anchor loaded before stays.
    const notGenesis = join(hospital.dir, "not-genesis.json");
    await writeFile(notGenesis, JSON.stringify({ chainId: genesis.chainId }));
    await page.locator('[data-field="genesisFile"]').setInputFiles(notGenesis);
    await page.locator('[data-field="genesisFailure"]').waitFor();
    expect(await text(page, '[data-field="genesisFailure"]')).toMatch(/^GENESIS_INVALID: /);
    expect(await text(page, '[data-field="anchor"]')).toContain("forged-genesis.json");

    // The node's own genesis is offered, and labelled as not independent.
    await page.locator('[data-action="nodeGenesis"]').click();
    await page.locator('[data-field="anchor"][data-source="node"]').waitFor();
    expect(await text(page, '[data-field="anchor"]')).toContain(
      "as served by this node (not independent)",
    );
    await trail.locator('[data-field="proofStatus"][data-proof="verified"]').waitFor();
    expect(await text(page, '[data-field="proofStatus"]')).toContain("not independent");
    await context.close();
  });

  it("lets a patient withdraw in one signed action; the next query leaves them out", async () => {
    const persons = await readSyntheticPersons(hospital.hospitalDir);
    const before = await expectedStatistics(olderSpec, persons.consenting());
    const personId = before.cohort[0] as number;
    const subject = persons.subjectOf(personId);
    const patient = new Wallet(Wallet.createRandom().privateKey);
    const recorder = createConsentRegistryClient({
      address: hospital.keys.contracts.consentRegistry,
      runner: hospital.wallet(hospital.keys.hospitals[0]?.recorder.privateKey as string),
      custodian: HOSPITAL,
    });
    await recorder.setPatientKey(subject, patient.address);

    const context = await contextWithWallet(patient.privateKey);
    const page = await context.newPage();
    await page.goto(`${hospital.node.rpcUrl}/portal#custodian=${HOSPITAL}&subject=${subject}`);
    await page.locator('[data-action="signIn"]').click();
    await page.locator('[data-field="status"]').waitFor();
    expect(await page.locator('[data-field="status"]').getAttribute("class")).toBe("active");
    // The studies that used the record so far, each proven against the root on chain.
    const studiesBefore = await listedStudies(page);
    expect(studiesBefore.length).toBeGreaterThan(0);
    const first = page.locator(`li[data-query="${studiesBefore[0]}"]`);
    await first.locator('[data-action="proof"]').click();
    await first.locator('[data-field="proof"][data-proof="verified"]').waitFor();
    await saveScreenshot(page, "portal-studies");
    await page.locator('[data-action="withdraw"]').click();
    await page.locator('[data-field="withdrawn"]').waitFor({ timeout: 30_000 });
    expect(await page.locator('[data-field="status"]').getAttribute("class")).toBe("revoked");
    expect((await recorder.consentOf(subject)).status).toBe("revoked");
    const history = await page
      .locator("li[data-event]")
      .evaluateAll((els) => els.map((el) => el.getAttribute("data-event")));
    expect(history.slice(-2)).toEqual(["PatientKeyChanged", "ConsentRevoked"]);
    await saveScreenshot(page, "portal-withdrawn");
    await context.close();

    // The next query runs over the consenting patients less this one.
    const { queryId: afterQuery, result } = await runToResult(olderSpec);
    const after = await expectedStatistics(olderSpec, persons.consenting(new Set([subject])));
    expect(after.cohort).toHaveLength(before.cohort.length - 1);
    expect(result.document.statistics).toEqual(after.statistics);
    expect(result.document.statistics).not.toEqual(before.statistics);

    // The patient's list keeps the earlier studies and never shows the one after withdrawal.
    await waitForIndexedResult(afterQuery);
    const again = await contextWithWallet(patient.privateKey);
    const later = await again.newPage();
    await later.goto(`${hospital.node.rpcUrl}/portal#custodian=${HOSPITAL}&subject=${subject}`);
    await later.locator('[data-action="signIn"]').click();
    const studiesAfter = await listedStudies(later);
    expect(studiesAfter).toEqual(expect.arrayContaining(studiesBefore));
    expect(studiesAfter).not.toContain(String(afterQuery));
    await again.close();
  });
});
