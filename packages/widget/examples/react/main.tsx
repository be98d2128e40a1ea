// A shop's checkout page in React: the payment's client_secret comes from the shop's server
// (here, the address bar, so the example needs no server of its own).
import { useState } from "react";
import { createRoot } from "react-dom/client";
import { SoftrackCheckout } from "@softrack/widget/react";

const params = new URLSearchParams(location.search);

function Checkout() {
  const [status, setStatus] = useState("loading");
  return (
    <main>
      <h1>Order 1001</h1>
      <SoftrackCheckout
        clientSecret={params.get("client_secret") ?? ""}
        publishableKey={params.get("publishable_key") ?? ""}
        apiBase={params.get("api") ?? undefined}
        locale="en"
        onReady={(e) => setStatus(`ready ${e.detail.payment.id}`)}
        onSuccess={(e) => setStatus(`paid ${e.detail.payment.id}`)}
        onError={(e) => setStatus(`error ${e.detail.error.code ?? e.detail.error.type}`)}
      />
      <p id="status">{status}</p>
    </main>
  );
}

createRoot(document.getElementById("app") as HTMLElement).render(<Checkout />);
