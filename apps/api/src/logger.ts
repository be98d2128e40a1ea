import pino, { type Logger } from "pino";
import { gelfDestination } from "./observability/gelf.js";
import { successSampler } from "./observability/sampling.js";

/** Where logs go besides stdout, and how much of the success traffic they keep (see docs/configuration.md). */
export interface LogOutput {
  /** udp://host:port of a Graylog GELF UDP input. */
  gelf?: string;
  /** Share (0..1) of successful request lines kept. */
  sampleSuccess?: number;
}

/**
 * Structured JSON logs. Redaction is a second line of defence: request logs never
 * include headers or bodies in the first place (see request-context.ts).
 */
export function createLogger(level: string, destination?: pino.DestinationStream, output: LogOutput = {}): Logger {
  const sampler = successSampler(output.sampleSuccess ?? 1);
  return pino(
    {
      level,
      ...(sampler ? { hooks: { logMethod: sampler } } : {}),
      base: { service: "softrack-api" },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: {
        paths: [
          "authorization",
          "*.authorization",
          "headers",
          "*.headers",
          "card",
          "*.card",
          "cvc",
          "*.cvc",
          "number",
          "*.number",
          "code",
          "*.code",
          "secret",
          "*.secret",
          "client_secret",
          "*.client_secret",
          // A payout's bank account number (only its last 4 are ever shown).
          "account_number",
          "*.account_number",
          "accountNumber",
          "*.accountNumber",
        ],
        censor: "[redacted]",
      },
    },
    output.gelf
      ? pino.multistream([
          { level: "trace", stream: destination ?? pino.destination(1) },
          { level: "trace", stream: gelfDestination(output.gelf) },
        ])
      : destination,
  );
}
