/* QA pages (docs/quality.md): the agent's trend chart, drawn from the JSON block the page carries,
 * and the scorecard's running score while a reviewer answers (the server scores what is saved:
 * solvent.quality.domain.scorecard; this preview only follows the same arithmetic).
 * No inline script: the page's CSP allows scripts from 'self' only. */
(function () {
  "use strict";

  function drawTrend() {
    var canvas = document.getElementById("quality-trend-chart");
    var block = document.getElementById("quality-trend-data");
    if (!canvas || !block || typeof window.Chart === "undefined") {
      return;
    }
    var data = JSON.parse(block.textContent);
    new window.Chart(canvas, {
      type: "line",
      data: {
        labels: data.labels,
        datasets: [
          { label: "Mean score", data: data.scores, borderColor: "#0f766e", backgroundColor: "#0f766e", spanGaps: true, yAxisID: "y" },
          { label: "Pass rate (%)", data: data.pass_rates, borderColor: "#2563eb", backgroundColor: "#2563eb", borderDash: [6, 4], spanGaps: true, yAxisID: "y" },
        ],
      },
      options: {
        animation: false,
        maintainAspectRatio: false,
        scales: { y: { min: 0, max: 100 } },
      },
    });
    // What was drawn, for people and tests to read back.
    canvas.dataset.drawnWeeks = String(data.labels.length);
    canvas.dataset.drawnReviews = String(data.reviews.reduce(function (a, b) { return a + b; }, 0));
  }

  function previewScore(form) {
    var out = form.querySelector("[data-testid=score-preview]");
    if (!out) {
      return;
    }
    var points = 0, possible = 0, unanswered = 0, critical = false;
    form.querySelectorAll("fieldset[data-item]").forEach(function (item) {
      var chosen = item.querySelector("input[type=radio]:checked");
      var weight = Number(item.dataset.weight);
      if (!chosen) {
        unanswered += 1;
        return;
      }
      if (chosen.value === "n/a") {
        return;
      }
      possible += weight;
      if (chosen.value === "yes") {
        points += weight;
      } else if (item.dataset.critical === "1") {
        critical = true;
      }
    });
    var score = possible ? Math.round(1000 * points / possible) / 10 : 0;
    var passMark = Number(out.dataset.passMark);
    var verdict = critical ? "fails: a critical item is answered no" : (score >= passMark ? "passes" : "fails");
    out.textContent = "Score so far " + score + " (" + points + " of " + possible + " points), " + verdict +
      (unanswered ? "; " + unanswered + " item(s) not answered yet" : "") + ".";
  }

  document.addEventListener("DOMContentLoaded", function () {
    drawTrend();
    var form = document.querySelector("form[data-testid=scorecard]");
    if (form) {
      form.addEventListener("change", function () { previewScore(form); });
      previewScore(form);
    }
  });
})();
