// A chat's log (the debtor's page and the agent's panel) stays on its newest message as messages
// arrive, unless the reader has scrolled up to read an older one.
(function () {
  var following = new WeakMap();
  function logs() {
    return document.querySelectorAll(".chat-log");
  }
  function atBottom(log) {
    return log.scrollHeight - log.scrollTop - log.clientHeight < 48;
  }
  document.addEventListener("htmx:beforeSwap", function () {
    logs().forEach(function (log) {
      following.set(log, atBottom(log));
    });
  });
  document.addEventListener("htmx:afterSettle", function () {
    logs().forEach(function (log) {
      if (following.get(log) !== false) {
        log.scrollTop = log.scrollHeight;
      }
    });
  });
})();
