// Evaluation pages: live total on the score sheet, confirmation before irreversible actions.
(function () {
  "use strict";
  function updateTotal() {
    var out = document.getElementById("ev-total");
    if (!out) return;
    var total = 0, any = false;
    document.querySelectorAll("input.ev-score").forEach(function (input) {
      var v = parseFloat(input.value);
      if (!isNaN(v)) { total += v; any = true; }
    });
    out.textContent = any ? (Math.round(total * 10) / 10).toString() : "-";
  }
  document.addEventListener("input", function (e) {
    if (e.target.matches && e.target.matches("input.ev-score")) updateTotal();
  });
  document.addEventListener("click", function (e) {
    var button = e.target.closest && e.target.closest("button[data-confirm]");
    if (button && !window.confirm(button.getAttribute("data-confirm"))) e.preventDefault();
  });
  document.addEventListener("DOMContentLoaded", updateTotal);
})();
