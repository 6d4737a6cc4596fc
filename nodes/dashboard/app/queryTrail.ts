import { css, html, LitElement } from "lit";
import type { AuditEntry, QuerySummary } from "../../../src/audit/index.ts";
import type { AuditClient } from "./auditClient.ts";
import { type EventProofBadge, eventKey, type QueryProofCheck } from "./checkQueryProof.ts";
import { epsilon, short, when } from "./format.ts";
import type { LoadedAnchor, ProofTrust } from "./proofTrust.ts";

/** `GET /audit/v1/queries/:id`. */
interface Trail {
  readonly summary: QuerySummary;
  readonly items: readonly AuditEntry[];
}

/**
 * A query's full trail: submission, approvals, each hospital's result (consent block and
 * snapshot root, subject count, disclosure report hash, ε) or decline, and closure, with
 * every step's block and transaction. It fetches the query's proof (`/queries/:id/proof`),
 * offers it for download, and verifies it in the browser against the genesis the user
 * loaded: a badge per event says whether the proof shows it, or which link failed.
 */
export class QueryTrailView extends LitElement {
  static override properties = {
    queryId: { type: String },
    trail: { state: true },
    failure: { state: true },
    proof: { state: true },
    proofFailure: { state: true },
    check: { state: true },
  };
  static override styles = css`
    dl { display: grid; grid-template-columns: max-content 1fr; gap: 0.2rem 1rem; }
    dt { color: #555; }
    dd { margin: 0; }
    table { border-collapse: collapse; width: 100%; }
    th, td { text-align: left; padding: 0.2rem 0.5rem; border-bottom: 1px solid #eee; vertical-align: top; }
    code { font-size: 0.8em; }
    .failure, .proof-failed { color: #a00; }
    .proof-verified { color: #176b2c; }
    .proof-unverified { color: #777; }
  `;

  declare queryId: string | undefined;
  declare trail: Trail | undefined;
  declare failure: string | undefined;
  /** The query's proof document as the node served it (what "Download proof" saves). */
  declare proof: unknown;
  declare proofFailure: string | undefined;
  declare check: QueryProofCheck | undefined;
  client: AuditClient | undefined;
  /** Set before the element is connected (the dashboard's template binds it). */
  trust: ProofTrust | undefined;
  #proofUrl: string | undefined;
  /** The anchor the shown check was made against: a new genesis means a new check. */
  #checkedAgainst: LoadedAnchor | undefined;
  readonly #trustChanged = () => {
    if (this.trust?.loaded !== this.#checkedAgainst) this.#verify();
  };

  override connectedCallback(): void {
    super.connectedCallback();
    this.trust?.addEventListener("change", this.#trustChanged);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.trust?.removeEventListener("change", this.#trustChanged);
  }

  override async updated(changed: Map<string, unknown>): Promise<void> {
    if (!changed.has("queryId") || this.queryId === undefined || this.client === undefined) return;
    const queryId = this.queryId;
    this.#showProof(undefined);
    this.proofFailure = undefined;
    try {
      const trail = await this.client.get<Trail>(`/queries/${queryId}?limit=1000`);
      // Another query chosen meanwhile: its own load shows its trail and proof.
      if (this.queryId !== queryId) return;
      this.trail = trail;
      this.failure = undefined;
    } catch (error) {
      if (this.queryId === queryId) {
        this.failure = error instanceof Error ? error.message : String(error);
      }
      return;
    }
    try {
      const proof = await this.client.get<unknown>(`/queries/${queryId}/proof`);
      if (this.queryId === queryId) this.#showProof(proof);
    } catch (error) {
      if (this.queryId === queryId) {
        this.proofFailure = error instanceof Error ? error.message : String(error);
      }
    }
  }

  /** Holds `proof` (undefined: none), its download link, and its check. */
  #showProof(proof: unknown): void {
    if (this.#proofUrl !== undefined) URL.revokeObjectURL(this.#proofUrl);
    this.#proofUrl =
      proof === undefined
        ? undefined
        : URL.createObjectURL(
            new Blob([`${JSON.stringify(proof, null, 2)}\n`], { type: "application/json" }),
          );
    this.proof = proof;
    this.#verify();
  }

  #verify(): void {
    this.#checkedAgainst = this.trust?.loaded;
    const trail = this.trail;
    this.check =
      this.proof === undefined || trail === undefined || this.trust === undefined
        ? undefined
        : this.trust.check(trail.summary.queryId, this.proof, trail.items);
  }

  #proofLine() {
    if (this.proofFailure !== undefined) {
      return html`<p class="failure" data-field="proofStatus" data-proof="unavailable">
        Proof unavailable: ${this.proofFailure}</p>`;
    }
    const check = this.check;
    if (this.proof === undefined || check === undefined) {
      return html`<p data-field="proofStatus" data-proof="loading">Building the proof…</p>`;
    }
    const download = html`<a data-action="downloadProof" href=${this.#proofUrl ?? ""}
      download="custos-query-${this.queryId}-proof.json">Download proof</a>`;
    const source =
      this.trust?.loaded?.source === "node"
        ? " (the genesis as served by this node: not independent)"
        : "";
    const words = {
      verified: `Every event verified against the loaded genesis${source}.`,
      failed: `Proof failed${source}: ${check.reason}`,
      unverified: "Not verified: load a genesis to verify the proof.",
    }[check.status];
    return html`<p data-field="proofStatus" data-proof=${check.status} class="proof-${check.status}">
      ${words} ${download}</p>`;
  }

  #badge(badge: EventProofBadge | undefined) {
    if (badge === undefined) return html`<td data-field="proof" data-proof="loading">…</td>`;
    if (badge.status === "failed") {
      return html`<td data-field="proof" data-proof="failed" data-link=${badge.link}
        class="proof-failed" title=${badge.reason}>failed: ${badge.link}</td>`;
    }
    return html`<td data-field="proof" data-proof=${badge.status} class="proof-${badge.status}">
      ${badge.status === "verified" ? "verified" : "not verified (no genesis loaded)"}</td>`;
  }

  override render() {
    if (this.failure !== undefined) return html`<p class="failure">${this.failure}</p>`;
    const trail = this.trail;
    if (trail === undefined) return html`<p>Choose a query in the timeline.</p>`;
    const s = trail.summary;
    return html`
      <h3>Query #${s.queryId}</h3>
      ${this.#proofLine()}
      <dl>
        <dt>Researcher</dt><dd><code>${s.researcher}</code> (organisation ${s.researcherOrg})</dd>
        <dt>Purpose</dt><dd>${s.useLabels.join(", ")} · ${s.categoryNames.join(", ")}</dd>
        <dt>Spec hash</dt><dd><code>${s.specHash}</code></dd>
        <dt>Submitted</dt><dd>${when(s.submitted.timestamp)} (block ${s.submitted.blockNumber})</dd>
        <dt>Approved</dt><dd>${s.approved === null ? "not yet" : `${when(s.approved.timestamp)} by ${s.approvals.length} review board(s)`}</dd>
        <dt>Expiry</dt><dd>${when(s.expiry)}</dd>
        <dt>ε charged</dt><dd data-field="epsilonTotal">${epsilon(s.epsilonTotal)}</dd>
        <dt>Closed</dt><dd>${s.closed === null ? "open" : when(s.closed.timestamp)}</dd>
      </dl>
      <h4>Hospitals</h4>
      <table>
        <thead><tr><th>Hospital</th><th>Answer</th><th>Consent snapshot</th><th>Subjects</th><th>Disclosure report</th><th>ε</th></tr></thead>
        <tbody>
          ${s.responses.map(
            (r) => html`
              <tr data-hospital=${r.hospitalId}>
                <td>H${r.hospitalId}</td>
                <td data-field="answer">${r.status === "declined" ? `declined (${r.reason ?? r.reasonCode})` : r.status}
                  ${r.respondedAt === null ? "" : html`<br />${when(r.respondedAt)}`}</td>
                <td>${r.consentRoot === null ? "" : html`block ${r.consentBlock}<br /><code title=${r.consentRoot}>${short(r.consentRoot)}</code>`}</td>
                <td>${r.subjectCount ?? ""}</td>
                <td>${r.disclosureReportHash === null ? "" : html`<code title=${r.disclosureReportHash}>${short(r.disclosureReportHash)}</code>`}</td>
                <td>${r.epsilon === null ? "" : epsilon(r.epsilon)}</td>
              </tr>
            `,
          )}
        </tbody>
      </table>
      <h4>On chain</h4>
      <table>
        <thead><tr><th>Block</th><th>Time</th><th>Event</th><th>Transaction</th><th>Proof</th></tr></thead>
        <tbody>
          ${trail.items.map(
            (e) => html`
              <tr data-event=${e.event}>
                <td>${e.at.blockNumber}</td>
                <td>${when(e.at.blockTimestamp)}</td>
                <td>${e.event}</td>
                <td><code title=${e.at.txHash}>${short(e.at.txHash)}</code></td>
                ${this.#badge(this.check?.events.get(eventKey(e.at)))}
              </tr>
            `,
          )}
        </tbody>
      </table>
    `;
  }
}
customElements.define("custos-query-trail", QueryTrailView);
