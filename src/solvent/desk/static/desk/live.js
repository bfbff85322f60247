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

  function remember(root) {
    if (!root || !root.querySelectorAll) {
      return;
    }
    Array.prototype.forEach.call(root.querySelectorAll("details"), function (fold) {
      fold.setAttribute("data-live-open", fold.open ? "1" : "0");
    });
  }

  function changed(field) {
    var tag = field.tagName;
    if (tag === "SELECT") {
      return Array.prototype.some.call(field.options, function (option) {
        return option.selected !== option.defaultSelected;
      });
    }
    if (field.type === "checkbox" || field.type === "radio") {
      return field.checked !== field.defaultChecked;
    }
    if (field.type === "hidden" || field.type === "submit" || field.type === "button") {
      return false;
    }
    return field.value !== field.defaultValue;
  }

  function busy(panel) {
    var active = document.activeElement;
    if (active && panel.contains(active) && /^(INPUT|TEXTAREA|SELECT)$/.test(active.tagName)) {
      return true;
    }
    var fields = panel.querySelectorAll("input, textarea, select");
    for (var i = 0; i < fields.length; i += 1) {
      if (changed(fields[i])) {
        return true;
      }
    }
    var folds = panel.querySelectorAll("details");
    for (var j = 0; j < folds.length; j += 1) {
      var drawn = folds[j].getAttribute("data-live-open");
      if (drawn !== null && drawn !== (folds[j].open ? "1" : "0")) {
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
