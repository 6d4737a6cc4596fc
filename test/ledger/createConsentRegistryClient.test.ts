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

  it("grants, reads, updates and revokes with typed results, events and record nonces", async () => {
    const registry = stack.registry(accounts.recorderA);
    expect(registry.custodian).toBe(ORG.hospitalA);
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
      actor: accounts.recorderA.address,
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
      nonce: 1,
    });
    expect(await registry.nonceOf(w.subject)).toBe(1);
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
    expect(after).toMatchObject({ status: "revoked", version: 3, nonce: 3 });
  });

  it("reads an unknown subject as status none with nonce 0", async () => {
    const registry = stack.registry(env.ethers.provider);
    const unknown = await registry.consentOf(subject("nobody"));
    expect(unknown).toMatchObject({ status: "none", version: 0, custodian: 0, nonce: 0 });
    expect(await registry.nonceOf(subject("nobody"))).toBe(0);
    expect(await registry.patientKeyOf(subject("nobody"))).toBeNull();
  });

  it("takes the consent words of an SDK consent record", async () => {
    const registry = stack.registry(accounts.recorderB, ORG.hospitalB);
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

  it("keeps each custodian's record of a pseudonym apart; no hospital writes another's", async () => {
    const a = stack.registry(accounts.recorderA, ORG.hospitalA);
    const b = stack.registry(accounts.recorderB, ORG.hospitalB);
    const s = subject("shared");
    await a.grant({ ...words("shared"), categories: C.DRUGS.bit });
    // B's recorder records its own patient under the same pseudonym: a different record.
    await b.grant({ ...words("shared"), categories: C.GENOMICS.bit });
    await b.revoke(s, doc("shared:b-revoked"));
    expect(await a.consentOf(s)).toMatchObject({
      status: "active",
      categories: C.DRUGS.bit,
      version: 1,
      custodian: ORG.hospitalA,
    });
    expect(await b.consentOf(s)).toMatchObject({
      status: "revoked",
      categories: C.GENOMICS.bit,
      version: 2,
      custodian: ORG.hospitalB,
    });
    // B's recorder cannot take or change A's record (no squatting, no foreign revocation).
    const squat = stack.registry(accounts.recorderB, ORG.hospitalA);
    await expectLedgerError(squat.grant(words("unclaimed")), "CONSENT_UNAUTHORISED", {
      error: "ConsentRegistryNotRecorder",
      args: { custodian: String(ORG.hospitalA), account: accounts.recorderB.address },
    });
    await expectLedgerError(squat.revoke(s, doc("shared:foreign")), "CONSENT_UNAUTHORISED", {
      error: "ConsentRegistryUnauthorised",
      args: { subject: s, account: accounts.recorderB.address },
    });
    // A hospital's admin account is not a recorder.
    await expectLedgerError(
      stack.registry(accounts.hospitalA).grant(words("by-admin")),
      "CONSENT_UNAUTHORISED",
      {
        error: "ConsentRegistryNotRecorder",
        args: { custodian: String(ORG.hospitalA), account: accounts.hospitalA.address },
      },
    );
  });

  it("manages patient keys and delegates, each change moving the nonce", async () => {
    const registry = stack.registry(accounts.recorderA);
    const w = words("keys");
    await registry.grant(w);
    const set = await registry.setPatientKey(w.subject, accounts.patient.address);
    const keyEvent = set.events[0];
    expect(keyEvent?.name).toBe("PatientKeyChanged");
    expect(keyEvent?.name === "PatientKeyChanged" && keyEvent.args).toEqual({
      subject: w.subject,
      custodian: ORG.hospitalA,
      key: accounts.patient.address,
      actor: accounts.recorderA.address,
      previousKey: "0x0000000000000000000000000000000000000000",
    });
    expect(await registry.patientKeyOf(w.subject)).toBe(accounts.patient.address);
    expect(await registry.nonceOf(w.subject)).toBe(2);
    const asPatient = stack.registry(accounts.patient);
    const delegated = await asPatient.setDelegate(w.subject, accounts.delegate.address, true);
    expect(delegated.events[0]?.name === "DelegateAdded" && delegated.events[0].args).toEqual({
      subject: w.subject,
      custodian: ORG.hospitalA,
      delegate: accounts.delegate.address,
      actor: accounts.patient.address,
    });
    expect(await registry.isDelegate(w.subject, accounts.delegate.address)).toBe(true);
    expect(await registry.nonceOf(w.subject)).toBe(3);
    await stack.registry(accounts.delegate).revoke(w.subject, doc("keys:revoked"));
    expect((await registry.consentOf(w.subject)).status).toBe("revoked");
    await registry.setPatientKey(w.subject, null);
    expect(await registry.patientKeyOf(w.subject)).toBeNull();
    expect(await registry.consentOf(w.subject)).toMatchObject({ version: 2, nonce: 5 });
  });

  it("signs EIP-712 changes at the record nonce that another account relays", async () => {
    const registry = stack.registry(accounts.recorderA);
    const w = words("signed");
    await registry.grant(w);
    const patient = Wallet.createRandom();
    await registry.setPatientKey(w.subject, patient.address);
    const relayer = stack.registry(accounts.relayer);
    const deadline = (await env.now()) + 3_600;

    expect(await relayer.nonceOf(w.subject)).toBe(2);
    const update = await relayer.signUpdate(
      patient,
      { ...w, categories: C.CONDITIONS.bit, documentHash: doc("signed:2") },
      { deadline },
    );
    expect(update.signer).toBe(patient.address);
    expect(update.message).toEqual({
      custodian: ORG.hospitalA,
      subject: w.subject,
      purposes: terms.purposes,
      categories: C.CONDITIONS.bit,
      validFrom: terms.validFrom,
      validUntil: 0,
      documentHash: doc("signed:2"),
      nonce: 2,
      deadline: BigInt(deadline),
    });
    const domain = await relayer.domain();
    expect(domain).toEqual({
      name: "Custos ConsentRegistry",
      version: "2",
      chainId: 31337n,
      verifyingContract: stack.addresses.registry,
    });
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
      "Grant(uint32 custodian,bytes32 subject,uint32 purposes,uint32 categories,uint40 validFrom,uint40 validUntil,bytes32 documentHash,uint32 nonce,uint256 deadline)",
    );

    const relayed = await relayer.updateBySig(update);
    const updatedEvent = relayed.events[0];
    expect(updatedEvent?.name).toBe("ConsentUpdated");
    if (updatedEvent?.name !== "ConsentUpdated") throw new Error("unreachable");
    expect(updatedEvent.args.actor).toBe(patient.address);
    expect((await registry.consentOf(w.subject)).categories).toBe(C.CONDITIONS.bit);
    expect(await relayer.nonceOf(w.subject)).toBe(3);

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
    expect(revoke.message.nonce).toBe(4);
    await relayer.revokeBySig(revoke);
    expect((await registry.consentOf(w.subject)).status).toBe("revoked");

    const grant = await relayer.signGrant(
      patient,
      { ...w, documentHash: doc("signed:4") },
      { deadline },
    );
    const regranted = await relayer.grantBySig(grant);
    expect(regranted.events.map((e) => e.name)).toEqual(["ConsentGranted"]);
    expect(await relayer.consentOf(w.subject)).toMatchObject({
      status: "active",
      version: 4,
      nonce: 6,
    });
  });

  describe("stale signatures (SIGNATURE_STALE)", () => {
    async function withPatientKey(label: string) {
      const registry = stack.registry(accounts.recorderA);
      const w = words(label);
      await registry.grant(w);
      const patient = Wallet.createRandom();
      await registry.setPatientKey(w.subject, patient.address);
      const relayer = stack.registry(accounts.relayer);
      const deadline = (await env.now()) + 3_600;
      return { registry, w, patient, relayer, deadline };
    }

    it("refuses a Grant signed before a revocation and relayed after it", async () => {
      const { registry, w, patient, relayer, deadline } = await withPatientKey("resurrect");
      // Signed while the consent is active, held back by the relayer...
      const held = await relayer.signGrant(
        patient,
        { ...w, documentHash: doc("resurrect:held") },
        { deadline },
      );
      expect(held.message.nonce).toBe(2);
      // ...the patient revokes through the hospital...
      await registry.revoke(w.subject, doc("resurrect:revoked"));
      // ...and the held Grant can no longer resurrect the revoked consent.
      await expectLedgerError(relayer.grantBySig(held), "SIGNATURE_STALE", {
        error: "ConsentRegistryStaleSignature",
        args: { subject: w.subject, current: "3", signed: "2" },
      });
      expect(await registry.consentOf(w.subject)).toMatchObject({ status: "revoked", version: 2 });
    });

    it("refuses an Update signed before a narrower update (no broadening)", async () => {
      const { registry, w, patient, relayer, deadline } = await withPatientKey("broaden");
      const broad = await relayer.signUpdate(
        patient,
        { ...w, categories: w.categories | C.GENOMICS.bit, documentHash: doc("broaden:held") },
        { deadline },
      );
      await registry.update({ ...w, categories: C.DRUGS.bit, documentHash: doc("broaden:2") });
      await expectLedgerError(relayer.updateBySig(broad), "SIGNATURE_STALE", {
        error: "ConsentRegistryStaleSignature",
      });
      expect((await registry.consentOf(w.subject)).categories).toBe(C.DRUGS.bit);
    });

    it("accepts a signature once", async () => {
      const { w, patient, relayer, deadline } = await withPatientKey("once");
      const revoke = await relayer.signRevoke(
        patient,
        { subject: w.subject, documentHash: doc("once:r") },
        { deadline },
      );
      await relayer.revokeBySig(revoke);
      await expectLedgerError(relayer.revokeBySig(revoke), "SIGNATURE_STALE", {
        error: "ConsentRegistryStaleSignature",
        args: { subject: w.subject, current: "3", signed: "2" },
      });
    });

    it("invalidateSignatures (direct) makes a pending signature stale, in any state", async () => {
      const registry = stack.registry(accounts.recorderA);
      const w = words("invalidate");
      await registry.grant(w);
      await registry.setPatientKey(w.subject, accounts.patient.address);
      const relayer = stack.registry(accounts.relayer);
      const deadline = (await env.now()) + 3_600;
      const pending = await relayer.signRevoke(
        accounts.patient,
        { subject: w.subject, documentHash: doc("invalidate:r") },
        { deadline },
      );
      const invalidated = await stack.registry(accounts.patient).invalidateSignatures(w.subject);
      expect(invalidated.events.map((e) => e.name)).toEqual(["SignaturesInvalidated"]);
      const event = invalidated.events[0];
      expect(event?.name === "SignaturesInvalidated" && event.args).toEqual({
        subject: w.subject,
        custodian: ORG.hospitalA,
        actor: accounts.patient.address,
        nonce: 3,
      });
      // Nothing else changed.
      expect(await registry.consentOf(w.subject)).toMatchObject({
        status: "active",
        version: 1,
        nonce: 3,
      });
      await expectLedgerError(relayer.revokeBySig(pending), "SIGNATURE_STALE", {
        error: "ConsentRegistryStaleSignature",
        args: { subject: w.subject, current: "3", signed: "2" },
      });
      // While revoked too: a pending re-grant is withdrawn without touching the consent.
      await registry.revoke(w.subject, doc("invalidate:revoked"));
      const regrant = await relayer.signGrant(accounts.patient, w, { deadline });
      await registry.invalidateSignatures(w.subject);
      await expectLedgerError(relayer.grantBySig(regrant), "SIGNATURE_STALE");
      expect((await registry.consentOf(w.subject)).status).toBe("revoked");
      // Only the record's recorders, patient key and delegates may invalidate.
      await expectLedgerError(
        stack.registry(accounts.outsider).invalidateSignatures(w.subject),
        "CONSENT_UNAUTHORISED",
        {
          error: "ConsentRegistryUnauthorised",
          args: { subject: w.subject, account: accounts.outsider.address },
        },
      );
      await expectLedgerError(
        registry.invalidateSignatures(subject("never-granted")),
        "LEDGER_NOT_FOUND",
        { error: "ConsentRegistryUnknownSubject" },
      );
    });

    it("invalidateSignaturesBySig: a patient key without funds withdraws its signatures", async () => {
      const { registry, w, patient, relayer, deadline } = await withPatientKey("withdraw");
      const pending = await relayer.signUpdate(
        patient,
        { ...w, categories: C.GENOMICS.bit, documentHash: doc("withdraw:2") },
        { deadline },
      );
      const withdrawal = await relayer.signInvalidateSignatures(
        patient,
        { subject: w.subject },
        { deadline },
      );
      expect(withdrawal.message).toEqual({
        custodian: ORG.hospitalA,
        subject: w.subject,
        nonce: 2,
        deadline: BigInt(deadline),
      });
      const relayed = await relayer.invalidateSignaturesBySig(withdrawal);
      const event = relayed.events[0];
      expect(event?.name === "SignaturesInvalidated" && event.args.actor).toBe(patient.address);
      await expectLedgerError(relayer.updateBySig(pending), "SIGNATURE_STALE", {
        error: "ConsentRegistryStaleSignature",
        args: { subject: w.subject, current: "3", signed: "2" },
      });
      expect((await registry.consentOf(w.subject)).categories).toBe(terms.categories);
      // A stranger's signed invalidation is refused.
      const stranger = await relayer.signInvalidateSignatures(
        Wallet.createRandom(),
        { subject: w.subject },
        { deadline },
      );
      await expectLedgerError(relayer.invalidateSignaturesBySig(stranger), "CONSENT_UNAUTHORISED", {
        error: "ConsentRegistryUnauthorised",
      });
    });
  });

  it("maps signature errors to SIGNATURE_INVALID and a wrong nonce to SIGNATURE_STALE", async () => {
    const registry = stack.registry(accounts.recorderA);
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
    const ahead = await relayer.signRevoke(patient, change, { deadline: now + 600, nonce: 5 });
    expect(ahead.message.nonce).toBe(5);
    await expectLedgerError(relayer.revokeBySig(ahead), "SIGNATURE_STALE", {
      error: "ConsentRegistryStaleSignature",
      args: { subject: w.subject, current: "2", signed: "5" },
    });
    const good = await relayer.signRevoke(patient, change, { deadline: now + 600 });
    await expectLedgerError(
      relayer.revokeBySig({ ...good, signature: `0x${"00".repeat(65)}` }),
      "SIGNATURE_INVALID",
      { error: "ConsentRegistryInvalidSignature", args: {} },
    );
    // A message signed for another custodian is not relayed by this custodian's client.
    const otherCustodian = stack.registry(accounts.relayer, ORG.hospitalB);
    const foreign = await expectLedgerError(otherCustodian.revokeBySig(good), "INVALID_ARGUMENT");
    expect(foreign.details).toEqual({
      field: "custodian",
      expected: ORG.hospitalB,
      actual: ORG.hospitalA,
    });
    expect((await registry.consentOf(w.subject)).status).toBe("active");
  });

  it("maps each consent error to its code with decoded arguments", async () => {
    const registryA = stack.registry(accounts.recorderA);
    const w = words("errors");
    await registryA.grant(w);
    await expectLedgerError(
      stack.registry(accounts.outsider).grant(words("x")),
      "CONSENT_UNAUTHORISED",
      {
        error: "ConsentRegistryNotRecorder",
        args: { custodian: String(ORG.hospitalA), account: accounts.outsider.address },
      },
    );
    const unauthorised = await expectLedgerError(
      stack.registry(accounts.recorderB).revoke(w.subject, doc("b")),
      "CONSENT_UNAUTHORISED",
      { error: "ConsentRegistryUnauthorised" },
    );
    expect(unauthorised.details).toMatchObject({
      contract: "ConsentRegistry",
      args: { subject: w.subject, account: accounts.recorderB.address },
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

  it("rejects writes through a provider-only client, malformed arguments and custodians", async () => {
    const readOnly = stack.registry(env.ethers.provider);
    const noSigner = await expectLedgerError(
      readOnly.revoke(subject("a"), doc("a")),
      "INVALID_ARGUMENT",
    );
    expect(noSigner.details).toEqual({ reason: "UNSUPPORTED_OPERATION", field: "sendTransaction" });
    const malformed = await expectLedgerError(
      stack.registry(accounts.recorderA).revoke("0x1234" as `0x${string}`, doc("a")),
      "INVALID_ARGUMENT",
    );
    expect(malformed.details).toEqual({ reason: "INVALID_ARGUMENT", field: "subject" });
    for (const custodian of [0, -1, 1.5, 2 ** 32, Number.NaN]) {
      await expectLedgerError(
        (async () => stack.registry(accounts.recorderA, custodian))(),
        "INVALID_ARGUMENT",
      ).then((error) => expect(error.details).toEqual({ field: "custodian" }));
    }
  });

  it("pages the custodian's events: every event once, in chain order, filtered by subject", async () => {
    const fresh = await env.deploy();
    const registry = fresh.registry(accounts.recorderA);
    const other = fresh.registry(accounts.recorderB, ORG.hospitalB);
    const from = (await env.ethers.provider.getBlockNumber()) + 1;
    const labels = Array.from({ length: 12 }, (_, i) => `page${i}`);
    const hashes: string[] = [];
    for (const label of labels) {
      hashes.push((await registry.grant(words(label))).hash);
      // Hospital B's records of the same pseudonyms never show in A's events.
      await other.grant(words(label));
    }
    hashes.push((await registry.revoke(subject("page3"), doc("page3:r"))).hash);
    await other.revoke(subject("page3"), doc("page3:b"));
    hashes.push((await registry.invalidateSignatures(subject("page4"))).hash);
    const to = await env.ethers.provider.getBlockNumber();

    const reader = fresh.registry(env.ethers.provider);
    const paged = await collect(
      reader.consentEvents({ fromBlock: from, toBlock: to, pageSize: 2 }),
    );
    const whole = await collect(reader.consentEvents({ fromBlock: from, pageSize: 10_000 }));
    expect(paged.map((e) => e.transactionHash)).toEqual(hashes);
    expect(paged.at(-1)?.name).toBe("SignaturesInvalidated");
    expect(whole).toEqual(paged);
    const blocks = paged.map((e) => e.blockNumber);
    expect([...blocks].sort((a, b) => a - b)).toEqual(blocks);

    const forSubject: ConsentRegistryEvent[] = await collect(
      reader.consentEvents({ fromBlock: from, subject: subject("page3"), pageSize: 3 }),
    );
    expect(forSubject.map((e) => e.name)).toEqual(["ConsentGranted", "ConsentRevoked"]);
    const readerB = fresh.registry(env.ethers.provider, ORG.hospitalB);
    const ofB = await collect(readerB.consentEvents({ fromBlock: from }));
    expect(ofB).toHaveLength(13);
    expect(
      ofB.every((e) => e.name !== "ConsentGranted" || e.args.custodian === ORG.hospitalB),
    ).toBe(true);

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
