import { css, html, LitElement } from "lit";
import type { AuditClient } from "./auditClient.ts";
import type { ProofTrust } from "./proofTrust.ts";

/**
 * Chooses the genesis the dashboard verifies proofs against: a file the user trusts (their
 * own copy of the genesis the hospitals agreed on), or, as a convenience, the genesis this
 * node serves — labelled as not independent, since a node that lies about the chain can
 * serve a genesis that agrees with its lie.
 */
export class GenesisLoader extends LitElement {
  static override properties = { failure: { state: true } };
  static override styles = css`
    :host { display: block; }
    .row { display: flex; gap: 1rem; align-items: center; flex-wrap: wrap; }
    .file { color: #176b2c; }
    .node { color: #8a5a00; }
    .failure { color: #a00; }
    code { font-size: 0.85em; }
  `;

  declare failure: string | undefined;
  client: AuditClient | undefined;
  /** Set before the element is connected (the dashboard's template binds it). */
  trust: ProofTrust | undefined;
  readonly #changed = () => this.requestUpdate();

  override connectedCallback(): void {
    super.connectedCallback();
    this.trust?.addEventListener("change", this.#changed);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.trust?.removeEventListener("change", this.#changed);
  }

  /** Loads a genesis; a malformed one is shown, and the anchor loaded before stays. */
  async #load(read: () => Promise<unknown>, source: "file" | "node", name: string) {
    try {
      this.trust?.load(await read(), source, name);
      this.failure = undefined;
    } catch (error) {
      this.failure = error instanceof Error ? error.message : String(error);
    }
  }

  async #fromFile(event: Event): Promise<void> {
    const input = event.target as HTMLInputElement;
    const file = input.files?.[0];
    if (file === undefined) return;
    await this.#load(
      async () => {
        try {
          return JSON.parse(await file.text());
        } catch {
          throw new Error(`${file.name} is not JSON`);
        }
      },
      "file",
      file.name,
    );
    // The same file chosen again (after a change on disk) fires `change` again.
    input.value = "";
  }

  #fromNode(): Promise<void> {
    return this.#load(
      async () => {
        if (this.client === undefined) throw new Error("no audit API client");
        return this.client.get<unknown>("/genesis");
      },
      "node",
      "this node",
    );
  }

  override render() {
    const loaded = this.trust?.loaded;
    return html`
      <div class="row">
        <label>Trusted genesis file
          <input type="file" accept=".json,application/json" data-field="genesisFile"
            @change=${(event: Event) => this.#fromFile(event)} />
        </label>
        <button data-action="nodeGenesis" @click=${() => this.#fromNode()}>
          Use the genesis as served by this node (not independent)
        </button>
      </div>
      ${
        loaded === undefined
          ? html`<p data-field="anchor" data-source="none">
              No genesis loaded: proofs are not verified. Load the genesis file the hospitals
              agreed on; the one this node serves only shows what this node claims.
            </p>`
          : html`<p data-field="anchor" data-source=${loaded.source} class=${loaded.source}>
              Verifying against ${
                loaded.source === "file"
                  ? html`the genesis file <code>${loaded.name}</code>`
                  : html`the genesis <strong>as served by this node (not independent)</strong>`
              }: chain ${loaded.anchor.chainId}, ${loaded.anchor.validators.length} validator(s),
              Consortium <code>${loaded.anchor.consortium}</code>.
            </p>`
      }
      ${this.failure === undefined ? "" : html`<p class="failure" data-field="genesisFailure">${this.failure}</p>`}
    `;
  }
}
customElements.define("custos-genesis-loader", GenesisLoader);
