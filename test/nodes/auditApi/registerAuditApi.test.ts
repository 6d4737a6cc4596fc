import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { JsonRpcProvider, Wallet } from "ethers";
import Fastify, { type FastifyInstance } from "fastify";
import { Level } from "level";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AuditIndex, openAuditIndex } from "../../../nodes/audit/index.ts";
import {
  type AuditChainStatus,
  createAuditReadLog,
  createAuditRoles,
  createSessionIssuer,
  registerAuditApi,
} from "../../../nodes/auditApi/index.ts";
import type { DevKeysFile } from "../../../nodes/node/index.ts";
import { type NodeProcess, spawnDevNode } from "../../../scripts/spawnDevNode.ts";
import { canonicalHash } from "../../../src/canonical/index.ts";
import { toConsentWords } from "../../../src/consent/index.ts";
import { signResearcherRequest } from "../../../src/federation/index.ts";
import { createConsentRegistryClient } from "../../../src/ledger/index.ts";

let dir: string;
let node: NodeProcess;
let keys: DevKeysFile;
let provider: JsonRpcProvider;
let app: FastifyInstance;
let db: Level<string, string>;
let index: AuditIndex;
let clock = Math.floor(Date.now() / 1000);

const status: AuditChainStatus = {
  chainId: "1337",
  height: "7",
  headHash: `0x${"11".repeat(32)}`,
  headTimestamp: 1_700_000_000,
  validators: [`0x${"22".repeat(20)}`],
  peers: 0,
  syncing: false,
  clientVersion: "custos/test",
};

/** Sends a request signed by `privateKey` (or unsigned), as an audit client does. */
async function get(path: string, privateKey?: string, headers?: Record<string, string>) {
  const signed =
    headers ??
    (privateKey === undefined
      ? {}
      : await signResearcherRequest(new Wallet(privateKey), { method: "GET", path }, clock));
  const response = await app.inject({ method: "GET", url: path, headers: signed });
  return { status: response.statusCode, body: response.json(), headers: signed };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "custos-audit-api-"));
  node = await spawnDevNode({ dataDir: join(dir, "node") });
  keys = await node.devKeys();
  provider = new JsonRpcProvider(node.rpcUrl, undefined, { cacheTimeout: -1 });
  db = new Level<string, string>(join(dir, "reads"), { valueEncoding: "utf8" });
  const consortium = keys.contracts.consortium;
  index = await openAuditIndex({ location: join(dir, "audit") });
  app = Fastify();
  await registerAuditApi(app, {
    reader: index.reader,
    exportFacts: { chainId: 4242, observer: "test-node", contracts: keys.contracts },
    sessions: createSessionIssuer({
      chainId: "1337",
      patientKeyOf: async (custodian, subject) =>
        (await createConsentRegistryClient({
          address: keys.contracts.consentRegistry,
          runner: provider,
          custodian,
        }).patientKeyOf(subject)) ?? "0x0000000000000000000000000000000000000000",
      secret: crypto.getRandomValues(new Uint8Array(32)),
    }),
    roles: createAuditRoles({
      callConsortium: async (data) =>
        (await provider.call({ to: consortium, data })) as `0x${string}`,
      headKey: () => "head",
    }),
    readLog: await createAuditReadLog(db),
    status: async () => status,
    now: () => clock,
    version: "0.0.0-test",
  });
  await app.ready();
}, 120_000);

afterAll(async () => {
  await app?.close();
  await db?.close();
  await index?.close();
  provider?.destroy();
  await node?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe("the audit API", () => {
  it("answers chain status to anyone, and documents itself in OpenAPI", async () => {
    expect(await get("/audit/v1/status")).toMatchObject({
      status: 200,
      body: { ...status, auditIndex: { indexedBlock: null, behind: null, fault: null } },
    });
    const openapi = (await app.inject({ url: "/openapi.json" })).json();
    expect(openapi.openapi).toBe("3.1.0");
    expect(Object.keys(openapi.paths)).toEqual(
      expect.arrayContaining(["/audit/v1/status", "/audit/v1/reads"]),
    );
    expect(openapi.paths["/audit/v1/reads"].get.security).toEqual([{ custosSignature: [] }]);
    // Swagger UI, served from the package's own assets (no CDN).
    const docs = await app.inject({ url: "/docs" });
    expect([docs.statusCode, docs.headers["content-type"]]).toEqual([
      200,
      "text/html; charset=utf-8",
    ]);
    const bundle = await app.inject({ url: "/docs/static/swagger-ui-bundle.js" });
    expect([bundle.statusCode, bundle.headers["content-type"]]).toEqual([
      200,
      "application/javascript; charset=utf-8",
    ]);
  });

  it("refuses unsigned, replayed and stale requests with 401, and the wrong roles with 403", async () => {
    const unsigned = await get("/audit/v1/reads");
    expect([unsigned.status, unsigned.body.error.code]).toEqual([401, "AUDIT_API_UNAUTHORISED"]);
    const first = await get("/audit/v1/reads", keys.regulator.privateKey);
    expect(first.status).toBe(200);
    const replay = await get("/audit/v1/reads", undefined, first.headers);
    expect([replay.status, replay.body.error.details.reason]).toEqual([401, "replay"]);
    clock += 301;
    const stale = await get("/audit/v1/reads", undefined, {
      ...(await signResearcherRequest(
        new Wallet(keys.regulator.privateKey),
        { method: "GET", path: "/audit/v1/reads" },
        clock - 301,
      )),
    });
    expect([stale.status, stale.body.error.code]).toEqual([401, "AUDIT_API_UNAUTHORISED"]);
    for (const outsider of [
      keys.researcher.privateKey,
      keys.reviewBoard.privateKey,
      keys.hospitals[0]?.recorder.privateKey as string,
      Wallet.createRandom().privateKey,
    ]) {
      const refused = await get("/audit/v1/reads", outsider);
      expect([refused.status, refused.body.error.code]).toEqual([403, "AUDIT_API_FORBIDDEN"]);
    }
    // A hospital admin may use the audit API, but the read log is the regulator's.
    const hospital = await get("/audit/v1/reads", keys.hospitals[0]?.account.privateKey);
    expect([hospital.status, hospital.body.error.details.role]).toEqual([403, "hospital"]);
  });

  it("refuses a malformed or unknown parameter, and a page over the cap, with 400 naming it", async () => {
    for (const [query, field] of [
      ["limit=ten", "limit"],
      ["limit=1001", "limit"],
      ["limit=0", "limit"],
      ["colour=red", "colour"],
    ] as const) {
      const answer = await get(`/audit/v1/reads?${query}`, keys.regulator.privateKey);
      expect([answer.status, answer.body.error.code, answer.body.error.details.field]).toEqual([
        400,
        "INVALID_ARGUMENT",
        field,
      ]);
    }
  });

  it("logs every signed request, refused ones too, in a hash chain the regulator pages through", async () => {
    const page = await get("/audit/v1/reads?limit=3", keys.regulator.privateKey);

    expect(page.status).toBe(200);
    const { items, next } = page.body as {
      items: {
        seq: number;
        route: string;
        status: number;
        caller: { role: string } | null;
        params: Record<string, string>;
        prevHash: string;
        hash: string;
      }[];
      next: number;
    };
    // Newest first: the four 400s of the previous test are the latest entries.
    expect(items.map((i) => [i.route, i.status])).toEqual([
      ["GET /audit/v1/reads", 400],
      ["GET /audit/v1/reads", 400],
      ["GET /audit/v1/reads", 400],
    ]);
    expect(items[0]?.params).toEqual({ colour: "red" });
    const all: typeof items = [...items];
    let before: number | null = next;
    while (before !== null) {
      const older = await get(
        `/audit/v1/reads?before=${before}&limit=2`,
        keys.regulator.privateKey,
      );
      all.push(...older.body.items);
      before = older.body.next;
    }
    const chain = all.reverse();
    expect(chain.map((i) => i.seq)).toEqual(chain.map((_, index) => index + 1));
    expect(chain[0]).toMatchObject({ caller: null, status: 401 });
    expect(chain.some((i) => i.status === 403 && i.caller === null)).toBe(true);
    let prev = `0x${"0".repeat(64)}`;
    for (const entry of chain) {
      const { hash, ...body } = entry;
      expect(entry.prevHash).toBe(prev);
      expect(canonicalHash(body)).toBe(hash);
      prev = hash;
    }
    // Status reads are public and not logged.
    expect(chain.some((i) => i.route.endsWith("/status"))).toBe(false);
  });
  it("signs staff in from a wallet signature, checks the role on every request, and binds a patient to their record", async () => {
    const signIn = async (wallet: Wallet, patient?: { custodian: number; subject: string }) => {
      const challenge = (await app.inject({ url: "/audit/v1/session/challenge" })).json();
      const signature = await wallet.signMessage(challenge.message);
      const answer = await app.inject({
        method: "POST",
        url: "/audit/v1/session",
        headers: { "content-type": "application/json" },
        payload: JSON.stringify({
          nonce: challenge.nonce,
          signature,
          ...(patient ? { patient } : {}),
        }),
      });
      return { status: answer.statusCode, body: answer.json(), challenge, signature };
    };
    const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

    const regulator = await signIn(new Wallet(keys.regulator.privateKey));
    expect(regulator.status).toBe(200);
    expect(regulator.body.session).toEqual({
      kind: "staff",
      address: keys.regulator.address.toLowerCase(),
    });
    expect(
      (await get("/audit/v1/reads?limit=1", undefined, bearer(regulator.body.token))).status,
    ).toBe(200);
    // The nonce is single-use; a tampered or expired token is refused.
    const reuse = await app.inject({
      method: "POST",
      url: "/audit/v1/session",
      headers: { "content-type": "application/json" },
      payload: JSON.stringify({ nonce: regulator.challenge.nonce, signature: regulator.signature }),
    });
    expect([reuse.statusCode, reuse.json().error.details.reason]).toEqual([
      401,
      "unknown or used nonce",
    ]);
    const mac = regulator.body.token.split(".")[1];
    const forged = `${Buffer.from(JSON.stringify({ kind: "staff", address: keys.regulator.address.toLowerCase(), exp: 9e9 })).toString("base64url")}.${mac}`;
    expect(
      (await get("/audit/v1/reads", undefined, bearer(forged))).body.error.details.reason,
    ).toBe("forged token");
    clock += 3601;
    const expired = await get("/audit/v1/reads", undefined, bearer(regulator.body.token));
    expect([expired.status, expired.body.error.details.reason]).toEqual([401, "session expired"]);

    // Researchers get no staff session at all.
    const researcher = await signIn(new Wallet(keys.researcher.privateKey));
    expect([researcher.status, researcher.body.error.code]).toEqual([403, "AUDIT_API_FORBIDDEN"]);

    // A patient signs in for the record whose patient key they hold, and for no other.
    const patient = new Wallet(Wallet.createRandom().privateKey);
    const subject = `0x${"5a".repeat(32)}`;
    const recorder = createConsentRegistryClient({
      address: keys.contracts.consentRegistry,
      runner: new Wallet(keys.hospitals[0]?.recorder.privateKey as string, provider),
      custodian: 1,
    });
    await recorder.grant(
      toConsentWords({
        subject: subject as `0x${string}`,
        status: "active",
        permissions: ["GRU"],
        conditions: [],
        categories: ["DEMOGRAPHICS"],
        grantees: [],
        custodians: [],
        delegates: [],
        diseaseCodes: [],
        documentHash: `0x${"d0".repeat(32)}`,
      }),
    );
    await recorder.setPatientKey(subject as `0x${string}`, patient.address);
    const mine = await signIn(patient, { custodian: 1, subject });
    expect([mine.status, mine.body.session]).toEqual([
      200,
      { kind: "patient", address: patient.address.toLowerCase(), custodian: 1, subject },
    ]);
    const other = await signIn(patient, { custodian: 1, subject: `0x${"5b".repeat(32)}` });
    expect([other.status, other.body.error.details.reason]).toEqual([403, "patient key"]);
    // A patient session opens no staff route.
    const staffRoute = await get("/audit/v1/reads", undefined, bearer(mine.body.token));
    expect([staffRoute.status, staffRoute.body.error.details.reason]).toEqual([
      403,
      "patient session",
    ]);
  });
});
