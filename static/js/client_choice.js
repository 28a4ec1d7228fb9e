// The client's page: the sentence beside the sign button says, in plain words, what signing
// records, as the client picks (without JavaScript it keeps the general sentence written by
// the server, true whatever they pick). It reads the amount as the form does: whole dollars,
// thousands separators where they belong, an optional "$" and ".00".
(function () {
  "use strict";
  const sentence = document.getElementById("will-record");
  const form = document.getElementById("client-form");
  if (!sentence || !form) return;
  const amount = document.getElementById("id_amount");
  const written = /^\$?(?:\d{1,3}(?:,\d{3})+|\d{1,15})(?:\.00)?$/;
  const position = sentence.dataset.position;
  const live = sentence.dataset.live;

  function picked(name) {
    const field = form.elements.namedItem(name);
    if (!field) return "";
    if (field instanceof RadioNodeList || field.type === "radio") {
      const checked = form.querySelector('input[name="' + name + '"]:checked');
      return checked ? checked.value : "";
    }
    return field.value; // a hidden field: the one thing the page offers
  }

  function dollars(text) {
    const digits = text.replace(/^\$/, "").replace(/\.00$/, "").replace(/,/g, "");
    return "$" + Number(digits).toLocaleString("en-US");
  }

  function words() {
    const kind = picked("kind");
    if (!kind) {
      return "You have not chosen yet: choose above whether to tender or to withdraw your instruction. Nothing is chosen for you.";
    }
    if (kind === "withdrawal") {
      return (
        "When you sign, we record the withdrawal of your instruction" +
        (live ? " (" + live + ")" : "") +
        ": your Old Notes stay as they are, not tendered."
      );
    }
    const choice = picked("choice");
    const typed = amount ? amount.value.trim() : "";
    if (choice === "ALL" && typed) {
      return (
        "You chose “Tender all” and typed an amount: choose one of the two (clear the amount to tender all, or choose the other box to tender only the amount). As it stands, nothing can be recorded."
      );
    }
    if (choice === "ALL") {
      return (
        "When you sign, we record your instruction to tender all the Old Notes we hold for you (" +
        position +
        " today; all we hold when we tender them)."
      );
    }
    if (choice === "AMOUNT") {
      if (!typed) return "Type above the amount to tender: nothing is recorded without it.";
      if (!written.test(typed)) {
        return "Type the amount in whole dollars, e.g. 50,000: as it stands, nothing can be recorded.";
      }
      return (
        "When you sign, we record your instruction to tender only " +
        dollars(typed) +
        " principal amount of your Old Notes (of the " +
        position +
        " we hold for you); the rest stay as they are, not tendered."
      );
    }
    return "You have not chosen yet: choose above to tender all, or only an amount you type. Nothing is chosen for you.";
  }

  function update() {
    sentence.textContent = words();
  }

  form.addEventListener("change", update);
  form.addEventListener("input", update);
  update();
})();
