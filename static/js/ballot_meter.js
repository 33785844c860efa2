// Live budget meter for the ballot page (progressive enhancement: the page works without it;
// the server checks every ballot with the same rule in voting/ballot_rules.py).
(function () {
  "use strict";

  function formatWon(amount, lang) {
    var digits = new Intl.NumberFormat("en-US").format(amount);
    return lang.indexOf("ko") === 0 ? digits + "원" : "₩" + digits;
  }

  function setUp(form) {
    // each form has its own meter (the one-page ballot has one form and meter per pot)
    var meter = form.querySelector(".ballot-meter");
    if (!meter) {
      return;
    }
    var rule = form.dataset.rule;
    var unit = meter.dataset.unit;
    var allowed = parseInt(meter.dataset.allowed, 10) || 0;
    var lang = document.documentElement.lang || "ko";
    var usedEl = meter.querySelector("[data-meter-used]");
    var bar = meter.querySelector("progress");
    var status = meter.querySelector("[data-meter-status]");
    var overTemplate = meter.querySelector("template[data-meter-over]");
    var leftTemplate = meter.querySelector("template[data-meter-left-template]");

    function show(value) {
      return unit === "won" ? formatWon(value, lang) : String(value);
    }

    function used() {
      var total = 0;
      if (rule === "ranked") {
        form.querySelectorAll("select.ballot-rank").forEach(function (select) {
          if (select.value !== "") {
            total += 1;
          }
        });
      } else if (rule === "cumulative") {
        form.querySelectorAll("input.ballot-points").forEach(function (input) {
          var points = parseInt(input.value, 10);
          if (points > 0) {
            total += points;
          }
        });
      } else {
        form.querySelectorAll("input.ballot-choice:checked").forEach(function (input) {
          total += rule === "knapsack" ? parseInt(input.dataset.cost, 10) || 0 : 1;
        });
      }
      return total;
    }

    function update() {
      var value = used();
      usedEl.textContent = show(value);
      bar.value = Math.min(value, allowed);
      status.replaceChildren();
      if (value > allowed) {
        status.appendChild(overTemplate.content.cloneNode(true));
        meter.classList.add("is-over");
      } else {
        status.appendChild(leftTemplate.content.cloneNode(true));
        status.querySelector("[data-meter-left]").textContent = show(allowed - value);
        meter.classList.remove("is-over");
      }
    }

    if (rule === "ranked") {
      // One project per rank: giving a rank another project holds swaps the two projects'
      // ranks (the server refuses a repeated rank anyway; this only saves a correction).
      var ranks = form.querySelectorAll("select.ballot-rank");
      ranks.forEach(function (select) {
        select.dataset.previous = select.value;
      });
      form.addEventListener("change", function (event) {
        var changed = event.target;
        if (!changed.classList || !changed.classList.contains("ballot-rank")) {
          return;
        }
        if (changed.value !== "") {
          ranks.forEach(function (other) {
            if (other !== changed && other.value === changed.value) {
              other.value = changed.dataset.previous || "";
              other.dataset.previous = other.value;
            }
          });
        }
        changed.dataset.previous = changed.value;
      });
    }
    form.addEventListener("change", update);
    form.addEventListener("input", update);
    update();
  }

  function setUpPrint() {
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () {
        window.print();
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form.ballot-form").forEach(setUp);
    setUpPrint();
  });
})();
