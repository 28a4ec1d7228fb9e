// A refused form's error summary takes focus when the page loads, so a screen reader reads it
// and the keyboard starts from it; each of its links moves focus to its field.
document.addEventListener("DOMContentLoaded", () => {
  const summary = document.querySelector("[data-error-summary]");
  if (!summary) {
    return;
  }
  summary.focus();
  summary.addEventListener("click", (event) => {
    const link = event.target.closest("a[href^='#']");
    const field = link && document.getElementById(link.getAttribute("href").slice(1));
    if (!field) {
      return;
    }
    event.preventDefault();
    const label = document.querySelector(`label[for="${field.id}"]`);
    (label || field).scrollIntoView({ block: "center" });
    field.focus({ preventScroll: true });
  });
});
