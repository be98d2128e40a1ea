import pino, { type Logger } from "pino";

/**
 * Structured JSON logs. Redaction is a second line of defence: request logs never
 * include headers or bodies in the first place (see request-context.ts).
 */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: "softrack-api" },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: {
        paths: ["authorization", "*.authorization", "headers", "*.headers", "card", "*.card", "cvc", "*.cvc", "number", "*.number", "code", "*.code", "secret", "*.secret", "client_secret", "*.client_secret"],
        censor: "[redacted]",
      },
    },
    destination,
  );
}
