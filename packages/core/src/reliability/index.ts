export * from "./policy.js";
export * from "./score.js";
