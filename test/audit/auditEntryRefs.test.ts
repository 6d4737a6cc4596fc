import { describe, expect, it } from "vitest";
import { type AuditEntry, auditEntryRefs } from "../../src/audit/index.ts";
import { address, hash32, synthetic, syntheticBlock } from "../nodes/audit/syntheticAudit.ts";

const actor = address("actor");
const subject = hash32("subject");

describe("auditEntryRefs", () => {
  it("files query, budget, consent and governance entries under their keys", () => {
    const entries = syntheticBlock(1, 86_400 * 2, (c) => [
      synthetic.submitted(c.at(), {
        queryId: 4,
        researcher: actor,
        researcherOrg: 6,
        purpose: 4,
        targets: [1],
        expiry: 9,
      }),
      synthetic.result(c.at(), {
        queryId: 4,
        hospitalId: 1,
        researcherOrg: 6,
        recorder: actor,
        epsilon: 1n,
        subjectCount: 1,
      }),
      synthetic.limitSet(c.at(), {
        researcherOrg: 6,
        hospitalId: 1,
        setter: actor,
        limit: 1n,
        spent: 0n,
      }),
      synthetic.granted(c.at(), { subject, custodian: 2, actor, version: 1 }),
      synthetic.updated(c.at(), { subject, custodian: 2, actor, version: 2 }),
      synthetic.revoked(c.at(), { subject, custodian: 2, actor, version: 3 }),
      synthetic.accountAdded(c.at(), { orgId: 3, account: actor }),
    ]).entries;
    const none = {
      queryId: null,
      subjects: [],
      budget: null,
      consentChange: null,
      governance: false,
    };
    expect(entries.map(auditEntryRefs)).toEqual([
      { ...none, queryId: "4" },
      { ...none, queryId: "4", budget: { researcherOrg: 6, hospitalId: 1 } },
      { ...none, budget: { researcherOrg: 6, hospitalId: 1 } },
      {
        ...none,
        subjects: [{ custodian: 2, subject }],
        consentChange: { custodian: 2, change: "grant" },
      },
      {
        ...none,
        subjects: [{ custodian: 2, subject }],
        consentChange: { custodian: 2, change: "update" },
      },
      {
        ...none,
        subjects: [{ custodian: 2, subject }],
        consentChange: { custodian: 2, change: "revocation" },
      },
      { ...none, governance: true },
    ]);
  });

  it("files a transfer under both records and other record events under theirs, uncounted", () => {
    const at = syntheticBlock(1, 0, (c) => [
      synthetic.accountAdded(c.at(), { orgId: 1, account: actor }),
    ]).entries[0]?.at as AuditEntry["at"];
    const transfer = {
      event: "SubjectTransferred",
      contract: "ConsentRegistry",
      area: "consent",
      at,
      actor: null,
      fields: { fromSubject: subject, fromCustodian: 1, toCustodian: 2, toSubject: hash32("to") },
    } as AuditEntry;
    expect(auditEntryRefs(transfer).subjects).toEqual([
      { custodian: 1, subject },
      { custodian: 2, subject: hash32("to") },
    ]);
    const delegate = {
      event: "DelegateAdded",
      contract: "ConsentRegistry",
      area: "consent",
      at,
      actor,
      fields: { subject, custodian: 1, delegate: actor, actor },
    } as AuditEntry;
    expect(auditEntryRefs(delegate)).toMatchObject({
      subjects: [{ custodian: 1, subject }],
      consentChange: null,
      governance: false,
    });
  });
});
