export * from "./ledger/index.js";
export * from "./money/index.js";
export * from "./orders/index.js";
export * from "./payments/index.js";
export * from "./payouts/index.js";
export * from "./reliability/index.js";
export * from "./tariffs/index.js";
