import { css, html, LitElement } from "lit";
import { AuditApiError, type AuditClient } from "./auditClient.ts";
import { when } from "./format.ts";

/** One entry of `GET /audit/v1/me/disclosures`. */
interface Disclosure {
  readonly queryId: string;
  readonly hospitalId: number;
  readonly researcherOrg: number;
  readonly purposeLabel: string | null;
  readonly purposeName: string | null;
  readonly releasedAt: number | null;
  readonly blockNumber: number | null;
  readonly subjectCount: number | null;
  readonly counted: boolean;
  readonly rootMatches: boolean;
}

/** `GET /audit/v1/me/disclosures/:id/proof`. */
interface ProvenDisclosure {
  readonly verified: boolean;
  readonly [field: string]: unknown;
}

type ListState =
  | { readonly kind: "loading" }
  | { readonly kind: "elsewhere" }
  | { readonly kind: "failed"; readonly message: string }
  | { readonly kind: "loaded"; readonly items: readonly Disclosure[] };

/**
 * The patient's accounting of disclosures, in plain words: each study whose released
 * statistics ran over their record, by organisation and purpose (never by the study's
 * criteria), when, and whether the record was counted. Each entry's Merkle proof against the
 * consent snapshot recorded on chain can be checked and kept.
 */
export class CustosDisclosureList extends LitElement {
  static override properties = {
    client: { attribute: false },
    state: { state: true },
    proofs: { state: true },
  };
  static override styles = css`
    :host { display: block; }
    li { margin: 0.5rem 0; }
    .verified { color: #176b2c; }
    .failed { color: #a00; }
  `;

  declare client: AuditClient;
  declare state: ListState;
  declare proofs: ReadonlyMap<string, ProvenDisclosure | string>;

  constructor() {
    super();
    this.state = { kind: "loading" };
    this.proofs = new Map();
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.#load();
  }

  async #load(): Promise<void> {
    try {
      const page = await this.client.get<{ items: Disclosure[] }>("/me/disclosures?limit=100");
      this.state = { kind: "loaded", items: page.items };
    } catch (error) {
      this.state =
        error instanceof AuditApiError && error.code === "AUDIT_API_NOT_CUSTODIAN"
          ? { kind: "elsewhere" }
          : { kind: "failed", message: error instanceof Error ? error.message : String(error) };
    }
  }

  async #prove(queryId: string): Promise<void> {
    let outcome: ProvenDisclosure | string;
    try {
      outcome = await this.client.get<ProvenDisclosure>(`/me/disclosures/${queryId}/proof`);
    } catch (error) {
      outcome = error instanceof Error ? error.message : String(error);
    }
    this.proofs = new Map([...this.proofs, [queryId, outcome]]);
  }

  #proofView(queryId: string) {
    const proof = this.proofs.get(queryId);
    if (proof === undefined) {
      return html`<button data-action="proof" @click=${() => this.#prove(queryId)}>Check the proof</button>`;
    }
    if (typeof proof === "string")
      return html`<span class="failed" data-field="proof">${proof}</span>`;
    const file = URL.createObjectURL(
      new Blob([JSON.stringify(proof, null, 2)], { type: "application/json" }),
    );
    return proof.verified
      ? html`<span class="verified" data-field="proof" data-proof="verified">Proven: your record is in the consent snapshot this hospital recorded on the chain.</span>
          <a download=${`disclosure-${queryId}.json`} href=${file}>Keep the proof</a>`
      : html`<span class="failed" data-field="proof" data-proof="failed">The proof does not match the record on the chain; please tell your hospital.</span>`;
  }

  #item(d: Disclosure) {
    const purpose =
      d.purposeName === null ? "research" : `${d.purposeName} (${d.purposeLabel ?? ""})`;
    return html`<li data-query=${d.queryId}>
      ${d.releasedAt === null ? "" : `${when(d.releasedAt)}: `}research organisation ${d.researcherOrg}
      received statistics for <strong>${purpose}</strong> from hospital ${d.hospitalId}.
      <span data-field="counted">${
        d.counted
          ? "Your record was counted in them."
          : "Your record was looked at under your consent but did not match the study, so it was not counted."
      }</span>
      ${d.subjectCount === null ? "" : ` Only totals left the hospital (about ${d.subjectCount} consenting records).`}
      ${this.#proofView(d.queryId)}
    </li>`;
  }

  override render() {
    const state = this.state;
    switch (state.kind) {
      case "loading":
        return html`<p>Loading…</p>`;
      case "elsewhere":
        return html`<p data-field="disclosures" data-state="elsewhere">Your hospital's own portal keeps this list; open it from there.</p>`;
      case "failed":
        return html`<p class="failed" data-field="disclosures" data-state="failed">${state.message}</p>`;
      case "loaded":
        return state.items.length === 0
          ? html`<p data-field="disclosures" data-state="none">No study has used your record.</p>`
          : html`<ol data-field="disclosures" data-state="loaded">${state.items.map((d) => this.#item(d))}</ol>`;
    }
  }
}
customElements.define("custos-disclosure-list", CustosDisclosureList);
