// Demo page wiring: language and theme switches, and a log of the checkout's events.
const checkout = document.getElementById("checkout");
const log = document.getElementById("events");

for (const id of ["locale", "theme"]) {
  const select = document.getElementById(id);
  select.value = checkout.getAttribute(id) ?? select.value;
  select.addEventListener("change", () => {
    checkout.setAttribute(id, select.value);
    if (id === "theme") document.body.classList.toggle("dark", select.value === "dark");
  });
}

for (const type of ["softrack-ready", "softrack-change", "softrack-submit", "softrack-success", "softrack-error", "softrack-cancel"]) {
  checkout.addEventListener(type, (e) => {
    const item = document.createElement("li");
    const d = e.detail ?? {};
    const summary = d.payment ? `${d.payment.id} ${d.payment.status}` : d.error ? `${d.error.type} ${d.error.code}` : JSON.stringify(d);
    item.textContent = `${type.replace("softrack-", "")}: ${summary}`;
    log.prepend(item);
  });
}
