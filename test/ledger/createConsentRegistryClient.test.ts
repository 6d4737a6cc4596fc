import { TypedDataEncoder, verifyTypedData, Wallet, ZeroHash } from "ethers";
import { beforeAll, describe, expect, it } from "vitest";
import type { Bytes32, ConsentWords } from "../../src/consent/index.ts";
import { dataCategories, purposeCodes, toConsentWords } from "../../src/consent/index.ts";
import { type ConsentRegistryEvent, consentTypedDataTypes } from "../../src/ledger/index.ts";
import { connectLedger, doc, expectLedgerError, ORG, subject } from "./ledgerFixture.ts";

const P = purposeCodes;
const C = dataCategories;
const env = await connectLedger();
const { accounts } = env;

const terms = {
  purposes: P.HMB.bit | P.NCU.bit,
  categories: C.CONDITIONS.bit | C.DRUGS.bit,
  validFrom: 1_000,
  validUntil: 0,
};
const words = (label: string, version = 1): ConsentWords => ({
  subject: subject(label),
  ...terms,
  documentHash: doc(`${label}:${version}`),
});

async function collect<T>(source: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of source) out.push(item);
  return out;
}

describe("createConsentRegistryClient", () => {
  let stack: Awaited<ReturnType<typeof env.deploy>>;
  beforeAll(async () => {
    stack = await env.deploy();
  });

  it("grants, reads, updates and revokes with typed results and events", async () => {
    const registry = stack.registry(accounts.hospitalA);
    const w = words("alice");
    const granted = await registry.grant(w);
    expect(granted.hash).toMatch(/^0x[0-9a-f]{64}$/);
    expect(granted.gasUsed).toBeGreaterThan(21_000n);
    expect(granted.events).toHaveLength(1);
    const [event] = granted.events;
    expect(event?.name).toBe("ConsentGranted");
    if (event?.name !== "ConsentGranted") throw new Error("unreachable");
    expect(event.args).toEqual({
      subject: w.subject,
      custodian: ORG.hospitalA,
      actor: accounts.hospitalA.address,
      version: 1,
      purposes: terms.purposes,
      categories: terms.categories,
      validFrom: terms.validFrom,
      validUntil: 0,
      documentHash: w.documentHash,
    });
    expect(event.blockNumber).toBe(granted.blockNumber);
    expect(event.transactionHash).toBe(granted.hash);

    expect(await registry.consentOf(w.subject)).toEqual({
      subject: w.subject,
      ...terms,
      status: "active",
      version: 1,
      custodian: ORG.hospitalA,
    });
    expect(await registry.isPermitted(w.subject, P.HMB.bit | P.NCU.bit, C.DRUGS.bit, 2_000)).toBe(
      true,
    );
    expect(await registry.isPermitted(w.subject, P.HMB.bit, C.DRUGS.bit, 2_000)).toBe(false);

    const updated = await registry.update({
      ...w,
      categories: C.DRUGS.bit,
      documentHash: doc("a2"),
    });
    expect(updated.events.map((e) => e.name)).toEqual(["ConsentUpdated"]);
    expect((await registry.consentOf(w.subject)).categories).toBe(C.DRUGS.bit);

    const revoked = await registry.revoke(w.subject, doc("a3"));
    const revokedEvent = revoked.events[0];
    expect(revokedEvent?.name === "ConsentRevoked" && revokedEvent.args.version).toBe(3);
    const after = await registry.consentOf(w.subject);
    expect(after.status).toBe("revoked");
    expect(after.version).toBe(3);
  });

  it("reads an unknown subject as status none", async () => {
    const registry = stack.registry(env.ethers.provider);
    const unknown = await registry.consentOf(subject("nobody"));
    expect(unknown.status).toBe("none");
    expect(unknown.version).toBe(0);
    expect(await registry.patientKeyOf(subject("nobody"))).toBeNull();
  });

  it("takes the consent words of an SDK consent record", async () => {
    const registry = stack.registry(accounts.hospitalB);
    const record = {
      subject: subject("record"),
      status: "active" as const,
      permissions: ["GRU" as const],
      conditions: [],
      categories: ["DEMOGRAPHICS" as const],
      grantees: [],
      custodians: [],
      delegates: [],
      diseaseCodes: [],
      documentHash: doc("record"),
    };
    await registry.grant(toConsentWords(record));
    const stored = await registry.consentOf(record.subject);
    expect(stored.purposes).toBe(P.GRU.bit);
    expect(stored.categories).toBe(C.DEMOGRAPHICS.bit);
    expect(stored.custodian).toBe(ORG.hospitalB);
  });

  it("manages patient keys and delegates", async () => {
    const registry = stack.registry(accounts.hospitalA);
    const w = words("keys");
    await registry.grant(w);
    const set = await registry.setPatientKey(w.subject, accounts.patient.address);
    expect(set.events[0]?.name).toBe("PatientKeyChanged");
    expect(await registry.patientKeyOf(w.subject)).toBe(accounts.patient.address);
    const asPatient = stack.registry(accounts.patient);
    await asPatient.setDelegate(w.subject, accounts.delegate.address, true);
    expect(await registry.isDelegate(w.subject, accounts.delegate.address)).toBe(true);
    await stack.registry(accounts.delegate).revoke(w.subject, doc("keys:revoked"));
    expect((await registry.consentOf(w.subject)).status).toBe("revoked");
    await registry.setPatientKey(w.subject, null);
    expect(await registry.patientKeyOf(w.subject)).toBeNull();
  });

  it("signs EIP-712 changes that another account relays", async () => {
    const registry = stack.registry(accounts.hospitalA);
    const w = words("signed");
    await registry.grant(w);
    const patient = Wallet.createRandom();
    await registry.setPatientKey(w.subject, patient.address);
    const relayer = stack.registry(accounts.relayer);
    const deadline = (await env.now()) + 3_600;

    expect(await relayer.nonceOf(patient.address)).toBe(0n);
    const update = await relayer.signUpdate(
      patient,
      { ...w, categories: C.CONDITIONS.bit, documentHash: doc("signed:2") },
      { deadline },
    );
    expect(update.signer).toBe(patient.address);
    expect(update.message.nonce).toBe(0n);
    const domain = await relayer.domain();
    expect(domain.chainId).toBe(31337n);
    expect(domain.verifyingContract).toBe(stack.addresses.registry);
    const recovered = verifyTypedData(
      { ...domain },
      { Update: consentTypedDataTypes.Update.map((f) => ({ ...f })) },
      { ...update.message },
      update.signature,
    );
    expect(recovered).toBe(patient.address);
    // The typed data encodes exactly the contract's type string.
    expect(
      TypedDataEncoder.from({
        Grant: consentTypedDataTypes.Grant.map((f) => ({ ...f })),
      }).encodeType("Grant"),
    ).toBe(
      "Grant(bytes32 subject,uint32 purposes,uint32 categories,uint40 validFrom,uint40 validUntil,bytes32 documentHash,uint256 nonce,uint256 deadline)",
    );

    const relayed = await relayer.updateBySig(update);
    const updatedEvent = relayed.events[0];
    expect(updatedEvent?.name).toBe("ConsentUpdated");
    if (updatedEvent?.name !== "ConsentUpdated") throw new Error("unreachable");
    expect(updatedEvent.args.actor).toBe(patient.address);
    expect((await registry.consentOf(w.subject)).categories).toBe(C.CONDITIONS.bit);

    const delegation = await relayer.signSetDelegate(
      patient,
      { subject: w.subject, delegate: accounts.delegate.address, allowed: true },
      { deadline },
    );
    await relayer.setDelegateBySig(delegation);
    expect(await registry.isDelegate(w.subject, accounts.delegate.address)).toBe(true);

    const revoke = await relayer.signRevoke(
      patient,
      { subject: w.subject, documentHash: doc("signed:3") },
      { deadline },
    );
    expect(revoke.message.nonce).toBe(2n);
    await relayer.revokeBySig(revoke);
    expect((await registry.consentOf(w.subject)).status).toBe("revoked");

    const grant = await relayer.signGrant(
      patient,
      { ...w, documentHash: doc("signed:4") },
      { deadline },
    );
    const regranted = await relayer.grantBySig(grant);
    expect(regranted.events.map((e) => e.name)).toEqual(["ConsentGranted"]);
    expect(await relayer.nonceOf(patient.address)).toBe(4n);
  });

  it("maps signature errors to SIGNATURE_INVALID", async () => {
    const registry = stack.registry(accounts.hospitalA);
    const w = words("badsig");
    await registry.grant(w);
    const patient = Wallet.createRandom();
    await registry.setPatientKey(w.subject, patient.address);
    const relayer = stack.registry(accounts.relayer);
    const now = await env.now();
    const change = { subject: w.subject, documentHash: doc("badsig:2") };

    const expired = await relayer.signRevoke(patient, change, { deadline: now - 1 });
    await expectLedgerError(relayer.revokeBySig(expired), "SIGNATURE_INVALID", {
      error: "ConsentRegistryExpiredSignature",
      args: { deadline: String(now - 1) },
    });
    const wrongNonce = await relayer.signRevoke(patient, change, {
      deadline: now + 600,
      nonce: 5n,
    });
    await expectLedgerError(relayer.revokeBySig(wrongNonce), "SIGNATURE_INVALID", {
      error: "ConsentRegistryInvalidNonce",
      args: { signer: patient.address, expected: "0" },
    });
    const good = await relayer.signRevoke(patient, change, { deadline: now + 600 });
    await expectLedgerError(
      relayer.revokeBySig({ ...good, signature: `0x${"00".repeat(65)}` }),
      "SIGNATURE_INVALID",
      { error: "ConsentRegistryInvalidSignature", args: {} },
    );
  });

  it("maps each consent error to its code with decoded arguments", async () => {
    const registryA = stack.registry(accounts.hospitalA);
    const w = words("errors");
    await registryA.grant(w);
    await expectLedgerError(
      stack.registry(accounts.outsider).grant(words("x")),
      "CONSENT_UNAUTHORISED",
      {
        error: "ConsentRegistryNotRecorder",
        args: { account: accounts.outsider.address },
      },
    );
    const unauthorised = await expectLedgerError(
      stack.registry(accounts.hospitalB).revoke(w.subject, doc("b")),
      "CONSENT_UNAUTHORISED",
      { error: "ConsentRegistryUnauthorised" },
    );
    expect(unauthorised.details).toMatchObject({
      contract: "ConsentRegistry",
      args: { subject: w.subject, account: accounts.hospitalB.address },
    });
    await expectLedgerError(registryA.grant(w), "CONSENT_ALREADY_ACTIVE", {
      error: "ConsentRegistryAlreadyActive",
      args: { subject: w.subject, version: "1" },
    });
    await expectLedgerError(registryA.update(words("never")), "CONSENT_NOT_ACTIVE", {
      error: "ConsentRegistryNotActive",
      args: { subject: subject("never"), status: "0" },
    });
    await expectLedgerError(
      registryA.setPatientKey(subject("never"), accounts.patient.address),
      "LEDGER_NOT_FOUND",
      {
        error: "ConsentRegistryUnknownSubject",
      },
    );
    await expectLedgerError(registryA.setPatientKey(w.subject, null), "LEDGER_CONFLICT", {
      error: "ConsentRegistryPatientKeyUnchanged",
    });
    await expectLedgerError(
      registryA.grant({ ...words("bad"), purposes: P.NCU.bit }),
      "LEDGER_INVALID_INPUT",
      { error: "ConsentRegistryInvalidPurposes", args: { purposes: String(P.NCU.bit) } },
    );
    await expectLedgerError(
      registryA.revoke(w.subject, ZeroHash as Bytes32),
      "LEDGER_INVALID_INPUT",
      {
        error: "ConsentRegistryZeroDocumentHash",
      },
    );
  });

  it("rejects writes through a provider-only client and malformed arguments", async () => {
    const readOnly = stack.registry(env.ethers.provider);
    const noSigner = await expectLedgerError(
      readOnly.revoke(subject("a"), doc("a")),
      "INVALID_ARGUMENT",
    );
    expect(noSigner.details).toEqual({ reason: "UNSUPPORTED_OPERATION", field: "sendTransaction" });
    const malformed = await expectLedgerError(
      stack.registry(accounts.hospitalA).revoke("0x1234" as `0x${string}`, doc("a")),
      "INVALID_ARGUMENT",
    );
    expect(malformed.details).toEqual({ reason: "INVALID_ARGUMENT", field: "subject" });
  });

  it("pages consent events: every event once, in chain order, filtered by subject", async () => {
    const fresh = await env.deploy();
    const registry = fresh.registry(accounts.hospitalA);
    const from = (await env.ethers.provider.getBlockNumber()) + 1;
    const labels = Array.from({ length: 12 }, (_, i) => `page${i}`);
    const hashes: string[] = [];
    for (const label of labels) hashes.push((await registry.grant(words(label))).hash);
    hashes.push((await registry.revoke(subject("page3"), doc("page3:r"))).hash);
    const to = await env.ethers.provider.getBlockNumber();

    const reader = fresh.registry(env.ethers.provider);
    const paged = await collect(
      reader.consentEvents({ fromBlock: from, toBlock: to, pageSize: 2 }),
    );
    const whole = await collect(reader.consentEvents({ fromBlock: from, pageSize: 10_000 }));
    expect(paged.map((e) => e.transactionHash)).toEqual(hashes);
    expect(whole).toEqual(paged);
    const blocks = paged.map((e) => e.blockNumber);
    expect([...blocks].sort((a, b) => a - b)).toEqual(blocks);

    const forSubject: ConsentRegistryEvent[] = await collect(
      reader.consentEvents({ fromBlock: from, subject: subject("page3"), pageSize: 3 }),
    );
    expect(forSubject.map((e) => e.name)).toEqual(["ConsentGranted", "ConsentRevoked"]);

    // Many events per block (batch chunks): pages split by block, never inside one.
    const batchFrom = (await env.ethers.provider.getBlockNumber()) + 1;
    const batch = Array.from({ length: 60 }, (_, i) => ({
      subject: subject(`bulk${i}`),
      documentHash: doc(`bulk${i}`),
    }));
    const loaded = await registry.batchGrant(batch, terms, { maxGasPerTransaction: 700_000n });
    expect(loaded.landed.length).toBeGreaterThan(2);
    const bulk = await collect(reader.consentEvents({ fromBlock: batchFrom, pageSize: 1 }));
    expect(bulk.map((e) => e.name === "ConsentGranted" && e.args.subject)).toEqual(
      batch.map((e) => e.subject),
    );
    const positions = bulk.map((e) => [e.blockNumber, e.logIndex] as const);
    for (let i = 1; i < positions.length; i++) {
      const [block, index] = positions[i] ?? [0, 0];
      const [previousBlock, previousIndex] = positions[i - 1] ?? [0, 0];
      expect(block > previousBlock || (block === previousBlock && index > previousIndex)).toBe(
        true,
      );
    }

    await expectLedgerError(
      collect(reader.consentEvents({ fromBlock: from, pageSize: 0 })),
      "INVALID_ARGUMENT",
    );
    const controller = new AbortController();
    controller.abort();
    await expectLedgerError(
      collect(reader.consentEvents({ signal: controller.signal })),
      "LEDGER_ABORTED",
    );
  });
});
