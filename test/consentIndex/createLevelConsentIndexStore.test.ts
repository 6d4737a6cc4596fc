import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Level } from "level";
import { afterEach, describe, expect, it } from "vitest";
import {
  type ConsentState,
  createLevelConsentIndexStore,
  type StoredConsent,
} from "../../src/consentIndex/index.ts";
import { expectCustosError } from "../expectCustosError.ts";

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "custos-store-"));
  dirs.push(dir);
  return dir;
}

const state = (version: number): ConsentState => ({
  status: version % 2 === 0 ? "revoked" : "active",
  purposes: 0x102,
  categories: 0x1c,
  validFrom: 1_700_000_000,
  validUntil: 2 ** 40,
  version,
  custodian: 2,
});
const subject = (n: number) => `0x${n.toString(16).padStart(64, "0")}` as const;

async function all(iterable: AsyncIterable<StoredConsent>): Promise<StoredConsent[]> {
  const out: StoredConsent[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

describe("createLevelConsentIndexStore", () => {
  it("persists the latest record per subject and the position, across a reopen", async () => {
    const location = await tempDir();
    const store = createLevelConsentIndexStore({ location });
    expect(await store.readPosition()).toBeNull();
    expect(await all(store.records())).toEqual([]);
    await store.commit({
      records: [
        { subject: subject(2), state: state(1) },
        { subject: subject(1), state: state(1) },
      ],
      position: { blockNumber: 10, scope: "31337:0xabc" },
    });
    await store.commit({
      records: [{ subject: subject(2), state: state(2) }],
      position: { blockNumber: 12, scope: "31337:0xabc" },
    });
    await store.close();

    const reopened = createLevelConsentIndexStore({ location });
    expect(await reopened.readPosition()).toEqual({ blockNumber: 12, scope: "31337:0xabc" });
    expect(await all(reopened.records())).toEqual([
      { subject: subject(1), state: state(1) },
      { subject: subject(2), state: state(2) },
    ]);
    await reopened.close();
  });

  it("writes nothing of a commit with a malformed record", async () => {
    const store = createLevelConsentIndexStore({ location: await tempDir() });
    const error = await expectCustosError(
      store.commit({
        records: [
          { subject: subject(1), state: state(1) },
          { subject: "0x12", state: state(1) },
        ],
        position: { blockNumber: 5, scope: null },
      }),
      "INVALID_ARGUMENT",
    );
    expect(error.details).toEqual({ field: "records.subject" });
    expect(await store.readPosition()).toBeNull();
    expect(await all(store.records())).toEqual([]);
    await store.close();
  });

  it("reports undecodable content as CONSENT_INDEX_STORE_CORRUPT", async () => {
    const location = await tempDir();
    const raw = new Level<Uint8Array, Uint8Array>(location, {
      keyEncoding: "view",
      valueEncoding: "view",
    });
    await raw.put(Uint8Array.of(0), new TextEncoder().encode("{not json"));
    await raw.put(Uint8Array.of(1, 2, 3), new Uint8Array(30));
    await raw.close();
    const store = createLevelConsentIndexStore({ location });
    const position = await expectCustosError(store.readPosition(), "CONSENT_INDEX_STORE_CORRUPT");
    expect(position.details).toEqual({ key: "position", problem: "malformed" });
    const records = await expectCustosError(all(store.records()), "CONSENT_INDEX_STORE_CORRUPT");
    expect(records.details).toEqual({ key: "record", problem: "key length" });
    await store.close();
  });

  it("fails with CONSENT_INDEX_STORE_FAILED once closed", async () => {
    const store = createLevelConsentIndexStore({ location: await tempDir() });
    await store.close();
    const error = await expectCustosError(
      store.commit({ records: [], position: { blockNumber: 1, scope: null } }),
      "CONSENT_INDEX_STORE_FAILED",
    );
    expect(error.details).toEqual({ operation: "write" });
  });
});
