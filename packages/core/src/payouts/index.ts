export * from "./bank-accounts.js";
export * from "./settlement.js";
