// Show only the fields that apply to the chosen start type and party kind.
(function () {
  "use strict";
  function sync() {
    var start = document.getElementById("id_start_type");
    var kind = document.getElementById("id_party_kind");
    document.querySelectorAll("[data-show-for]").forEach(function (el) {
      el.hidden = !start || el.getAttribute("data-show-for") !== start.value;
    });
    document.querySelectorAll("[data-show-party]").forEach(function (el) {
      el.hidden = !kind || el.getAttribute("data-show-party") !== kind.value;
    });
  }
  document.addEventListener("change", sync);
  document.addEventListener("DOMContentLoaded", sync);
})();

// The service form: show only the chosen method's inputs (and those of the chosen outcome).
// Without JavaScript every input shows, each saying which methods it is for.
(function () {
  "use strict";
  function sync(form) {
    var method = form.querySelector("[name=method]").value;
    var never = (form.getAttribute("data-never-failed") || "").split(" ");
    var failed = form.querySelector("[name=outcome][value=failed]");
    var served = form.querySelector("[name=outcome][value=served]");
    if (failed && served) {
      failed.disabled = never.indexOf(method) >= 0;
      if (failed.disabled && failed.checked) { served.checked = true; }
    }
    var chosen = form.querySelector("[name=outcome]:checked");
    var outcome = chosen ? chosen.value : "served";
    form.querySelectorAll("[data-methods]").forEach(function (el) {
      var wanted = el.getAttribute("data-outcome");
      var on = el.getAttribute("data-methods").split(" ").indexOf(method) >= 0;
      el.hidden = !on || (wanted !== null && wanted !== outcome);
    });
  }
  function all() {
    document.querySelectorAll("[data-service-form]").forEach(function (form) {
      form.classList.add("js");
      sync(form);
    });
  }
  document.addEventListener("change", function (event) {
    var form = event.target.closest && event.target.closest("[data-service-form]");
    if (form) { sync(form); }
  });
  document.addEventListener("DOMContentLoaded", all);
})();

// Phones: each cell of a list table carries its column's heading, shown before the value when
// the table is laid out as a list (site.css, max-width 640px); a cell with nothing in it is
// marked blank and left out of the list.
(function () {
  "use strict";
  function label() {
    document.querySelectorAll("table.list").forEach(function (table) {
      var heads = Array.prototype.map.call(table.querySelectorAll("thead th"), function (th) {
        return th.textContent.trim();
      });
      table.querySelectorAll("tbody tr").forEach(function (row) {
        Array.prototype.forEach.call(row.children, function (cell, index) {
          if (heads[index] && cell.colSpan === 1 && !cell.hasAttribute("data-label")) {
            cell.setAttribute("data-label", heads[index]);
          }
          if (!cell.textContent.trim() && !cell.querySelector("img, button, input, canvas, svg")) {
            cell.setAttribute("data-blank", "");
          }
        });
      });
    });
  }
  document.addEventListener("DOMContentLoaded", label);
})();

// The menu (base.html) is a <details>: site.css shows it open on wide screens through
// ::details-content. Where a browser cannot style that, open it here on wide screens instead.
// On a phone the opened menu closes again on a tap outside it or on Escape.
(function () {
  "use strict";
  function closeMenus(except) {
    document.querySelectorAll("details[data-menu][open]").forEach(function (menu) {
      var summary = menu.querySelector("summary");
      if (menu !== except && summary && getComputedStyle(summary).display !== "none") {
        menu.open = false;
      }
    });
  }
  document.addEventListener("click", function (event) {
    closeMenus(event.target.closest && event.target.closest("details[data-menu]"));
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") { closeMenus(null); }
  });
})();

(function () {
  "use strict";
  if (!window.CSS || CSS.supports("selector(::details-content)")) return;
  var wide = window.matchMedia("(min-width: 641px)");
  function sync() {
    document.querySelectorAll("details[data-menu]").forEach(function (menu) {
      menu.open = wide.matches;
    });
  }
  wide.addEventListener("change", sync);
  document.addEventListener("DOMContentLoaded", sync);
})();
