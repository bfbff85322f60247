/* The report pages' chart: drawn from the JSON block the report's body carries
 * ({type, labels, series: [{label, values}], x, y}), redrawn each time HTMX swaps in new months.
 * No inline script: the page's CSP allows scripts from 'self' only. */
(function () {
  "use strict";
  var COLOURS = ["#0f766e", "#2563eb", "#7c3aed", "#d97706", "#b91c1c", "#4b5563", "#0891b2", "#be185d"];
  var chart = null;

  function readData() {
    var block = document.getElementById("analytics-chart-data");
    return block ? JSON.parse(block.textContent) : null;
  }

  function datasets(data) {
    return data.series.map(function (series, index) {
      var colour = COLOURS[index % COLOURS.length];
      return {
        label: series.label,
        data: series.values,
        backgroundColor: colour,
        borderColor: colour,
        spanGaps: false,
        tension: 0,
      };
    });
  }

  function axis(title) {
    return { beginAtZero: true, title: { display: Boolean(title), text: title || "" } };
  }

  function draw() {
    var canvas = document.getElementById("analytics-chart");
    var data = readData();
    if (chart !== null) {
      chart.destroy();
      chart = null;
    }
    if (!canvas || !data || typeof window.Chart === "undefined") {
      return;
    }
    chart = new window.Chart(canvas, {
      type: data.type === "line" ? "line" : "bar",
      data: { labels: data.labels, datasets: datasets(data) },
      options: {
        animation: false,
        maintainAspectRatio: false,
        scales: { x: axis(data.x), y: axis(data.y) },
      },
    });
    // What was drawn, for people and tests to read back.
    canvas.dataset.drawnSeries = String(data.series.length);
    canvas.dataset.drawnPoints = String(data.labels.length);
  }

  // A swap after the session ended is answered with the login page: go there.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var url = event.detail.xhr && event.detail.xhr.responseURL;
    if (url && url.indexOf("/login/") !== -1) {
      event.detail.shouldSwap = false;
      window.location.assign(url);
    }
  });

  document.addEventListener("DOMContentLoaded", draw);
  document.addEventListener("htmx:afterSettle", function (event) {
    if (event.target && event.target.id === "analytics-body") {
      draw();
    }
  });
})();
