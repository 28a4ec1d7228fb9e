// Polls a running bulk run's progress and updates its bar without reloading the page.
(function () {
  if (window.bulkProgressStarted) return;
  window.bulkProgressStarted = true;
  function refresh() {
    const boxes = document.querySelectorAll('.bulk-progress[data-live="true"]');
    if (!boxes.length) return;
    boxes.forEach(function (box) {
      fetch(box.dataset.url, { credentials: "same-origin" })
        .then(function (response) { return response.json(); })
        .then(function (p) {
          box.querySelector("progress").value = p.percent;
          const finished = p.done + p.failed;
          let text = p.percent + "% — " + finished + " of " + p.total + " done";
          if (p.failed) text += ", " + p.failed + " failed";
          if (p.status !== "running") { text += " (finished)"; box.dataset.live = "false"; }
          box.querySelector(".bulk-progress-text").textContent = text;
          const held = box.querySelector(".bulk-progress-held");
          if (held) {
            held.hidden = !p.held_until || p.status !== "running";
            if (p.held_until) {
              held.querySelector(".held-until").textContent = new Date(p.held_until).toLocaleTimeString();
            }
          }
        })
        .catch(function () { /* try again at the next tick */ });
    });
    setTimeout(refresh, 2000);
  }
  document.addEventListener("DOMContentLoaded", function () { setTimeout(refresh, 2000); });
})();
