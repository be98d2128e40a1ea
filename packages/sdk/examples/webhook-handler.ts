// A webhook endpoint on node:http that verifies Standard Webhooks signatures.
// The same three lines work in a fetch handler: verify(await req.text(), req.headers, secret).
import { createServer } from "node:http";
import { Softrack, SoftrackSignatureVerificationError } from "@softrack/sdk";

const secret = process.env.SOFTRACK_WEBHOOK_SECRET ?? `whsec_${btoa("example secret for local runs")}`;

const server = createServer(async (req, res) => {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  try {
    // The raw bytes, exactly as sent: parsing and re-serialising would break the signature.
    const event = await Softrack.webhooks.verify(Buffer.concat(chunks), req.headers, secret);
    switch (event.type) {
      case "payment.succeeded":
        console.log(`paid: ${event.data.object.id} ${event.data.object.amount} ${event.data.object.currency}`);
        break;
      default:
        console.log(`event ${event.type}`);
    }
    res.writeHead(204).end();
  } catch (err) {
    if (!(err instanceof SoftrackSignatureVerificationError)) throw err;
    console.log(`rejected: ${err.code}`);
    res.writeHead(400).end();
  }
});

await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
const address = server.address();
const url = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}/`;

// Send ourselves one genuine and one forged delivery.
const body = JSON.stringify({
  id: "evt_example",
  object: "event",
  type: "payment.succeeded",
  created: new Date().toISOString(),
  livemode: false,
  data: { object: { id: "pay_example", object: "payment", amount: 15000, currency: "KGS" } },
});
const headers = await Softrack.webhooks.sign(body, secret);
const ok = await fetch(url, { method: "POST", headers, body });
const forged = await fetch(url, { method: "POST", headers, body: body.replace("15000", "1") });
console.log(`genuine → ${ok.status}, forged → ${forged.status}`);
server.close();
