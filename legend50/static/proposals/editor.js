/* Proposal editor: keeps the concurrency counter current after autosave, live budget totals and
   matching share, extra rows, and the KSIC division list. No inline scripts (CSP). */
(function () {
  "use strict";

  function setLockVersion(value) {
    document.querySelectorAll('input[name="lock_version"]').forEach(function (input) {
      input.value = value;
    });
  }

  document.body.addEventListener("htmx:afterRequest", function (event) {
    var xhr = event.detail.xhr;
    if (!xhr) return;
    var version = xhr.getResponseHeader("X-Lock-Version");
    if (version) setLockVersion(version);
  });
  // htmx does not swap 4xx responses by default; show the autosave error anyway.
  document.body.addEventListener("htmx:beforeSwap", function (event) {
    if (event.detail.xhr.status === 400 || event.detail.xhr.status === 409) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  function parseAmount(text) {
    var digits = String(text || "").replace(/[,\s원]/g, "");
    if (!/^\d+$/.test(digits)) return 0;
    return parseInt(digits, 10);
  }

  function formatKrw(n) {
    return n.toLocaleString("ko-KR") + "원";
  }

  function recomputeBudget() {
    var form = document.getElementById("budget-form");
    var table = document.getElementById("budget-totals");
    if (!form || !table) return;
    var sums = {};
    var all = { national: 0, local: 0, private: 0 };
    form.querySelectorAll("tbody tr").forEach(function (row) {
      var year = row.querySelector('[data-budget="year"]');
      var source = row.querySelector('[data-budget="source"]');
      var amount = row.querySelector('[data-budget="amount"]');
      if (!year || !source || !amount || !year.value || !source.value) return;
      var value = parseAmount(amount.value);
      sums[year.value] = sums[year.value] || { national: 0, local: 0, private: 0 };
      sums[year.value][source.value] += value;
      all[source.value] += value;
    });
    table.querySelectorAll("tbody tr").forEach(function (row) {
      var key = row.getAttribute("data-year");
      var values = key === "all" ? all : sums[key] || { national: 0, local: 0, private: 0 };
      var total = values.national + values.local + values.private;
      ["national", "local", "private"].forEach(function (source) {
        var cell = row.querySelector('[data-cell="' + source + '"]');
        if (cell) cell.textContent = formatKrw(values[source]);
      });
      var totalCell = row.querySelector('[data-cell="total"]');
      if (totalCell) totalCell.textContent = formatKrw(total);
    });
    var publicTotal = all.national + all.local;
    var shareEl = document.getElementById("local-share");
    var badge = document.getElementById("share-badge");
    var min = parseFloat(form.getAttribute("data-min-share") || "0");
    if (shareEl) {
      if (publicTotal > 0) {
        var share = all.local / publicTotal;
        shareEl.textContent = (share * 100).toFixed(1) + "%";
        if (badge) {
          var ok = share + 1e-12 >= min;
          badge.className = "badge " + (ok ? "ok" : "warn");
          badge.textContent = ok ? "기준 충족" : "기준 미달";
        }
      } else {
        shareEl.textContent = "—";
      }
    }
  }

  function addRow(kind) {
    var table = document.querySelector('table[data-grid="' + kind + '"]');
    if (!table) return;
    var body = table.querySelector("tbody");
    var rows = body.querySelectorAll("tr");
    var last = rows[rows.length - 1];
    var index = rows.length;
    var clone = last.cloneNode(true);
    clone.querySelectorAll("input, select").forEach(function (el) {
      el.name = el.name.replace(/^(kpi|budget)-\d+-/, kind + "-" + index + "-");
      var label = el.getAttribute("aria-label");
      if (label) el.setAttribute("aria-label", label.replace(/\d+(행)/, index + 1 + "$1"));
      if (el.tagName === "SELECT") el.selectedIndex = 0; else el.value = "";
    });
    var head = clone.querySelector("th");
    if (head) head.textContent = String(index + 1);
    body.appendChild(clone);
    var counter = table.closest("form").querySelector("[data-row-count]");
    if (counter) counter.value = String(index + 1);
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-add-row]");
    if (button) {
      event.preventDefault();
      addRow(button.getAttribute("data-add-row"));
    }
  });

  var budgetForm = document.getElementById("budget-form");
  if (budgetForm) {
    budgetForm.addEventListener("input", recomputeBudget);
    budgetForm.addEventListener("change", recomputeBudget);
    recomputeBudget();
  }

  var divisionsData = document.getElementById("ksic-divisions");
  var section = document.querySelector("[data-division-target]");
  if (divisionsData && section) {
    var divisions = JSON.parse(divisionsData.textContent);
    section.addEventListener("change", function () {
      var target = document.getElementById(section.getAttribute("data-division-target"));
      if (!target) return;
      var rows = divisions[section.value] || [];
      while (target.options.length > 1) target.remove(1);
      rows.forEach(function (pair) {
        var option = document.createElement("option");
        option.value = pair[0];
        option.textContent = pair[0] + " " + pair[1];
        target.appendChild(option);
      });
    });
  }

  var errorBox = document.getElementById("error-box");
  if (errorBox) errorBox.focus();
})();
