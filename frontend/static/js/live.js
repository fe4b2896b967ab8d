// The one client for live sockets (chat rooms, the notification badge). It opens the socket,
// pings every PING_MS (the server re-checks the session and answers with fresh state),
// reconnects with exponential back-off and jitter after a drop (a deploy, a restart), and
// calls `onOpen` on every (re)connection so its user resumes from the last stream number
// it saw. Close code 4401 (no session: apps/accounts/live.py) and the caller's `finalCodes`
// stop it: reconnecting would be refused the same way.
window.LiveSocket = (function () {
  "use strict";

  var NO_SESSION = 4401;
  var PING_MS = 25000;
  var FIRST_DELAY_MS = 1000;
  var MAX_DELAY_MS = 30000;

  function url(path) {
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    return scheme + window.location.host + path;
  }

  // `options`: onOpen(), onFrame(frame), onClose(code, final), finalCodes: [codes].
  function open(path, options) {
    var finalCodes = [NO_SESSION].concat(options.finalCodes || []);
    var live = { socket: null, attempt: 0, pingTimer: null };

    live.send = function (frame) {
      if (live.socket && live.socket.readyState === WebSocket.OPEN) {
        live.socket.send(JSON.stringify(frame));
        return true;
      }
      return false;
    };

    function connect() {
      var socket = new WebSocket(url(path));
      live.socket = socket;
      socket.addEventListener("open", function () {
        live.attempt = 0;
        live.pingTimer = setInterval(function () { live.send({ type: "ping" }); }, PING_MS);
        if (options.onOpen) options.onOpen();
      });
      socket.addEventListener("message", function (event) { options.onFrame(JSON.parse(event.data)); });
      socket.addEventListener("close", function (event) {
        clearInterval(live.pingTimer);
        var final = finalCodes.indexOf(event.code) !== -1;
        if (options.onClose) options.onClose(event.code, final);
        if (final) return;
        var delay = Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * Math.pow(2, live.attempt)) * (0.5 + Math.random() / 2);
        live.attempt += 1;
        setTimeout(connect, delay);
      });
    }

    connect();
    return live;
  }

  return { open: open, NO_SESSION: NO_SESSION };
})();
