/* The practice desk (issue 16, docs/adr/0044-practice-floor.md): keep the newest transcript line in
 * view after each HTMX swap, and put the focus back on the script panel. Loaded as a file: the
 * Content-Security-Policy allows no inline script. */
(function () {
  "use strict";

  function settle() {
    var transcript = document.querySelector("[data-testid=transcript]");
    if (transcript) {
      transcript.scrollTop = transcript.scrollHeight;
    }
  }

  document.addEventListener("DOMContentLoaded", settle);
  document.addEventListener("htmx:afterSettle", settle);
})();
