import { css, html, LitElement, unsafeCSS } from "lit";
import uplotCss from "uplot/dist/uPlot.min.css";
import { AuditClient } from "./auditClient.ts";
import type { BudgetPanel } from "./budgetPanel.ts";
import "./budgetPanel.ts";
import type { ConsentChart } from "./consentChart.ts";
import "./consentChart.ts";
import "./genesisLoader.ts";
import { ProofTrust } from "./proofTrust.ts";
import type { QueryTimeline } from "./queryTimeline.ts";
import "./queryTimeline.ts";
import "./queryTrail.ts";
import "./signIn.ts";
import "./statusPanel.ts";

/**
 * The regulator's and hospital staff's dashboard, served by every node at `/dashboard`:
 * chain status for anyone; after a wallet sign-in, the query timeline with per-hospital
 * badges, a query's trail with its proof (downloaded, and verified in the browser against
 * a genesis the user loads), ε spent per researcher organisation, and consent activity.
 */
export class CustosDashboard extends LitElement {
  static override properties = { selected: { state: true } };
  static override styles = [
    unsafeCSS(uplotCss),
    css`
    :host { display: block; font-family: system-ui, sans-serif; max-width: 80rem; margin: 0 auto; padding: 1rem; }
    header { display: flex; justify-content: space-between; align-items: center; }
    section { border: 1px solid #ddd; border-radius: 6px; padding: 1rem; margin-bottom: 1rem; }
    h1 { font-size: 1.4rem; }
    h2 { font-size: 1.1rem; margin-top: 0; }
    .columns { display: grid; grid-template-columns: 1fr 1fr; gap: 1rem; }
  `,
  ];

  declare selected: string | undefined;
  readonly client = new AuditClient();
  /** The genesis proofs are verified against, shared by the panels that show verdicts. */
  readonly trust = new ProofTrust();

  #refresh(): void {
    const root = this.renderRoot;
    for (const selector of [
      "custos-query-timeline",
      "custos-budget-panel",
      "custos-consent-chart",
    ]) {
      void (
        root.querySelector(selector) as QueryTimeline | BudgetPanel | ConsentChart | null
      )?.refresh();
    }
  }

  override render() {
    return html`
      <header>
        <h1>Custos network</h1>
        <custos-sign-in .client=${this.client} @signed-in=${() => this.#refresh()}></custos-sign-in>
      </header>
      <section>
        <h2>Chain status</h2>
        <custos-status-panel .client=${this.client}></custos-status-panel>
      </section>
      <section>
        <h2>Proof verification</h2>
        <custos-genesis-loader .client=${this.client} .trust=${this.trust}></custos-genesis-loader>
      </section>
      <section>
        <h2>Queries</h2>
        <custos-query-timeline .client=${this.client} .trust=${this.trust}
          @select-query=${(event: CustomEvent<string>) => {
            this.selected = event.detail;
          }}></custos-query-timeline>
      </section>
      <section>
        <h2>Query trail</h2>
        <custos-query-trail .client=${this.client} .trust=${this.trust} .queryId=${this.selected}></custos-query-trail>
      </section>
      <div class="columns">
        <section>
          <h2>ε spent per researcher organisation</h2>
          <custos-budget-panel .client=${this.client}></custos-budget-panel>
        </section>
        <section>
          <h2>Consent grants and revocations</h2>
          <custos-consent-chart .client=${this.client}></custos-consent-chart>
        </section>
      </div>
    `;
  }
}
customElements.define("custos-dashboard", CustosDashboard);
