// A shop's checkout page in Vue 3: the payment's client_secret comes from the shop's server
// (here, the address bar, so the example needs no server of its own).
import { SoftrackCheckout } from "@softrack/widget/vue";
import { createApp, defineComponent, h, ref } from "vue";

const params = new URLSearchParams(location.search);

const Checkout = defineComponent({
  setup() {
    const status = ref("loading");
    return () =>
      h("main", [
        h("h1", "Order 1001"),
        h(SoftrackCheckout, {
          clientSecret: params.get("client_secret") ?? "",
          publishableKey: params.get("publishable_key") ?? "",
          apiBase: params.get("api") ?? undefined,
          locale: "en",
          onReady: (e) => {
            status.value = `ready ${e.detail.payment.id}`;
          },
          onSuccess: (e) => {
            status.value = `paid ${e.detail.payment.id}`;
          },
          onError: (e) => {
            status.value = `error ${e.detail.error.code ?? e.detail.error.type}`;
          },
        }),
        h("p", { id: "status" }, status.value),
      ]);
  },
});

createApp(Checkout).mount("#app");
