import type { Deps } from "../context.js";

export interface OutboxMessage {
  id: string;
  channel: "email" | "sms";
  to: string;
  subject: string | null;
  text: string;
  created: string;
}

/**
 * The development outbox: messages that were "sent" without an SMTP server or SMS
 * gateway. Kept in this process's memory only — never in a table or a log — because
 * they hold sign-in codes in clear. Read through GET /v1/test_helpers/outbox (not in production).
 */
const boxes = new WeakMap<Deps, OutboxMessage[]>();
const LIMIT = 500;
let seq = 0;

export function outboxPut(deps: Deps, message: Omit<OutboxMessage, "id" | "created">): void {
  let box = boxes.get(deps);
  if (!box) {
    box = [];
    boxes.set(deps, box);
  }
  box.unshift({ ...message, id: `msg_${Date.now().toString(36)}_${++seq}`, created: new Date().toISOString() });
  if (box.length > LIMIT) box.length = LIMIT;
}

/** Newest first. */
export function outboxList(deps: Deps, to?: string): OutboxMessage[] {
  const box = boxes.get(deps) ?? [];
  return to ? box.filter((m) => m.to === to) : box.slice();
}
