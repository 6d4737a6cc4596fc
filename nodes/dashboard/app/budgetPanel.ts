import { css, html, LitElement } from "lit";
import type { EpsilonBudget } from "../../../src/audit/index.ts";
import type { AuditClient } from "./auditClient.ts";
import { epsilon } from "./format.ts";

/** ε spent against the cap, one bar per researcher organisation and hospital. */
export class BudgetPanel extends LitElement {
  static override properties = { budgets: { state: true }, failure: { state: true } };
  static override styles = css`
    .row { display: grid; grid-template-columns: 12rem 1fr 10rem; gap: 0.5rem; align-items: center; margin: 0.25rem 0; }
    .bar { background: #e8ecf1; height: 0.9rem; border-radius: 3px; overflow: hidden; }
    .spent { background: #3b6ea8; height: 100%; }
    .over { background: #a00; }
    .failure { color: #a00; }
  `;

  declare budgets: readonly EpsilonBudget[] | undefined;
  declare failure: string | undefined;
  client: AuditClient | undefined;

  async refresh(): Promise<void> {
    if (this.client === undefined || !this.client.signedIn) return;
    try {
      this.budgets = (
        await this.client.get<{ items: EpsilonBudget[] }>("/budgets?limit=1000")
      ).items;
      this.failure = undefined;
    } catch (error) {
      this.failure = error instanceof Error ? error.message : String(error);
    }
  }

  override render() {
    if (this.failure !== undefined) return html`<p class="failure">${this.failure}</p>`;
    if (this.budgets === undefined) return html`<p>Sign in to see the ε budgets.</p>`;
    if (this.budgets.length === 0) return html`<p>No ε spent and no limit set yet.</p>`;
    return this.budgets.map((b) => {
      const spent = epsilon(b.spent);
      const limit = epsilon(b.limit);
      const share = limit > 0 ? Math.min(1, spent / limit) : spent > 0 ? 1 : 0;
      return html`
        <div class="row" data-org=${b.researcherOrg} data-hospital=${b.hospitalId}>
          <span>Organisation ${b.researcherOrg} at H${b.hospitalId}</span>
          <div class="bar"><div class="spent ${spent > limit ? "over" : ""}" style="width: ${share * 100}%"></div></div>
          <span data-field="spent">${spent} of ${limit} ε</span>
        </div>
      `;
    });
  }
}
customElements.define("custos-budget-panel", BudgetPanel);
