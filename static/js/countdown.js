// Ticks the deadline countdowns once a minute when the business clock runs with real time.
// With a pinned clock the server's figure stands still, as business time does.
(function () {
  function describe(seconds) {
    if (seconds <= 0) return null;
    const days = Math.floor(seconds / 86400);
    const hours = Math.floor((seconds % 86400) / 3600);
    const minutes = Math.floor((seconds % 3600) / 60);
    const parts = days ? [[days, "day"], [hours, "hour"]] : [[hours, "hour"], [minutes, "minute"]];
    const text = parts.filter(([n]) => n).map(([n, unit]) => n + " " + unit + (n === 1 ? "" : "s")).join(", ");
    return text || "less than a minute";
  }
  function tick() {
    document.querySelectorAll('.countdown[data-ticking="true"] .left').forEach(function (span) {
      const box = span.closest(".countdown");
      const text = describe((Date.parse(box.dataset.deadline) - Date.now()) / 1000);
      if (text === null) { window.location.reload(); } else { span.textContent = text; }
    });
  }
  setInterval(tick, 60000);
})();
