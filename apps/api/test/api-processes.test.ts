import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import { request } from "node:http";
import { afterAll, describe, expect, it } from "vitest";
import { startApiProcess, stopApiProcesses } from "./api-process.js";
import { realPostgresDatabaseUrl } from "./support.js";

afterAll(() => stopApiProcesses());

const adminKey = `sk_admin_${"p".repeat(40)}`;

function env(extra: Record<string, string>): Record<string, string> {
  const { DATABASE_URL: _ignored, ...rest } = process.env as Record<string, string>;
  return { ...rest, NODE_ENV: "test", PLATFORM_ADMIN_KEY: adminKey, PORT: "0", LOG_LEVEL: "warn", WORKERS: "off", ...extra };
}

/** The processes whose sockets listen on 127.0.0.1:`port` (from /proc: socket inodes, then each process's descriptors). */
function listeners(port: number): { pid: number; extra: boolean }[] {
  const hex = `0100007F:${port.toString(16).toUpperCase().padStart(4, "0")}`;
  const inodes = new Set(
    readFileSync("/proc/net/tcp", "utf8")
      .split("\n")
      .slice(1)
      .map((l) => l.trim().split(/\s+/))
      .filter((f) => f[1] === hex && f[3] === "0A") // 0A: LISTEN
      .map((f) => f[9]),
  );
  const out: { pid: number; extra: boolean }[] = [];
  for (const pid of readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
    try {
      const fds = readdirSync(`/proc/${pid}/fd`).map((fd) => readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (fds.some((l) => inodes.has(/^socket:\[(\d+)\]$/.exec(l)?.[1]))) {
        out.push({ pid: Number(pid), extra: readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("--api-extra-process") });
      }
    } catch {
      // a process that ended while we looked
    }
  }
  return out;
}

/** One request on a connection of its own, so that the kernel picks a listener for each. */
function post(url: string, path: string, body: unknown, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      new URL(path, url),
      { method: "POST", agent: false, headers: { "Content-Type": "application/json", Authorization: `Bearer ${adminKey}`, ...headers } },
      (res) => {
        let text = "";
        res.on("data", (d) => (text += d));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on("error", reject);
    req.end(JSON.stringify(body));
  });
}

describe("API_PROCESSES: several processes on one port", () => {
  it("serves one port from two processes that share Idempotency-Keys, and stops both when one dies", async () => {
    const api = await startApiProcess(env({ DATABASE_URL: await realPostgresDatabaseUrl(), API_PROCESSES: "2" }));
    expect(api.output()).toContain("(2 processes)");
    const port = Number(new URL(api.url).port);
    const serving = listeners(port);
    expect(serving.filter((l) => l.extra)).toHaveLength(1);
    expect(serving.filter((l) => !l.extra)).toHaveLength(1);

    // One Idempotency-Key, sent on 12 connections of their own: whichever process each lands on,
    // one merchant is created and every answer is the same bytes.
    const answers = [];
    for (let i = 0; i < 12; i++) {
      answers.push(
        await post(
          api.url,
          "/v1/merchants",
          { name: "Two", country: "KG", default_currency: "KGS" },
          { "Idempotency-Key": "one-merchant" },
        ),
      );
    }
    expect(answers.map((a) => a.status)).toEqual(Array(12).fill(200));
    expect(new Set(answers.map((a) => a.body)).size).toBe(1);

    // kill -9 of the extra process: the first stops as well, so nothing serves half a set.
    process.kill(serving.find((l) => l.extra)?.pid as number, "SIGKILL");
    const until = Date.now() + 20_000;
    while (listeners(port).length > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
    expect(listeners(port)).toEqual([]);
  });

  it("refuses more than one process on the embedded database, in one clear line", async () => {
    const started = startApiProcess(env({ API_PROCESSES: "2", DATA_DIR: "memory://" }));
    await expect(started).rejects.toThrow(/API_PROCESSES above 1 needs DATABASE_URL/);
  });
});
