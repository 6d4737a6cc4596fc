import { css, html, LitElement } from "lit";
import type { AuditEntry, QuerySummary } from "../../../src/audit/index.ts";
import type { AuditClient } from "./auditClient.ts";
import { epsilon, short, when } from "./format.ts";

/** `GET /audit/v1/queries/:id`. */
interface Trail {
  readonly summary: QuerySummary;
  readonly items: readonly AuditEntry[];
}

/**
 * A query's full trail: submission, approvals, each hospital's result (consent block and
 * snapshot root, subject count, disclosure report hash, ε) or decline, and closure, with
 * every step's block and transaction.
 */
export class QueryTrailView extends LitElement {
  static override properties = {
    queryId: { type: String },
    trail: { state: true },
    failure: { state: true },
  };
  static override styles = css`
    dl { display: grid; grid-template-columns: max-content 1fr; gap: 0.2rem 1rem; }
    dt { color: #555; }
    dd { margin: 0; }
    table { border-collapse: collapse; width: 100%; }
    th, td { text-align: left; padding: 0.2rem 0.5rem; border-bottom: 1px solid #eee; vertical-align: top; }
    code { font-size: 0.8em; }
    .failure { color: #a00; }
  `;

  declare queryId: string | undefined;
  declare trail: Trail | undefined;
  declare failure: string | undefined;
  client: AuditClient | undefined;

  override async updated(changed: Map<string, unknown>): Promise<void> {
    if (!changed.has("queryId") || this.queryId === undefined || this.client === undefined) return;
    try {
      this.trail = await this.client.get<Trail>(`/queries/${this.queryId}?limit=1000`);
      this.failure = undefined;
    } catch (error) {
      this.failure = error instanceof Error ? error.message : String(error);
    }
  }

  override render() {
    if (this.failure !== undefined) return html`<p class="failure">${this.failure}</p>`;
    const trail = this.trail;
    if (trail === undefined) return html`<p>Choose a query in the timeline.</p>`;
    const s = trail.summary;
    return html`
      <h3>Query #${s.queryId}</h3>
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
        <thead><tr><th>Block</th><th>Time</th><th>Event</th><th>Transaction</th></tr></thead>
        <tbody>
          ${trail.items.map(
            (e) => html`
              <tr data-event=${e.event}>
                <td>${e.at.blockNumber}</td>
                <td>${when(e.at.blockTimestamp)}</td>
                <td>${e.event}</td>
                <td><code title=${e.at.txHash}>${short(e.at.txHash)}</code></td>
              </tr>
            `,
          )}
        </tbody>
      </table>
    `;
  }
}
customElements.define("custos-query-trail", QueryTrailView);
