import type { CounterSeries } from "./NodeApi.ts";

function escapeLabel(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

/**
 * Counter series in the Prometheus text exposition format (one `# TYPE … counter` per name,
 * names prefixed, label values escaped), for counters kept outside the prom-client registry
 * (the p2p network's, whose label sets vary by series). Empty for no series.
 *
 * @example
 * ```ts
 * formatCounterSeries("custos_", [{ name: "p2p_bans_total", labels: {}, value: 2 }]);
 * // "# TYPE custos_p2p_bans_total counter\ncustos_p2p_bans_total 2\n"
 * ```
 */
export function formatCounterSeries(prefix: string, series: readonly CounterSeries[]): string {
  const byName = new Map<string, CounterSeries[]>();
  for (const entry of series) {
    const list = byName.get(entry.name) ?? [];
    list.push(entry);
    byName.set(entry.name, list);
  }
  let text = "";
  for (const [name, entries] of byName) {
    text += `# TYPE ${prefix}${name} counter\n`;
    for (const { labels, value } of entries) {
      const pairs = Object.entries(labels).map(([k, v]) => `${k}="${escapeLabel(v)}"`);
      text += `${prefix}${name}${pairs.length === 0 ? "" : `{${pairs.join(",")}}`} ${value}\n`;
    }
  }
  return text;
}
