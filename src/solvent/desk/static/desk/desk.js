/* The agent desk's keyboard shortcuts (issue 11, docs/adr/0024-guided-call.md).
 *
 * Digits press the call outcome buttons that carry data-shortcut="<digit>" (a disabled one, such
 * as a debt outcome before right-party verification, stays disabled); "n" follows the link with
 * id "next-account" (or presses the work queue's button, accesskey "n") when the page has one.
 * Keys typed into a field are the field's. Loaded as a
 * file: the Content-Security-Policy allows no inline script.
 */
(function () {
  "use strict";

  function typing(target) {
    if (!target || !target.tagName) {
      return false;
    }
    var tag = target.tagName.toLowerCase();
    return tag === "input" || tag === "textarea" || tag === "select" || target.isContentEditable;
  }

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) {
      return;
    }
    if (typing(event.target)) {
      return;
    }
    var key = (event.key || "").toLowerCase();
    if (key.length !== 1) {
      return;
    }
    if (key === "n") {
      // The link with id "next-account", or the work queue's button declared with accesskey "n".
      var next =
        document.getElementById("next-account") || document.querySelector('[accesskey="n"]');
      if (next) {
        event.preventDefault();
        next.click();
      }
      return;
    }
    var button = document.querySelector('[data-shortcut="' + key.replace(/["\\]/g, "") + '"]');
    if (button && !button.disabled) {
      event.preventDefault();
      button.click();
    }
  });
})();
