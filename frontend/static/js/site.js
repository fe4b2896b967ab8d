// Small progressive enhancements; every page works without JavaScript.
(function () {
  "use strict";

  // The language selector submits on change; its button stays for no-JS users.
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    var form = select.form;
    var fallback = form.querySelector("[data-autosubmit-fallback]");
    if (fallback) fallback.classList.add("visually-hidden");
    select.addEventListener("change", function () { form.submit(); });
  });

  // Filter panels start folded on phones, so results come first; open without JavaScript.
  if (window.matchMedia("(max-width: 800px)").matches) {
    document.querySelectorAll("details[data-collapse-on-phone]").forEach(function (panel) {
      panel.open = false;
    });
  }

  // Collapsible navigation on narrow screens.
  var toggle = document.querySelector("[data-nav-toggle]");
  var panel = document.querySelector("[data-nav-panel]");
  if (toggle && panel) {
    toggle.addEventListener("click", function () {
      var open = toggle.getAttribute("aria-expanded") === "true";
      toggle.setAttribute("aria-expanded", String(!open));
      panel.classList.toggle("is-open", !open);
    });
  }
})();

// Live notification badge: new notifications arrive over a WebSocket.
(function () {
  "use strict";
  var bell = document.querySelector("[data-notifications-socket]");
  if (!bell || !("WebSocket" in window)) return;
  var badge = bell.querySelector("[data-unread-count]");
  var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
  var socket = new WebSocket(scheme + window.location.host + bell.dataset.notificationsSocket);
  socket.addEventListener("message", function (event) {
    var data = JSON.parse(event.data);
    badge.textContent = String((parseInt(badge.textContent, 10) || 0) + 1);
    badge.hidden = false;
    bell.title = data.title;
  });
})();

// Talent pool: ticking a facet or changing the order applies it at once.
(function () {
  "use strict";
  document.querySelectorAll("[data-talent-search] [data-autosubmit-check]").forEach(function (input) {
    input.addEventListener("change", function () { input.form.submit(); });
  });
})();
