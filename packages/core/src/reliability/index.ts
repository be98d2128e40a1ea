export * from "./no-shows.js";
export * from "./policy.js";
export * from "./score.js";
