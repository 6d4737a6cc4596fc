import { html, LitElement } from "lit";
import uPlot from "uplot";
import type { ConsentDayCounts } from "../../../src/audit/index.ts";
import type { AuditClient } from "./auditClient.ts";

const DAY = 86_400;

/** Per-day totals over every custodian: [day starts, grants, updates, revocations]. */
export function dailyTotals(
  counts: readonly ConsentDayCounts[],
): [number[], number[], number[], number[]] {
  const byDay = new Map<number, [number, number, number]>();
  for (const c of counts) {
    const day = Date.parse(`${c.day}T00:00:00Z`) / 1000;
    const sums = byDay.get(day) ?? [0, 0, 0];
    sums[0] += c.grants;
    sums[1] += c.updates;
    sums[2] += c.revocations;
    byDay.set(day, sums);
  }
  const days = [...byDay.keys()].sort((a, b) => a - b);
  return [
    days,
    days.map((d) => byDay.get(d)?.[0] ?? 0),
    days.map((d) => byDay.get(d)?.[1] ?? 0),
    days.map((d) => byDay.get(d)?.[2] ?? 0),
  ];
}

/**
 * Consent grants, updates and revocations per day over the last `days` days, all
 * custodians together: counts only, never a subject. Drawn with uPlot in the light DOM, so
 * the stylesheet the dashboard adopts reaches it.
 */
export class ConsentChart extends LitElement {
  static override properties = { failure: { state: true }, totals: { state: true } };

  declare failure: string | undefined;
  declare totals: ReturnType<typeof dailyTotals> | undefined;
  client: AuditClient | undefined;
  days = 90;
  #chart: uPlot | undefined;

  protected override createRenderRoot(): HTMLElement {
    return this;
  }

  async refresh(): Promise<void> {
    if (this.client === undefined || !this.client.signedIn) return;
    const to = Math.floor(Date.now() / 1000);
    try {
      const page = await this.client.get<{ items: ConsentDayCounts[] }>(
        `/consents/series?from=${to - this.days * DAY}&to=${to}&limit=1000`,
      );
      this.totals = dailyTotals(page.items);
      this.failure = undefined;
    } catch (error) {
      this.failure = error instanceof Error ? error.message : String(error);
    }
  }

  override render() {
    if (this.failure !== undefined) return html`<p class="failure">${this.failure}</p>`;
    if (this.totals === undefined) return html`<p>Sign in to see consent activity.</p>`;
    const [days, grants, , revocations] = this.totals;
    return html`
      <p data-field="consentTotals">
        ${grants.reduce((a, b) => a + b, 0)} grants and ${revocations.reduce((a, b) => a + b, 0)}
        revocations over ${days.length} day(s)
      </p>
      <div class="chart"></div>
    `;
  }

  override updated(): void {
    const target = this.querySelector(".chart");
    if (this.totals === undefined || !(target instanceof HTMLElement)) return;
    this.#chart?.destroy();
    const days = this.totals[0];
    const last = days.at(-1) ?? Math.floor(Date.now() / 1000 / DAY) * DAY;
    const first = days[0] ?? last;
    this.#chart = new uPlot(
      {
        width: Math.max(320, target.clientWidth || 640),
        height: 220,
        series: [
          {},
          { label: "grants", stroke: "#176b2c" },
          { label: "updates", stroke: "#3b6ea8" },
          { label: "revocations", stroke: "#a00" },
        ],
        axes: [{}, { label: "per day" }],
        // At least a week wide, so a few days of data do not stretch over years.
        scales: { x: { time: true, range: [Math.min(first, last - 7 * DAY), last + DAY] } },
      },
      this.totals,
      target,
    );
  }
}
customElements.define("custos-consent-chart", ConsentChart);
