/* The wallboard's chart: drawn from the JSON block the figures partial carries, redrawn each time
 * HTMX swaps in new figures. No inline script: the page's CSP allows scripts from 'self' only. */
(function () {
  "use strict";
  var COLOURS = ["#0f766e", "#2563eb", "#7c3aed", "#d97706", "#b91c1c"];
  var chart = null;

  function readData() {
    var block = document.getElementById("wallboard-chart-data");
    return block ? JSON.parse(block.textContent) : null;
  }

  function datasets(data) {
    return data.series.map(function (series, index) {
      return { label: series.label, data: series.values, backgroundColor: COLOURS[index % COLOURS.length] };
    });
  }

  function draw() {
    var canvas = document.getElementById("wallboard-chart");
    var data = readData();
    if (!canvas || !data || typeof window.Chart === "undefined") {
      return;
    }
    if (chart === null) {
      chart = new window.Chart(canvas, {
        type: "bar",
        data: { labels: data.labels, datasets: datasets(data) },
        options: {
          animation: false,
          maintainAspectRatio: false,
          scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
        },
      });
    } else {
      chart.data.labels = data.labels;
      chart.data.datasets = datasets(data);
      chart.update("none");
    }
    // What was drawn, for people and tests to read back.
    canvas.dataset.drawnAttempts = String(data.total.attempts);
  }

  // A poll after the session ended is answered with the login page: go there, not into the board.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var url = event.detail.xhr && event.detail.xhr.responseURL;
    if (url && url.indexOf("/login/") !== -1) {
      event.detail.shouldSwap = false;
      window.location.assign(url);
    }
  });

  document.addEventListener("DOMContentLoaded", draw);
  document.addEventListener("htmx:afterSettle", function (event) {
    if (event.target && event.target.id === "wallboard-figures") {
      draw();
    }
  });
})();
