import { hostname } from "node:os";
import gelf from "gelf-pro";
import type pino from "pino";

/**
 * GELF output for Graylog (LOG_GELF=udp://host:port) through gelf-pro, which deflates and
 * chunks each message per the GELF UDP spec. Every pino line becomes one GELF message:
 * `msg` → short_message, pino level → syslog severity, `time` → timestamp (seconds),
 * every other field → an `_additional` field (nested objects flattened with `_`).
 * UDP is fire-and-forget: a Graylog outage never slows or fails a request; failed sends
 * are counted in softrack_log_gelf_errors_total.
 */

/** pino level → syslog severity (GELF `level`). */
const SYSLOG: Record<number, number> = { 10: 7, 20: 7, 30: 6, 40: 4, 50: 3, 60: 2 };
/** Keys that become GELF's own fields rather than `_additional` ones. */
const OWN = new Set(["msg", "level", "time", "hostname"]);

export const gelfStats = { sent: 0, errors: 0 };

export function parseGelfUrl(url: string): { host: string; port: number } {
  const u = new URL(url);
  return { host: u.hostname.replace(/^\[|\]$/g, ""), port: Number(u.port) };
}

/** A pino destination that forwards each JSON line to Graylog. */
export function gelfDestination(url: string): pino.DestinationStream {
  const { host, port } = parseGelfUrl(url);
  // Its own client and adapter objects (gelf-pro's module is a singleton), so two loggers
  // in one process can point at two Graylogs.
  const client = Object.create(gelf) as typeof gelf & { adapter?: unknown };
  client.setConfig({ fields: {} });
  const udp = Object.create(gelf.getAdapter()) as ReturnType<typeof gelf.getAdapter>;
  udp.setOptions({ protocol: host.includes(":") ? "udp6" : "udp4", host, port });
  client.adapter = udp;
  const source = hostname();

  return {
    write(line: string) {
      let record: Record<string, unknown>;
      try {
        record = JSON.parse(line);
      } catch {
        return;
      }
      const extra: Record<string, unknown> = { host: source };
      const time = typeof record.time === "string" ? Date.parse(record.time) : Number(record.time);
      if (Number.isFinite(time)) extra.timestamp = time / 1000;
      for (const [k, v] of Object.entries(record)) if (!OWN.has(k) && v !== undefined && v !== null) extra[k] = v;
      client.message(String(record.msg ?? ""), SYSLOG[Number(record.level)] ?? 6, extra, (err) => {
        if (err) gelfStats.errors++;
        else gelfStats.sent++;
      });
    },
  };
}
