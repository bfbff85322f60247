/* The account screen during a dialer call (issue 14, desk/views_dialer.py).
 *
 * The guided call panel (desk/call/panel.html) is loaded for the dialer call's reserved attempt,
 * so right-party verification and the scripts work as for a click-to-call. Its outcome buttons
 * post to the guided call's own outcome URL; for the dialer's call they must reach the dialer
 * instead (one outcome per call: the contact history, the ledger, the hopper's recycling and the
 * agent's wrap-up), so the request is sent to the URL the dialer call panel names, with the same
 * form. Only a request about the very attempt the dialer call panel shows is redirected.
 * Loaded as a file: the Content-Security-Policy allows no inline script.
 */
(function () {
  "use strict";
  if (window.solventDialerCall) {
    return;
  }
  window.solventDialerCall = true;

  function value(parameters, name) {
    if (!parameters) {
      return "";
    }
    if (typeof parameters.get === "function") {
      return String(parameters.get(name) || "");
    }
    return String(parameters[name] || "");
  }

  document.addEventListener("htmx:configRequest", function (event) {
    var panel = document.getElementById("dialer-call");
    var source = event.detail.elt;
    if (!panel || !source || !source.closest || !source.closest("#call-panel")) {
      return;
    }
    var attempt = panel.getAttribute("data-attempt-id");
    var target = panel.getAttribute("data-outcome-url");
    if (!attempt || !target || !/\/call\/outcome\/$/.test(event.detail.path || "")) {
      return;
    }
    if (value(event.detail.parameters, "attempt_id") === attempt) {
      event.detail.path = target;
    }
  });
})();
