/* Account screen panels that refresh themselves (issue 13, docs/chat.md "At once").
 *
 * A poller carrying data-live-guard="<selector>" is held back while the agent is working in the
 * element the selector names: a field in it has the focus, a field holds something typed (its
 * value differs from the one the page drew), or a fold was opened or closed by hand. Nothing the
 * agent is typing is lost; the panel catches up at the next poll after they finish. Loaded as a
 * file: the Content-Security-Policy allows no inline script.
 */
(function () {
  "use strict";
  if (window.solventLiveGuard) {
    return;
  }
  window.solventLiveGuard = true;

  // What each field and fold held when the page drew it (a select's first option is chosen
  // without being its default, so the drawn state is remembered, not read from the markup).
  function state(element) {
    if (element.tagName === "DETAILS") {
      return element.open ? "open" : "closed";
    }
    if (element.type === "checkbox" || element.type === "radio") {
      return element.checked ? "on" : "off";
    }
    return element.value;
  }

  function remember(root) {
    if (!root || !root.querySelectorAll) {
      return;
    }
    var elements = root.querySelectorAll("input, textarea, select, details");
    Array.prototype.forEach.call(elements, function (element) {
      element.solventDrawn = state(element);
    });
  }

  function changed(element) {
    if (element.type === "hidden" || element.type === "submit" || element.type === "button") {
      return false;
    }
    return element.solventDrawn !== undefined && element.solventDrawn !== state(element);
  }

  function busy(panel) {
    var active = document.activeElement;
    if (active && panel.contains(active) && /^(INPUT|TEXTAREA|SELECT)$/.test(active.tagName)) {
      return true;
    }
    var elements = panel.querySelectorAll("input, textarea, select, details");
    for (var i = 0; i < elements.length; i += 1) {
      if (changed(elements[i])) {
        return true;
      }
    }
    return false;
  }

  document.addEventListener("htmx:load", function (event) {
    remember(event.detail.elt);
  });
  remember(document);

  document.addEventListener("htmx:beforeRequest", function (event) {
    var poller = event.detail.elt;
    var selector = poller && poller.getAttribute && poller.getAttribute("data-live-guard");
    if (!selector) {
      return;
    }
    var panel = document.querySelector(selector);
    if (panel && busy(panel)) {
      event.preventDefault();
    }
  });
})();
