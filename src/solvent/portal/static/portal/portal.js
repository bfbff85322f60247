// The debtor's page: after a refused form, move focus to the summary of what to correct, so a
// screen reader announces it and the keyboard starts there (WCAG 3.3.1, 2.4.3).
document.addEventListener("DOMContentLoaded", function () {
  var summary = document.getElementById("error-summary");
  if (summary) {
    summary.focus();
  }
});
