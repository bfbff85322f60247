/* The propensity page's calibration plot: observed pay rate against mean predicted chance, one point
 * per decile of the score, beside the diagonal a calibrated model lies on. Drawn from the JSON block
 * the run's panel carries, and again when HTMX swaps in another run. No inline script (CSP). */
(function () {
  "use strict";
  var chart = null;

  function readData() {
    var block = document.getElementById("propensity-chart-data");
    return block ? JSON.parse(block.textContent) : null;
  }

  function draw() {
    var canvas = document.getElementById("propensity-chart");
    var data = readData();
    if (chart !== null) {
      chart.destroy();
      chart = null;
    }
    if (!canvas || !data || typeof window.Chart === "undefined") {
      return;
    }
    chart = new window.Chart(canvas, {
      type: "scatter",
      data: {
        datasets: [
          {
            label: "Observed vs predicted (per decile)",
            data: data.points,
            backgroundColor: "#0f766e",
            borderColor: "#0f766e",
            showLine: true,
            pointRadius: 4,
          },
          {
            label: "Perfect calibration",
            data: data.diagonal,
            borderColor: "#9ca3af",
            borderDash: [4, 4],
            showLine: true,
            pointRadius: 0,
          },
        ],
      },
      options: {
        animation: false,
        maintainAspectRatio: false,
        scales: {
          x: { beginAtZero: true, title: { display: true, text: "mean predicted chance" } },
          y: { beginAtZero: true, title: { display: true, text: "observed pay rate" } },
        },
      },
    });
    // What was drawn, for people and tests to read back.
    canvas.dataset.drawnPoints = String(data.points.length);
  }

  document.addEventListener("DOMContentLoaded", draw);
  document.addEventListener("htmx:afterSettle", function (event) {
    if (event.target && event.target.id === "propensity-run") {
      draw();
    }
  });
})();
