import nodemailer, { type Transporter } from "nodemailer";
import type { Deps } from "../context.js";
import { outboxPut } from "./outbox.js";

/**
 * Outgoing sign-in messages. Email goes through SMTP (nodemailer) when SMTP_URL is set
 * (smtp://user:pass@host:587, smtps://…); SMS through the SMS connector's gateway when
 * SMS_GATEWAY_URL is set. Without them, outside production, messages land in the
 * development outbox. A message's text (it holds a code) never reaches a log.
 */
const transports = new Map<string, Transporter>();

function smtp(url: string): Transporter {
  let t = transports.get(url);
  if (!t) {
    t = nodemailer.createTransport(url);
    transports.set(url, t);
  }
  return t;
}

export async function sendEmail(deps: Deps, msg: { to: string; subject: string; text: string }): Promise<void> {
  const url = deps.env.SMTP_URL;
  if (url) {
    await smtp(url).sendMail({
      from: deps.env.MAIL_FROM,
      to: msg.to,
      subject: msg.subject,
      text: msg.text,
    });
    return;
  }
  if (deps.env.NODE_ENV === "production") {
    deps.logger.error({ channel: "email" }, "no SMTP_URL configured: sign-in email not sent");
    return;
  }
  outboxPut(deps, { channel: "email", to: msg.to, subject: msg.subject, text: msg.text });
}

export async function sendSms(deps: Deps, msg: { to: string; text: string }): Promise<void> {
  const url = deps.env.SMS_GATEWAY_URL;
  if (url) {
    const res = await fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ to: msg.to, text: msg.text }),
    });
    if (!res.ok) deps.logger.warn({ channel: "sms", status: res.status }, "SMS gateway refused a sign-in message");
    return;
  }
  if (deps.env.NODE_ENV === "production") {
    deps.logger.error({ channel: "sms" }, "no SMS_GATEWAY_URL configured: sign-in SMS not sent");
    return;
  }
  // Test mode of the SMS connector: the "operator" delivers to the dev outbox.
  outboxPut(deps, { channel: "sms", to: msg.to, subject: null, text: msg.text });
}
