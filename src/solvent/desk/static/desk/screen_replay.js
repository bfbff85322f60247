/* The replay of an agent's screen next to the call (issue 16, ADR 0043).
 *
 * Every element marked data-screen-replay (desk/screen/partials/replay.html) gets an rrweb
 * player fed from its data-events-url (that request is the audited view). The answer also says
 * where the call's moments fall in the replay (marks: buttons that jump there) and where the
 * call's audio starts in it (audio_offset_ms): the call's <audio> on the page (the replay page's
 * own, else the first one on the page: the QA page plays the call there) leads, and the player
 * follows it: play, pause and seeking move both, and a drift of more than a second is corrected.
 * Loaded as a file: the Content-Security-Policy allows no inline script (rrweb's player renders
 * the recorded page in a sandboxed iframe without scripts).
 */
(function () {
  "use strict";
  if (window.solventScreenReplay) {
    return;
  }
  window.solventScreenReplay = true;

  var DRIFT_MS = 1000;

  function playerClass() {
    var module = window.rrwebPlayer;
    if (!module) {
      return null;
    }
    if (typeof module === "function") {
      return module;
    }
    return module["default"] || module.Player || null;
  }

  function callAudio(element) {
    var selector = element.getAttribute("data-audio");
    return (selector && document.querySelector(selector)) || document.querySelector("audio");
  }

  function say(element, text) {
    var status = element.querySelector(".screen-status");
    if (status) {
      status.textContent = text;
    }
  }

  function format(ms) {
    var sign = ms < 0 ? "-" : "";
    var seconds = Math.floor(Math.abs(ms) / 1000);
    return sign + Math.floor(seconds / 60) + ":" + String(seconds % 60).padStart(2, "0");
  }

  function build(element, data) {
    var Player = playerClass();
    var target = element.querySelector(".screen-player");
    if (!Player || !target) {
      say(element, "The replay player could not be loaded.");
      return;
    }
    if (!data.events || data.events.length < 2) {
      say(element, "Nothing was recorded on this page.");
      return;
    }
    var width = Math.max(Math.min(target.clientWidth || 960, 1024), 320);
    var player = new Player({
      target: target,
      props: {
        events: data.events,
        width: width,
        height: Math.round((width * 9) / 16),
        autoPlay: false,
        showController: true,
        mouseTail: false,
        UNSAFE_replayCanvas: false
      }
    });
    // What the page's tests read: the player and the alignment it follows.
    element.solventReplay = { player: player, offset: data.audio_offset_ms, duration: data.duration_ms };
    element.setAttribute("data-player-ready", "true");
    say(element, "");
    var duration = data.duration_ms || 0;
    var offset = data.audio_offset_ms;
    var audio = offset === null || offset === undefined ? null : callAudio(element);

    function replayAt(audioSeconds) {
      return Math.min(Math.max(offset + Math.round(audioSeconds * 1000), 0), duration);
    }

    function currentReplayMs() {
      var replayer = player.getReplayer && player.getReplayer();
      return replayer ? replayer.getCurrentTime() : 0;
    }

    if (audio) {
      audio.addEventListener("play", function () {
        player.goto(replayAt(audio.currentTime), true);
      });
      audio.addEventListener("pause", function () {
        player.pause();
      });
      audio.addEventListener("seeked", function () {
        player.goto(replayAt(audio.currentTime), !audio.paused);
      });
      audio.addEventListener("timeupdate", function () {
        if (!audio.paused && Math.abs(currentReplayMs() - replayAt(audio.currentTime)) > DRIFT_MS) {
          player.goto(replayAt(audio.currentTime), true);
        }
      });
    }

    var marks = element.querySelector(".screen-marks");
    if (marks && data.marks) {
      data.marks.forEach(function (mark) {
        var button = document.createElement("button");
        button.type = "button";
        button.className = "screen-mark";
        button.setAttribute("data-at-ms", String(mark.at_ms));
        button.textContent = mark.label + " (" + format(mark.at_ms) + ")";
        button.addEventListener("click", function () {
          var at = Math.min(Math.max(mark.at_ms, 0), duration);
          player.goto(at, false);
          if (audio) {
            audio.currentTime = Math.max((mark.at_ms - offset) / 1000, 0);
          }
        });
        marks.appendChild(button);
      });
    }
  }

  function start(element) {
    if (element.getAttribute("data-screen-started")) {
      return;
    }
    element.setAttribute("data-screen-started", "true");
    say(element, "Loading the replay…");
    load(element, 0);
  }

  // A 503 (the database briefly unavailable) or a dropped connection is asked again, a few times
  // with a growing wait; any other refusal (403, 404) is final.
  var RETRIES = 4;

  function load(element, attempt) {
    fetch(element.getAttribute("data-events-url"), {
      credentials: "same-origin",
      headers: { Accept: "application/json" }
    })
      .then(
        function (response) {
          return response;
        },
        function () {
          var dropped = new Error("network");
          dropped.transient = true;
          throw dropped;
        }
      )
      .then(function (response) {
        if (!response.ok) {
          var error = new Error(String(response.status));
          error.transient = response.status === 503;
          throw error;
        }
        return response.json();
      })
      .then(function (data) {
        build(element, data);
      })
      .catch(function (error) {
        if (error.transient === true && attempt < RETRIES) {
          say(element, "Loading the replay… (asking again)");
          window.setTimeout(function () {
            load(element, attempt + 1);
          }, 1000 * Math.pow(2, attempt));
          return;
        }
        say(element, "The replay could not be loaded.");
      });
  }

  function startAll() {
    document.querySelectorAll("[data-screen-replay]").forEach(start);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", startAll);
  } else {
    startAll();
  }
  document.addEventListener("htmx:afterSettle", startAll);
})();
