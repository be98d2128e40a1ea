export * from "./card.js";
export * from "./payment-machine.js";
