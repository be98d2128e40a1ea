export * from "./events.js";
export * from "./idempotency.js";
export * from "./jobs.js";
export * from "./ledger.js";
export * from "./merchants.js";
export * from "./payments.js";
export * from "./tariffs.js";
export * from "./transit.js";
