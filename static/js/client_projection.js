// The client's page: the projected entitlement of the amount being typed, fetched from the
// server (the same engine as every document) a moment after the typing stops.
(function () {
  "use strict";
  const box = document.getElementById("typed-projection");
  const amount = document.getElementById("id_amount");
  if (!box || !amount) return;
  let timer = null;
  let asked = 0;

  function row(label, value) {
    const dt = document.createElement("dt");
    dt.className = "col-7";
    dt.textContent = label;
    const dd = document.createElement("dd");
    dd.className = "col-5 text-end";
    dd.textContent = value;
    return [dt, dd];
  }

  function show(figures) {
    box.replaceChildren();
    if (figures.error) {
      const p = document.createElement("p");
      p.className = "mb-0";
      p.textContent = figures.error;
      box.append(p);
      return;
    }
    const title = document.createElement("p");
    title.className = "fw-semibold mb-1";
    title.textContent = "For " + figures.principal + ":";
    const list = document.createElement("dl");
    list.className = "row mb-0";
    list.append(
      ...row("New Notes principal", figures.new_notes_principal),
      ...row("of which accrued interest", figures.accrued_interest),
      ...row("Warrants", figures.warrants),
      ...row("Participation fee", figures.participation_fee)
    );
    const fees = document.createElement("p");
    fees.className = "mt-2 mb-0";
    fees.textContent =
      "The fee is paid in installments: " +
      figures.installments.map((i) => i.amount + " on " + i.date).join("; ") +
      ".";
    box.append(title, list, fees);
    if (figures.untendered) {
      // The rest of a partial tender, as the company promises holders who do not tender.
      const rest = document.createElement("p");
      rest.className = "mt-2 mb-0";
      rest.dataset.testid = "typed-untendered";
      rest.textContent =
        "The other " +
        figures.untendered.principal +
        " you do not tender stay yours: if the exchange is completed on " +
        figures.untendered.paid_on +
        ", the company pays them their full principal and accrued interest, " +
        figures.untendered.payout +
        ".";
      box.append(rest);
    }
  }

  function ask() {
    const text = amount.value.trim();
    if (!text) {
      box.textContent = "Type an amount below to see its figures.";
      return;
    }
    const mine = ++asked;
    fetch(box.dataset.url + "?amount=" + encodeURIComponent(text), {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    })
      .then((response) => response.json())
      .then((figures) => {
        if (mine === asked) show(figures);
      })
      .catch(() => {
        box.textContent = "The figures could not be fetched: check your connection.";
      });
  }

  amount.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(ask, 300);
  });
  if (amount.value.trim()) ask();
})();
