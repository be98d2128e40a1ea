export * from "./holds.js";
export * from "./ledger.js";
