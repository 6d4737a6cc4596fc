/**
 * The site trail through a real data service on a dev node: a denied request, a site-policy
 * refusal and a manual release land in the hospital's trail; its head is anchored on chain
 * (at its interval and at stop), the anchor is in the node's audit index, and a rewrite of
 * an anchored entry is caught by `custos data-service trail verify`.
 */
import { readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Wallet } from "ethers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../../nodes/bin/runCli.ts";
import {
  readSiteTrail,
  type SiteTrailEntry,
  verifySiteTrailOnChain,
} from "../../nodes/dataService/index.ts";
import { EMPTY_TRAIL_HASH, siteTrailEntryHash } from "../../nodes/dataService/siteTrail/index.ts";
import { signResearcherRequest } from "../../src/federation/index.ts";
import { createAccessLedgerClient } from "../../src/ledger/index.ts";
import { parseQuerySpec, type QuerySpec } from "../../src/query/index.ts";
import { expectCustosError } from "../expectCustosError.ts";
import { captureIo } from "../nodes/bin/captureIo.ts";
import {
  HOSPITAL,
  type HospitalWithData,
  startHospitalWithData,
} from "./harness/hospitalWithData.ts";

const full = parseQuerySpec(
  JSON.parse(
    await readFile(new URL("../fixtures/query/diabetes.spec.json", import.meta.url), "utf8"),
  ),
);
/** Within the site policy below: every measure but the 2×2 table. */
const allowed: QuerySpec = {
  ...full,
  title: "released by hand",
  measures: full.measures.filter((m) => m.type !== "twoByTwo"),
};

let hospital: HospitalWithData;
let stopped = false;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const trailFile = () => join(hospital.dir, "service", "site-trail", "trail.jsonl");

async function trailEntries(): Promise<SiteTrailEntry[]> {
  const entries: SiteTrailEntry[] = [];
  await readSiteTrail(trailFile(), { onEntry: (e) => entries.push(e) });
  return entries;
}

const ledger = () =>
  createAccessLedgerClient({
    address: hospital.keys.contracts.accessLedger,
    runner: hospital.provider,
  });

async function until<T>(what: string, read: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

beforeAll(async () => {
  hospital = await startHospitalWithData({
    persons: 3000,
    seed: 11,
    serviceConfig: {
      policy: {
        purposes: ["HMB", "GRU"],
        measures: ["count", "histogram", "incidenceRate", "summary", "quantiles"],
        manualRelease: true,
      },
      siteTrail: { anchorIntervalSeconds: 1 },
    },
  });
}, 180_000);

afterAll(async () => {
  if (stopped) {
    hospital.provider.destroy();
    await hospital.node.stop();
    await rm(hospital.dir, { recursive: true, force: true });
  } else {
    await hospital?.stop();
  }
});

describe("the site trail of a running data service", () => {
  let releaseEntry: SiteTrailEntry;

  it("keeps denials, policy refusals and manual releases, and anchors its head on chain", async () => {
    // The trail opened with the site policy in force.
    const [policy] = await trailEntries();
    expect(policy).toMatchObject({ seq: 1, kind: "policy", details: { previousHash: null } });

    const released = await hospital.submitApproved(allowed);
    expect((await hospital.deliverSpec(released, allowed)).status).toBe(202);
    // A request signed by another account than the query's researcher is denied, and kept.
    const foreign = await hospital.call(`/queries/${released}`, {
      signer: hospital.wallet(hospital.keys.regulator.privateKey),
    });
    expect(foreign.body.error?.code).toBe("FEDERATION_REQUEST_UNAUTHORISED");
    // A query asking for a measure outside the site policy is declined, and kept.
    const refused = await hospital.submitApproved(full);
    expect((await hospital.deliverSpec(refused, full)).status).toBe(202);
    expect(await hospital.waitForFinal(refused)).toMatchObject({
      state: "declined",
      reason: "measureRefused",
    });
    // Staff release the held result by hand.
    await until("the result held for release", async () => {
      const { body } = await hospital.call(`/queries/${released}`);
      return body.state === "awaiting-release" ? true : undefined;
    });
    const release = await fetch(`${hospital.service.url}/admin/queries/${released}/release`, {
      method: "POST",
      headers: { authorization: `Bearer ${hospital.service.adminToken}` },
    });
    expect(release.status).toBe(200);
    expect((await hospital.waitForFinal(released)).state).toBe("recorded");

    const entries = await trailEntries();
    const denial = entries.find((e) => e.kind === "requestDenied");
    expect(denial?.details).toMatchObject({
      method: "GET",
      route: "/queries/:id",
      queryId: String(released),
      code: "FEDERATION_REQUEST_UNAUTHORISED",
      status: 401,
      reason: "not the researcher",
      address: new Wallet(hospital.keys.regulator.privateKey).address.toLowerCase(),
    });
    expect(entries.find((e) => e.kind === "queryDeclined")?.details).toEqual({
      queryId: String(refused),
      reason: "measureRefused",
      reasonCode: 4,
      errorCode: null,
      attempts: 0,
    });
    const manual = entries.find((e) => e.kind === "manualRelease");
    const onChainResult = await hospital.call(`/queries/${released}/result`);
    expect(manual?.details).toMatchObject({
      queryId: String(released),
      action: "release",
      resultHash: onChainResult.body.resultHash,
    });
    releaseEntry = manual as SiteTrailEntry;
    // Nothing identifying: no pseudonym, no spec, no person.
    expect(JSON.stringify(entries)).not.toContain("conceptSets");

    // The anchor reaches the release within its interval.
    const anchored = await until("the anchor", async () => {
      const head = await ledger().siteTrailHead(HOSPITAL);
      return Number(head.sequence) >= releaseEntry.seq ? head : undefined;
    });
    const local = (await trailEntries()).find((e) => e.seq === Number(anchored.sequence));
    expect(anchored.head).toBe(local?.hash);
    const report = await verifySiteTrailOnChain({
      file: trailFile(),
      ledger: ledger(),
      hospitalId: HOSPITAL,
    });
    expect(report.anchors).toBeGreaterThanOrEqual(1);
    expect(report.lastAnchored?.seq).toBe(Number(anchored.sequence));
  }, 180_000);

  it("is listed by the node's audit index as a SiteTrailAnchored entry", async () => {
    const head = await ledger().siteTrailHead(HOSPITAL);
    let block = 0;
    for await (const a of ledger().siteTrailAnchors({ hospitalId: HOSPITAL })) {
      if (a.sequence === head.sequence) block = a.blockNumber;
    }
    const anchor = await until("the indexed anchor", async () => {
      const path = `/audit/v1/entries?fromBlock=${block}&toBlock=${block}&limit=1000`;
      const headers = await signResearcherRequest(
        new Wallet(hospital.keys.regulator.privateKey),
        { method: "GET", path },
        Date.now() / 1000,
      );
      const response = await fetch(`${hospital.node.rpcUrl}${path}`, { headers });
      const page = (await response.json()) as {
        items: { event: string; area: string; fields: Record<string, unknown> }[];
      };
      return page.items.find(
        (e) => e.event === "SiteTrailAnchored" && e.fields.sequence === String(head.sequence),
      );
    });
    expect(anchor).toMatchObject({
      area: "siteTrail",
      fields: {
        hospitalId: HOSPITAL,
        recorder: new Wallet(hospital.keys.hospitals[0]?.recorder.privateKey as string).address,
        head: head.head,
      },
    });
  });

  it("anchors the moved head at stop, and catches a rewritten anchored entry", async () => {
    // A denial moves the head; the interval's anchor or, at the latest, the one at stop takes it.
    await fetch(`${hospital.service.url}/admin/queries`);
    const moved = (await readSiteTrail(trailFile())).head;
    expect(moved.seq).toBeGreaterThan(releaseEntry.seq);
    await hospital.service.stop();
    stopped = true;
    const final = await ledger().siteTrailHead(HOSPITAL);
    expect([Number(final.sequence), final.head]).toEqual([moved.seq, moved.hash]);

    const args = [
      "data-service",
      "trail",
      "verify",
      "--data-dir",
      join(hospital.dir, "service"),
      "--rpc",
      hospital.node.rpcUrl,
      "--hospital",
      String(HOSPITAL),
      "--access-ledger",
      hospital.keys.contracts.accessLedger,
    ];
    const clean = captureIo();
    expect(await runCli(args, clean.io)).toBe(0);
    expect(clean.out()).toMatch(
      /^verified: the site trail of hospital 1 holds \d+ chained entries/,
    );

    // The release is rewritten as a refusal, every later hash recomputed: the chain holds,
    // the anchors do not.
    const lines = (await readFile(trailFile(), "utf8")).split("\n").filter((l) => l !== "");
    let prevHash = EMPTY_TRAIL_HASH;
    const rewritten = lines.map((line) => {
      let entry = JSON.parse(line) as SiteTrailEntry;
      if (entry.seq === releaseEntry.seq) {
        entry = { ...entry, details: { ...entry.details, action: "refuse" } } as SiteTrailEntry;
      }
      if (entry.seq >= releaseEntry.seq) {
        const body = { ...entry, prevHash };
        entry = { ...body, hash: siteTrailEntryHash(body) } as SiteTrailEntry;
      }
      prevHash = entry.hash;
      return JSON.stringify(entry);
    });
    await writeFile(trailFile(), `${rewritten.join("\n")}\n`);
    expect((await readSiteTrail(trailFile())).head.seq).toBe(moved.seq);
    // Caught at the first anchor at or after the rewritten entry, named by its sequence.
    const anchors: number[] = [];
    for await (const a of ledger().siteTrailAnchors({ hospitalId: HOSPITAL })) {
      anchors.push(Number(a.sequence));
    }
    const firstAnchorAtOrAfter = Math.min(...anchors.filter((seq) => seq >= releaseEntry.seq));
    const error = await expectCustosError(
      verifySiteTrailOnChain({ file: trailFile(), ledger: ledger(), hospitalId: HOSPITAL }),
      "DATA_SERVICE_TRAIL_ANCHOR_MISMATCH",
    );
    expect(error.details).toMatchObject({ seq: firstAnchorAtOrAfter, local: expect.any(String) });
    const tampered = captureIo();
    expect(await runCli(args, tampered.io)).toBe(1);
    expect(tampered.err()).toMatch(
      new RegExp(`^error DATA_SERVICE_TRAIL_ANCHOR_MISMATCH: .* entry ${firstAnchorAtOrAfter}:`),
    );
  }, 60_000);
});
