/** A destination pino writes one JSON line to per record. */
export interface LogDestination {
  write(line: string): void;
}

const LEVEL_NAMES: Readonly<Record<number, string>> = {
  10: "TRACE",
  20: "DEBUG",
  30: "INFO ",
  40: "WARN ",
  50: "ERROR",
  60: "FATAL",
};

const OMITTED = new Set(["level", "time", "msg", "component", "pid", "hostname"]);

function formatValue(value: unknown): string {
  return typeof value === "string" && /^[^\s"=]+$/.test(value) ? value : JSON.stringify(value);
}

/**
 * Wraps a destination so pino's JSON lines become one human-readable line each:
 * `12:00:01.234 INFO  [txpool] transaction admitted hash=0x… status=pending`. For a terminal
 * during development; production keeps JSON for log shippers.
 *
 * @example
 * ```ts
 * const logger = createLogger({ pretty: true }); // uses this over stdout
 * ```
 */
export function createPrettyStream(target: LogDestination): LogDestination {
  return {
    write(line: string) {
      let record: Record<string, unknown>;
      try {
        record = JSON.parse(line) as Record<string, unknown>;
      } catch {
        target.write(line);
        return;
      }
      const time = typeof record.time === "string" ? record.time.slice(11, 23) : "";
      const level = LEVEL_NAMES[record.level as number] ?? String(record.level);
      const component = typeof record.component === "string" ? ` [${record.component}]` : "";
      const fields = Object.entries(record)
        .filter(([name]) => !OMITTED.has(name))
        .map(([name, value]) => ` ${name}=${formatValue(value)}`)
        .join("");
      target.write(`${time} ${level}${component} ${String(record.msg ?? "")}${fields}\n`);
    },
  };
}
