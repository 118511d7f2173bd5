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
