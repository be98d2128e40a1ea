export * from "./accounts.js";
export * from "./ledger.js";
export * from "./postings.js";
