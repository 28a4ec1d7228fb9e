// A button marked data-print opens the browser's print dialog (no inline onclick: the
// Content-Security-Policy forbids inline scripts).
document.addEventListener("click", function (event) {
  if (event.target.closest("[data-print]")) window.print();
});
