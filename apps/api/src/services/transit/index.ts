/**
 * Transit: terminals, taps and their reports. A round of taps goes load → decide → write
 * (round.ts), the same code for a request's own transaction and for the group commit
 * (services/transit-group-commit.ts).
 */

export type { TapStatements } from "./load.js";
export { type DailyReport, dailyReport, type ReportLine, reportCsv } from "./report.js";
export { decideTapRound, decideTaps, type TapRound } from "./round.js";
export {
  FUTURE_TOLERANCE_MS,
  MAX_BATCH,
  type TapInput,
  type TapItem,
  type TapObject,
  type TapRejected,
  type TapResult,
  tapErrorBody,
  tapObject,
} from "./taps.js";
export { createTerminal, findTap, findTerminal, listTaps, type TerminalRow, terminalObject } from "./terminals.js";
