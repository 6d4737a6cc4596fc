import { css, html, LitElement } from "lit";
import type { QuerySummary } from "../../../src/audit/index.ts";
import type { AuditClient } from "./auditClient.ts";
import { short, when } from "./format.ts";
import type { ProofTrust } from "./proofTrust.ts";

const badge: Record<string, string> = { recorded: "✓", declined: "✗", none: "…" };

/**
 * The query timeline: newest first, each query with its purpose, researcher organisation,
 * status, one badge per target hospital (result recorded, declined, or waiting) and, once
 * its proof was checked in the trail view against the loaded genesis, whether it verified.
 * A row click fires `select-query` with the query id.
 */
export class QueryTimeline extends LitElement {
  static override properties = { queries: { state: true }, failure: { state: true } };
  static override styles = css`
    table { border-collapse: collapse; width: 100%; }
    th, td { text-align: left; padding: 0.25rem 0.5rem; border-bottom: 1px solid #eee; }
    tbody tr { cursor: pointer; }
    tbody tr:hover { background: #f5f7fa; }
    .recorded { color: #176b2c; }
    .declined { color: #a00; }
    .none { color: #777; }
    .failure, .proof-failed { color: #a00; }
    .proof-verified { color: #176b2c; }
  `;

  declare queries: readonly QuerySummary[] | undefined;
  declare failure: string | undefined;
  client: AuditClient | undefined;
  /** Set before the element is connected (the dashboard's template binds it). */
  trust: ProofTrust | undefined;
  readonly #trustChanged = () => this.requestUpdate();

  override connectedCallback(): void {
    super.connectedCallback();
    this.trust?.addEventListener("change", this.#trustChanged);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.trust?.removeEventListener("change", this.#trustChanged);
  }

  #proofBadge(queryId: string) {
    const check = this.trust?.verdict(queryId);
    if (check === undefined) return html`<td data-field="proof"></td>`;
    return check.status === "verified"
      ? html`<td data-field="proof" data-proof="verified" class="proof-verified">✓ verified</td>`
      : html`<td data-field="proof" data-proof="failed" data-link=${check.link ?? ""}
          class="proof-failed" title=${check.reason ?? ""}>✗ failed: ${check.link}</td>`;
  }

  async refresh(): Promise<void> {
    if (this.client === undefined || !this.client.signedIn) return;
    try {
      this.queries = (await this.client.get<{ items: QuerySummary[] }>("/queries?limit=50")).items;
      this.failure = undefined;
    } catch (error) {
      this.failure = error instanceof Error ? error.message : String(error);
    }
  }

  #select(queryId: string): void {
    this.dispatchEvent(
      new CustomEvent("select-query", { detail: queryId, bubbles: true, composed: true }),
    );
  }

  override render() {
    if (this.failure !== undefined) return html`<p class="failure">${this.failure}</p>`;
    if (this.queries === undefined) return html`<p>Sign in to see the queries.</p>`;
    if (this.queries.length === 0) return html`<p>No queries yet.</p>`;
    return html`
      <table>
        <thead><tr><th>Query</th><th>Submitted</th><th>Purpose</th><th>Organisation</th><th>Status</th><th>Hospitals</th><th>Spec</th><th>Proof</th></tr></thead>
        <tbody>
          ${this.queries.map(
            (q) => html`
              <tr data-query=${q.queryId} @click=${() => this.#select(q.queryId)}>
                <td>#${q.queryId}</td>
                <td>${when(q.submitted.timestamp)}</td>
                <td>${q.purposeLabel ?? q.purpose}</td>
                <td>${q.researcherOrg}</td>
                <td data-field="status">${q.status}</td>
                <td>
                  ${q.responses.map(
                    (
                      r,
                    ) => html`<span class=${r.status} data-hospital=${r.hospitalId} data-response=${r.status}
                      title=${r.status === "declined" ? `declined: ${r.reason ?? r.reasonCode}` : r.status}
                      >H${r.hospitalId} ${badge[r.status]}</span> `,
                  )}
                </td>
                <td><code title=${q.specHash}>${short(q.specHash)}</code></td>
                ${this.#proofBadge(q.queryId)}
              </tr>
            `,
          )}
        </tbody>
      </table>
    `;
  }
}
customElements.define("custos-query-timeline", QueryTimeline);
