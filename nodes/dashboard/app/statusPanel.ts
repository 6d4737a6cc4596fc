import { css, html, LitElement } from "lit";
import type { AuditClient } from "./auditClient.ts";

/** `GET /audit/v1/status`, as the panel reads it. */
interface ChainStatus {
  readonly chainId: string;
  readonly height: string;
  readonly headHash: string;
  readonly headTimestamp: number;
  readonly validators: readonly string[];
  readonly peers: number;
  readonly syncing: boolean;
  readonly clientVersion: string;
}

function ago(seconds: number): string {
  if (seconds < 60) return `${Math.max(0, Math.round(seconds))} s ago`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min ago`;
  return `${Math.round(seconds / 3600)} h ago`;
}

/** Chain status: height, last commit, validators and peers, refreshed every two seconds. */
export class StatusPanel extends LitElement {
  static override properties = { status: { state: true }, failure: { state: true } };
  static override styles = css`
    :host { display: block; }
    dl { display: grid; grid-template-columns: max-content 1fr; gap: 0.25rem 1rem; margin: 0; }
    dt { color: #555; }
    dd { margin: 0; font-variant-numeric: tabular-nums; }
    code { font-size: 0.85em; }
    .failure { color: #a00; }
  `;

  // Declared, not defined: a class field would shadow the reactive accessor lit installs.
  declare status: ChainStatus | undefined;
  declare failure: string | undefined;
  client: AuditClient | undefined;
  #timer: ReturnType<typeof setInterval> | undefined;

  override connectedCallback(): void {
    super.connectedCallback();
    this.#timer = setInterval(() => void this.refresh(), 2000);
  }

  override firstUpdated(): void {
    void this.refresh();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearInterval(this.#timer);
  }

  async refresh(): Promise<void> {
    if (this.client === undefined) return;
    try {
      this.status = await this.client.get<ChainStatus>("/status");
      this.failure = undefined;
    } catch (error) {
      this.failure = error instanceof Error ? error.message : String(error);
    }
  }

  override render() {
    const s = this.status;
    if (s === undefined) return html`<p class="failure">${this.failure ?? "loading…"}</p>`;
    return html`
      <dl>
        <dt>Height</dt><dd data-field="height">${s.height}</dd>
        <dt>Last commit</dt>
        <dd data-field="lastCommit" title=${new Date(s.headTimestamp * 1000).toISOString()}>
          ${ago(Date.now() / 1000 - s.headTimestamp)}
        </dd>
        <dt>Head</dt><dd><code data-field="headHash">${s.headHash}</code></dd>
        <dt>Validators</dt>
        <dd data-field="validators">
          ${s.validators.length}: ${s.validators.map((v) => html`<code>${v}</code> `)}
        </dd>
        <dt>Peers</dt><dd data-field="peers">${s.peers}</dd>
        <dt>Sync</dt><dd data-field="syncing">${s.syncing ? "syncing" : "in sync"}</dd>
        <dt>Node</dt><dd>${s.clientVersion} · chain ${s.chainId}</dd>
      </dl>
      ${this.failure === undefined ? "" : html`<p class="failure">${this.failure}</p>`}
    `;
  }
}
customElements.define("custos-status-panel", StatusPanel);
