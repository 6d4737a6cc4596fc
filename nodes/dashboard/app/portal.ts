import { css, html, LitElement } from "lit";
import type { AuditEntry } from "../../../src/audit/index.ts";
import { AuditClient } from "./auditClient.ts";
import "./disclosureList.ts";
import { when } from "./format.ts";
import { signIn } from "./signIn.ts";
import { browserWallet, signTypedData, walletAccount } from "./wallet.ts";

/** `GET /audit/v1/me`. */
interface MyRecord {
  readonly custodian: number;
  readonly subject: string;
  readonly consent: {
    readonly status: "none" | "active" | "revoked";
    readonly version: number;
    readonly validFrom: number;
    readonly validUntil: number;
    readonly permissionTerms: readonly { label: string; name: string }[];
    readonly conditionTerms: readonly { label: string; name: string }[];
    readonly categoryNames: readonly string[];
  };
  readonly history: { readonly items: readonly AuditEntry[] };
}

const changeWords: Record<string, string> = {
  ConsentGranted: "Consent given",
  ConsentUpdated: "Consent changed",
  ConsentRevoked: "Consent withdrawn",
  PatientKeyChanged: "Your signing key was registered or changed",
  DelegateAdded: "A representative was added",
  DelegateRemoved: "A representative was removed",
  SignaturesInvalidated: "Earlier signatures were cancelled",
  SubjectTransferred: "Your record moved to another hospital",
};

/** Reads `#custodian=1&subject=0x…` (a hospital's letter or QR code may link this way). */
function recordFromLocation(): { custodian: string; subject: string } {
  const params = new URLSearchParams(location.hash.slice(1));
  return { custodian: params.get("custodian") ?? "", subject: params.get("subject") ?? "" };
}

/**
 * The patient portal, served by every node at `/portal`. The patient brings their record's
 * hospital and pseudonym and signs in with the key their consent is held under; the portal
 * shows what the chain holds about that record and nothing else, and withdraws consent in
 * one signed action, recorded on chain at once.
 */
export class CustosPortal extends LitElement {
  static override properties = {
    record: { state: true },
    failure: { state: true },
    busy: { state: true },
    withdrawn: { state: true },
  };
  static override styles = css`
    :host { display: block; font-family: system-ui, sans-serif; max-width: 48rem; margin: 0 auto; padding: 1rem; line-height: 1.45; }
    label { display: block; margin: 0.5rem 0; }
    input { width: 100%; font-family: monospace; }
    section { border: 1px solid #ddd; border-radius: 6px; padding: 1rem; margin: 1rem 0; }
    .active { color: #176b2c; }
    .revoked { color: #a00; }
    .failure { color: #a00; }
    ol { padding-left: 1.2rem; }
    button.withdraw { background: #a00; color: white; border: 0; padding: 0.5rem 1rem; border-radius: 4px; }
  `;

  declare record: MyRecord | undefined;
  declare failure: string | undefined;
  declare busy: boolean;
  declare withdrawn: { txHash: string; blockNumber: number; receipt: unknown } | undefined;
  readonly client = new AuditClient();
  #signedInAs = "";

  constructor() {
    super();
    this.busy = false;
  }

  /** Runs a user action: busy meanwhile, its failure shown, never thrown. */
  async #act(action: () => Promise<void>): Promise<void> {
    try {
      this.busy = true;
      await action();
      this.failure = undefined;
    } catch (error) {
      this.failure = error instanceof Error ? error.message : String(error);
    } finally {
      this.busy = false;
    }
  }

  #signIn(event: Event): Promise<void> {
    event.preventDefault();
    const form = new FormData(event.target as HTMLFormElement);
    return this.#act(async () => {
      const session = await signIn(this.client, {
        custodian: Number(form.get("custodian")),
        subject: String(form.get("subject")).trim(),
      });
      this.#signedInAs = session.session.address.toLowerCase();
      await this.#load();
    });
  }

  async #load(): Promise<void> {
    this.record = await this.client.get<MyRecord>("/me?limit=1000");
  }

  #withdraw(): Promise<void> {
    return this.#act(async () => {
      const wallet = browserWallet();
      if (wallet === undefined) throw new Error("no browser wallet (window.ethereum) to sign with");
      const account = await walletAccount(wallet);
      const prepared = await this.client.post<{
        typedData: Parameters<typeof signTypedData>[2] & { message: Record<string, unknown> };
        receipt: unknown;
      }>("/me/consent/revoke/prepare", {});
      const signature = await signTypedData(wallet, account, prepared.typedData);
      const done = await this.client.post<{ txHash: string; blockNumber: number }>(
        "/me/consent/revoke",
        { message: prepared.typedData.message, signature },
      );
      this.withdrawn = { ...done, receipt: prepared.receipt };
      await this.#load();
    });
  }

  #receiptUrl(): string {
    const blob = new Blob([JSON.stringify(this.withdrawn, null, 2)], { type: "application/json" });
    return URL.createObjectURL(blob);
  }

  override render() {
    return html`
      <h1>Your consent for research</h1>
      ${this.failure === undefined ? "" : html`<p class="failure" data-field="failure">${this.failure}</p>`}
      ${this.record === undefined ? this.#signInForm() : this.#recordView(this.record)}
    `;
  }

  #signInForm() {
    const prefill = recordFromLocation();
    return html`
      <p>
        Sign in with the key your consent is held under. You need your hospital's number and
        your record's pseudonym, as your hospital gave them to you.
      </p>
      <form @submit=${(event: Event) => this.#signIn(event)}>
        <label>Hospital number <input name="custodian" required inputmode="numeric" .value=${prefill.custodian} /></label>
        <label>Record pseudonym <input name="subject" required pattern="0x[0-9a-fA-F]{64}" .value=${prefill.subject} /></label>
        <button type="submit" data-action="signIn" ?disabled=${this.busy}>Sign in with wallet</button>
      </form>
    `;
  }

  #recordView(record: MyRecord) {
    const c = record.consent;
    return html`
      <section>
        <h2>Now</h2>
        <p data-field="status" class=${c.status}>
          ${c.status === "active" ? "Your consent is in force." : c.status === "revoked" ? "You have withdrawn your consent." : "There is no consent on record."}
        </p>
        ${
          c.status === "active"
            ? html`
              <p>Researchers may use your data for:</p>
              <ul data-field="purposes">${c.permissionTerms.map((t) => html`<li>${t.name} (${t.label})</li>`)}</ul>
              ${
                c.conditionTerms.length === 0
                  ? ""
                  : html`<p>On these conditions:</p>
                <ul>${c.conditionTerms.map((t) => html`<li>${t.name} (${t.label})</li>`)}</ul>`
              }
              <p>Which parts of your record: ${c.categoryNames.map((n) => n.toLowerCase()).join(", ")}.</p>
              <p>${c.validUntil === 0 ? "It has no end date." : `Until ${when(c.validUntil)}.`}</p>
              <button class="withdraw" data-action="withdraw" ?disabled=${this.busy} @click=${() => this.#withdraw()}>
                Withdraw my consent
              </button>
              <p><small>Withdrawal takes effect from the block it is recorded in; studies that already ran are not undone.</small></p>
            `
            : ""
        }
        ${
          this.withdrawn === undefined
            ? ""
            : html`<p data-field="withdrawn">Recorded in block ${this.withdrawn.blockNumber}.
              <a download="consent-withdrawal.json" href=${this.#receiptUrl()}>Keep your receipt</a></p>`
        }
      </section>
      <section>
        <h2>Studies that used your record</h2>
        <p><small>Only you, your hospital and the regulator see this list: which studies ran over your record tells something about you.</small></p>
        <custos-disclosure-list .client=${this.client}></custos-disclosure-list>
      </section>
      <section>
        <h2>History</h2>
        <ol data-field="history">
          ${record.history.items.map(
            (
              e,
            ) => html`<li data-event=${e.event}>${when(e.at.blockTimestamp)}: ${changeWords[e.event] ?? e.event}
              ${e.actor !== null && e.actor.toLowerCase() === this.#signedInAs ? " (by you)" : ""}</li>`,
          )}
        </ol>
      </section>
    `;
  }
}
customElements.define("custos-portal", CustosPortal);
