// The best-time heat map: the cell under the pointer (or focus) is described below the grid, so
// the counts behind a colour can be read without a tooltip. No inline script (CSP).
(function () {
  "use strict";

  function describe(cell) {
    var detail = document.querySelector("[data-testid='best-time-detail']");
    if (!detail || !cell.dataset.p) {
      return;
    }
    detail.textContent = cell.title;
  }

  document.addEventListener("mouseover", function (event) {
    var cell = event.target.closest && event.target.closest("table.heatmap td");
    if (cell) {
      describe(cell);
    }
  });
  document.addEventListener("focusin", function (event) {
    var cell = event.target.closest && event.target.closest("table.heatmap td");
    if (cell) {
      describe(cell);
    }
  });
})();
