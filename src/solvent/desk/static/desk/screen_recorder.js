/* The agent desk's screen recorder (issue 16, ADR 0043).
 *
 * Loaded on the dialer page and the account screen for agents and supervisors (the
 * {% screen_recorder %} tag renders a <meta> with where to start and which account). It records
 * the page with rrweb: every input masked (maskAllInputs), the text of elements marked
 * data-pii masked, the payment card fields blocked (not recorded at all). The events are sent
 * in chunks every few seconds and when the page is hidden (fetch keepalive: a beacon cannot
 * carry the CSRF header), each with its sequence number, so a chunk sent twice is stored once.
 * Timestamps are moved onto the server's clock (measured when the recording starts) so the
 * replay lines up with the call's own times. The server masks again what the page missed.
 * Loaded as a file: the Content-Security-Policy allows no inline script.
 */
(function () {
  "use strict";
  var meta = document.querySelector('meta[name="solvent-screen-recording"]');
  if (!meta || !window.rrweb || typeof window.rrweb.record !== "function") {
    return;
  }
  if (window.solventScreenRecorder) {
    return;
  }
  window.solventScreenRecorder = true;

  var FLUSH_EVERY_MS = 5000;
  var KEEPALIVE_MAX_BYTES = 60000; // browsers allow 64 kB in flight with keepalive
  var startUrl = meta.getAttribute("data-start-url");
  var accountText = meta.getAttribute("data-account-id") || "";
  var accountId = /^\d+$/.test(accountText) ? parseInt(accountText, 10) : null;

  var buffer = []; // events not yet put in a chunk
  var queue = []; // chunks not yet acknowledged: {sequence, body}
  var sequence = 0;
  var chunkUrl = null;
  var maxBytes = 1000000;
  var skew = 0;
  var sending = false;
  var stopped = false;
  var stopRecording = null;

  function csrfToken() {
    try {
      var headers = JSON.parse(document.body.getAttribute("hx-headers") || "{}");
      return headers["X-CSRFToken"] || "";
    } catch (error) {
      return "";
    }
  }

  var SEND_TIMEOUT_MS = 30000; // a request that hangs is given up and sent again

  function post(url, body, keepalive) {
    var options = {
      method: "POST",
      credentials: "same-origin",
      keepalive: !!keepalive,
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
      body: body
    };
    if (!keepalive && window.AbortController) {
      var controller = new AbortController();
      options.signal = controller.signal;
      window.setTimeout(function () {
        controller.abort();
      }, SEND_TIMEOUT_MS);
    }
    return fetch(url, options);
  }

  function stop() {
    stopped = true;
    buffer = [];
    queue = [];
    if (stopRecording) {
      stopRecording();
    }
  }

  var encoder = new TextEncoder();

  function sizeOf(text) {
    return encoder.encode(text).length;
  }

  function shifted(events) {
    return events.map(function (event) {
      var copy = Object.assign({}, event);
      copy.timestamp = event.timestamp + skew;
      return copy;
    });
  }

  // Cut the buffer into chunks that fit; an event larger than a chunk may be is left out.
  function cut() {
    if (!buffer.length || chunkUrl === null) {
      return;
    }
    var events = shifted(buffer);
    buffer = [];
    var pending = [events];
    while (pending.length) {
      var part = pending.shift();
      var body = JSON.stringify({ sequence: sequence, events: part });
      var size = sizeOf(body);
      if (size <= maxBytes) {
        queue.push({ sequence: sequence, body: body, size: size });
        sequence += 1;
      } else if (part.length > 1) {
        var half = Math.ceil(part.length / 2);
        pending.unshift(part.slice(0, half), part.slice(half));
      } else if (window.console) {
        window.console.warn("screen recording: an event too large to send was left out");
      }
    }
  }

  function send() {
    if (sending || stopped || !queue.length) {
      return;
    }
    sending = true;
    var chunk = queue[0];
    post(chunkUrl, chunk.body, false)
      .then(function (response) {
        sending = false;
        if (response.ok) {
          queue.shift();
          send();
        } else if (response.status === 403 || response.status === 404) {
          stop(); // not this person's recording any more (signed out, another account)
        } else if (response.status >= 400 && response.status < 500) {
          queue.shift(); // refused for good (too large, bad timestamps): do not send it again
          send();
        }
        // 5xx: kept, sent again at the next tick.
      })
      .catch(function () {
        sending = false; // offline: sent again at the next tick
      });
  }

  function flush() {
    cut();
    send();
  }

  function flushOnHide() {
    cut();
    var budget = KEEPALIVE_MAX_BYTES;
    queue.forEach(function (chunk) {
      if (chunk.size <= budget) {
        budget -= chunk.size;
        post(chunkUrl, chunk.body, true).catch(function () {});
      }
    });
  }

  stopRecording = window.rrweb.record({
    emit: function (event) {
      if (!stopped) {
        buffer.push(event);
      }
    },
    maskAllInputs: true,
    maskTextSelector: "[data-pii]",
    blockSelector: "[data-payment-card], input[autocomplete^='cc-']",
    recordCanvas: false,
    collectFonts: false,
    inlineImages: false,
    slimDOMOptions: { script: true, comment: true, headFavicon: true, headWhitespace: true },
    sampling: { mousemove: 100, scroll: 150 }
  });

  var askedAt = Date.now();
  post(startUrl, JSON.stringify({ account_id: accountId, page: window.location.pathname }), false)
    .then(function (response) {
      if (!response.ok) {
        throw new Error("screen recording refused: " + response.status);
      }
      return response.json();
    })
    .then(function (started) {
      var answeredAt = Date.now();
      skew = started.server_now_ms - Math.round((askedAt + answeredAt) / 2);
      chunkUrl = started.chunk_url;
      maxBytes = started.chunk_max_bytes || maxBytes;
      meta.setAttribute("data-recording-id", String(started.recording_id));
      flush();
      window.setInterval(flush, FLUSH_EVERY_MS);
    })
    .catch(function () {
      stop();
    });

  window.addEventListener("pagehide", flushOnHide);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") {
      flushOnHide();
    }
  });
})();
